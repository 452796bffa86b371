import FulcrumCore
import FulcrumTraces

/// The router, among ready, non-draining instances only: prefill by the run's `PrefillRouting`,
/// decode to the least outstanding work.
extension ClusterSimulation {
    mutating func handleArrival(_ request: Int) {
        let state = requests[request]
        frontend.requestsArrived += 1
        frontend.inputTokens += Double(state.inputTokens)
        // Decode reserves prompt + output so it never preempts; a request whose reservation
        // exceeds a whole instance's KV cache can never be admitted anywhere.
        guard state.decodeReservationTokens <= profile.decode.kvCapacityTokens else {
            requests[request].status = .unservable
            requests[request].resolvedAt = now
            resolvedCount += 1
            return
        }
        routeToPrefill(request)
    }

    mutating func routeToPrefill(_ request: Int) {
        let choice: Int? = switch input.prefillRouting {
        case .leastLoaded: leastLoaded(.prefill)
        case .roundRobin: nextInTurn()
        case .cacheAware: leastWorkBeforeFirstToken(request)
        }
        guard let instance = choice else {
            routerQueues.prefill.append(request)
            return
        }
        enqueuePrefill(request, at: instance)
    }

    mutating func routeToDecode(_ request: Int) {
        guard let instance = leastLoaded(.decode) else {
            routerQueues.decode.append(request)
            return
        }
        sendToDecode(request, at: instance)
    }

    /// Requests parked at the router while a phase had no routable instance go out as soon as
    /// one appears, oldest first, each to the then least-loaded instance.
    mutating func dispatchRouterQueue(_ role: Role) {
        guard !routable[role].isEmpty, !routerQueues[role].isEmpty else { return }
        let parked = routerQueues[role].removeAll()
        for request in parked {
            switch role {
            case .prefill: routeToPrefill(request)
            case .decode: routeToDecode(request)
            }
        }
    }

    /// The next routable prefill instance in turn.
    mutating func nextInTurn() -> Int? {
        let candidates = routable[.prefill]
        guard !candidates.isEmpty else { return nil }
        defer { roundRobinCursor += 1 }
        return candidates[roundRobinCursor % candidates.count]
    }

    /// The routable prefill instance with the least outstanding tokens plus uncached prompt
    /// (see `PrefillRouting.cacheAware`); ties are broken as in `leastLoaded`.
    mutating func leastWorkBeforeFirstToken(_ request: Int) -> Int? {
        let state = requests[request]
        let prefills = self.prefills
        return Self.cheapest(routable[.prefill], random: &random) {
            prefills[$0].outstandingTokens + state.inputTokens - Self.cachedPrefix(of: state, in: prefills[$0].prefixCache).tokens
        }
    }

    /// The prompt's leading blocks found in the caches, and the tokens they spare: all but the
    /// last prompt token at most (the forward pass that emits the first token needs one), of
    /// which `hostTokens` lie beyond the GPU's match.
    static func cachedPrefix(of state: RequestState, in cache: PrefillPrefixCaches)
        -> (match: PrefillPrefixCaches.Match, tokens: Int, hostTokens: Int) {
        guard !state.prefixBlocks.isEmpty else { return (.init(gpuBlocks: 0, hostBlocks: 0), 0, 0) }
        let match = cache.leadingMatch(state.prefixBlocks)
        let tokens = min(match.blocks * TraceRequest.prefixBlockTokens, state.inputTokens - 1)
        let onGPU = min(match.gpuBlocks * TraceRequest.prefixBlockTokens, tokens)
        return (match, tokens, tokens - onGPU)
    }

    /// The routable instance with the least outstanding tokens; exact ties are broken by the
    /// seeded generator (reservoir sampling) so idle instances share load evenly.
    mutating func leastLoaded(_ role: Role) -> Int? {
        let (prefills, decodes) = (self.prefills, self.decodes)
        return Self.cheapest(routable[role], random: &random) {
            role == .prefill ? prefills[$0].outstandingTokens : decodes[$0].outstandingTokens
        }
    }

    /// The candidate of least cost, exact ties broken by the seeded generator (reservoir
    /// sampling: each tied candidate is equally likely).
    private static func cheapest(_ candidates: [Int], random: inout SeededGenerator, cost: (Int) -> Int) -> Int? {
        var best: Int?
        var bestCost = Int.max
        var ties = 0
        for index in candidates {
            let value = cost(index)
            if value < bestCost {
                best = index
                bestCost = value
                ties = 1
            } else if value == bestCost {
                ties += 1
                if Int.random(in: 0..<ties, using: &random) == 0 { best = index }
            }
        }
        return best
    }
}
