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
        var best: Int?
        var bestCost = Int.max
        var ties = 0
        for index in routable[.prefill] {
            let cost = prefills[index].outstandingTokens + state.inputTokens - cachedTokens(of: state, on: index)
            if cost < bestCost {
                best = index
                bestCost = cost
                ties = 1
            } else if cost == bestCost {
                ties += 1
                if Int.random(in: 0..<ties, using: &random) == 0 { best = index }
            }
        }
        return best
    }

    /// Prompt tokens of `state` that prefill instance `index` has cached: its leading blocks
    /// found there, never the whole prompt (the last token is always computed).
    func cachedTokens(of state: RequestState, on index: Int) -> Int {
        guard !state.prefixBlocks.isEmpty else { return 0 }
        let blocks = prefills[index].prefixCache.leadingMatch(state.prefixBlocks)
        return min(blocks * TraceRequest.prefixBlockTokens, state.inputTokens - 1)
    }

    /// The routable instance with the least outstanding tokens; exact ties are broken by the
    /// seeded generator (reservoir sampling) so idle instances share load evenly.
    mutating func leastLoaded(_ role: Role) -> Int? {
        var best: Int?
        var bestLoad = Int.max
        var ties = 0
        for index in routable[role] {
            let load = role == .prefill ? prefills[index].outstandingTokens : decodes[index].outstandingTokens
            if load < bestLoad {
                best = index
                bestLoad = load
                ties = 1
            } else if load == bestLoad {
                ties += 1
                if Int.random(in: 0..<ties, using: &random) == 0 { best = index }
            }
        }
        return best
    }
}
