import FulcrumCore

/// Turns the raw log of a run into `SimulationResult`: totals, percentiles and the timeline.
struct ResultBuilder {
    var input: SimulationInput
    var policyName: String
    var requests: [RequestRecord]
    var transitions: [WorkerTransition]
    var actions: [ActionRecord]
    var desired: [(time: Double, desired: PerRole<Int>)]
    var gpuSeconds: Double
    var gpuSecondsByRole: PerRole<Double>
    /// Prompt tokens looked up in and found in the prefill instances' prefix caches.
    var prefixCache: (queried: Double, hit: Double)?
    var endTime: Double

    func build() -> SimulationResult {
        let completed = requests.filter { $0.status == .completed }
        let unservable = requests.count { $0.status == .unservable }
        let unfinished = requests.count { $0.status == .unfinished }
        let good = requests.count(where: \.meetsSLO)
        let feasible = requests.filter {
            input.isFeasible(inputTokens: $0.inputTokens, outputTokens: $0.outputTokens)
        }
        let feasibleGood = feasible.count(where: \.meetsSLO)
        let ttfts = completed.compactMap(\.ttft).sorted()
        let tpots = completed.compactMap(\.tpot).sorted()
        let gpuHours = gpuSeconds / 3600
        let outputTokens = completed.reduce(0.0) { $0 + Double($1.outputTokens) }
        // Traces start at 0, so the last arrival is the trace's length; at least a second, so
        // a one-request trace has a finite rate.
        let traceDuration = max(1, requests.map(\.arrival).max() ?? 0)

        return SimulationResult(
            policy: policyName,
            profile: input.profile.name,
            seed: input.seed,
            gpuBudget: input.gpuBudget,
            requests: requests.count,
            completed: completed.count,
            failed: unservable + unfinished,
            unservable: unservable,
            unfinished: unfinished,
            sloAttainment: requests.isEmpty ? 1 : Double(good) / Double(requests.count),
            feasibleRequests: feasible.count,
            infeasibleRequests: requests.count - feasible.count,
            sloAttainmentFeasible: feasible.isEmpty ? 1 : Double(feasibleGood) / Double(feasible.count),
            goodputRPS: Double(good) / traceDuration,
            goodputPerGPUHour: gpuHours > 0 ? Double(good) / gpuHours : 0,
            ttftP50: Percentile.of(sorted: ttfts, 0.5),
            ttftP99: Percentile.of(sorted: ttfts, 0.99),
            tpotP50: Percentile.of(sorted: tpots, 0.5),
            tpotP99: Percentile.of(sorted: tpots, 0.99),
            gpuHours: gpuHours,
            gpuHoursByRole: gpuSecondsByRole.map { _, seconds in seconds / 3600 },
            prefixHitRate: prefixCache.flatMap { $0.queried > 0 ? $0.hit / $0.queried : nil },
            outputTokensPerGPUSecond: gpuSeconds > 0 ? outputTokens / gpuSeconds : 0,
            scaleActions: actions.count { $0.outcome == .applied },
            rejectedActions: actions.count { if case .rejected = $0.outcome { true } else { false } },
            roleFlips: RoleFlipCounter.count(actions),
            traceDurationSeconds: traceDuration,
            simulatedSeconds: endTime,
            sloTTFTSeconds: input.slo.ttftSeconds,
            sloTPOTSeconds: input.slo.tpotSeconds,
            timelineIntervalSeconds: input.timelineIntervalSeconds,
            timeline: timeline()
        )
    }

    private func timeline() -> [TimelineEntry] {
        let width = input.timelineIntervalSeconds
        let count = max(1, Int((endTime / width).rounded(.up)))
        func bucket(_ time: Double) -> Int { min(count - 1, max(0, Int(time / width))) }

        var arrivals = [[RequestRecord]](repeating: [], count: count)
        var resolved = [[RequestRecord]](repeating: [], count: count)
        for request in requests {
            arrivals[bucket(request.arrival)].append(request)
            resolved[bucket(request.resolvedAt)].append(request)
        }

        var states: [WorkerID: (role: Role, state: WorkerTransition.State)] = [:]
        var nextTransition = 0
        var nextDesired = 0
        var lastDesired: PerRole<Int>?
        var entries: [TimelineEntry] = []
        entries.reserveCapacity(count)

        for index in 0..<count {
            let start = Double(index) * width
            let end = start + width
            while nextTransition < transitions.count, transitions[nextTransition].time <= end {
                let transition = transitions[nextTransition]
                states[transition.worker] = (transition.role, transition.state)
                nextTransition += 1
            }
            while nextDesired < desired.count, desired[nextDesired].time <= end {
                lastDesired = desired[nextDesired].desired
                nextDesired += 1
            }
            var counts = PerRole(repeating: [WorkerTransition.State: Int]())
            var gpus = 0
            for (role, state) in states.values where state != .stopped {
                counts[role][state, default: 0] += 1
                gpus += input.profile.gpusPerInstance[role]
            }

            entries.append(Self.entry(from: start, width: width, arriving: arrivals[index], resolved: resolved[index],
                                      workers: counts, gpusHeld: gpus, desired: lastDesired))
        }
        return entries
    }

    /// One timeline interval: what arrived in it, what resolved in it, and the fleet at its end.
    private static func entry(from start: Double, width: Double, arriving: [RequestRecord], resolved done: [RequestRecord],
                              workers counts: PerRole<[WorkerTransition.State: Int]>, gpusHeld: Int,
                              desired: PerRole<Int>?) -> TimelineEntry {
        let ttfts = done.compactMap(\.ttft).sorted()
        let tpots = done.compactMap(\.tpot).sorted()
        return TimelineEntry(
            time: start,
            end: start + width,
            arrivals: arriving.count,
            arrivalRate: Double(arriving.count) / width,
            prefillDemandTokensPerSecond: arriving.reduce(0.0) { $0 + Double($1.inputTokens) } / width,
            decodeDemandTokensPerSecond: arriving.reduce(0.0) { $0 + Double($1.outputTokens) } / width,
            prefillReady: counts.prefill[.ready] ?? 0,
            prefillStarting: counts.prefill[.starting] ?? 0,
            prefillDraining: counts.prefill[.draining] ?? 0,
            decodeReady: counts.decode[.ready] ?? 0,
            decodeStarting: counts.decode[.starting] ?? 0,
            decodeDraining: counts.decode[.draining] ?? 0,
            desiredPrefill: desired?.prefill,
            desiredDecode: desired?.decode,
            gpusHeld: gpusHeld,
            resolved: done.count,
            ttftP50: Percentile.of(sorted: ttfts, 0.5),
            ttftP99: Percentile.of(sorted: ttfts, 0.99),
            tpotP50: Percentile.of(sorted: tpots, 0.5),
            tpotP99: Percentile.of(sorted: tpots, 0.99),
            sloAttainment: done.isEmpty ? nil : Double(done.count(where: \.meetsSLO)) / Double(done.count)
        )
    }
}
