import FulcrumCore

/// The router: least outstanding work per phase, among ready, non-draining instances only.
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
        guard let instance = leastLoaded(.prefill) else {
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
