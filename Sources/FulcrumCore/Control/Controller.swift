/// Fulcrum's controller: `(snapshot, state, now) → (decision, new state)`.
///
/// A value type with no IO and no clock: the daemon and the simulator hand it a snapshot
/// stamped with their own time and execute the actions it returns. Everything it remembers
/// between ticks is in `state`, so a test can step it tick by tick.
public struct Controller: Sendable {
    public var configuration: ControllerConfiguration
    public private(set) var state: ControllerState

    public init(configuration: ControllerConfiguration, state: ControllerState? = nil) {
        self.configuration = configuration
        self.state = state ?? ControllerState(configuration: configuration)
    }

    /// The controller under a new configuration. What it learned (capacity per instance,
    /// demand history, corrections) is kept while an instance still has the same GPUs; a
    /// different instance size invalidates every per-instance number, so it starts afresh.
    public func reconfigured(_ next: ControllerConfiguration) -> Controller {
        let sameInstances = next.placement.gpusPerInstance == configuration.placement.gpusPerInstance
        return Controller(configuration: next, state: sameInstances ? state : nil)
    }

    /// The fleet taken over (ready plus starting at the first tick), which no role shrinks
    /// below while the traffic is being learned or is bursty; nil before the first tick.
    public var fleetTakenOver: PerRole<Int>? { state.stabiliser.fleetTakenOver }

    /// Holds `fleet` as the fleet taken over, as if it had been running at the first tick: a
    /// restarted daemon restores the one its previous run took over, where taking over what
    /// runs now would keep a burst's fleet as the floor. Nil forgets it, and the next tick
    /// takes over what runs then.
    public mutating func takeOver(_ fleet: PerRole<Int>?) {
        state.stabiliser.fleetTakenOver = fleet.map { $0.map { _, count in max(0, count) } }
    }

    /// Pure form: the decision and the next state.
    public static func step(
        configuration: ControllerConfiguration,
        state: ControllerState,
        snapshot: ClusterSnapshot,
        overrides: Overrides = .none
    ) -> (Decision, ControllerState) {
        var controller = Controller(configuration: configuration, state: state)
        let decision = controller.decide(snapshot, overrides: overrides)
        return (decision, controller.state)
    }

    /// The decision for `snapshot`. The GPU budget it plans within is the configured one or
    /// the GPUs the snapshot's nodes list, whichever is smaller: planning for GPUs that do not
    /// exist would only produce instances that can never be placed.
    public mutating func decide(_ snapshot: ClusterSnapshot, overrides: Overrides = .none) -> Decision {
        let gpuBudget = gpuBudget(listedIn: snapshot)
        var reasons: [DecisionReason] = []
        let (active, expired) = overrides.active(at: snapshot.time)
        for kind in expired {
            reasons.append(.init(.overrideExpired, "the \(kind.rawValue) override expired and no longer applies"))
        }

        // Estimation runs on every tick, paused or not, so learning never has a gap.
        let estimate = Estimator.update(&state.estimator, snapshot: snapshot, configuration: configuration)
        let current = Self.capacityCounts(snapshot)
        // Taken over at the first tick, paused or not: what ran before fulcrumd steered.
        if state.stabiliser.fleetTakenOver == nil { state.stabiliser.fleetTakenOver = current }
        let sizing = size(snapshot, current: current, estimate: estimate, overrides: active, gpuBudget: gpuBudget, reasons: &reasons)
        return Decision(time: snapshot.time, current: current, recommended: sizing.recommended, desired: sizing.desired,
                        actions: sizing.plan.actions, unplaced: sizing.plan.unplaced, reasons: reasons, estimate: estimate,
                        rateMatching: sizing.matching, overrides: active)
    }

    /// What one tick settles on: the recommendation, where stabilisation leaves it, the
    /// placement that gets there, and the rate matcher's answer when it ran.
    private struct Sizing {
        var recommended: PerRole<Int>
        var desired: PerRole<Int>
        var plan: PlacementPlan
        var matching: RateMatcher.Result?

        static func holding(_ current: PerRole<Int>) -> Sizing {
            Sizing(recommended: current, desired: current, plan: PlacementPlan(), matching: nil)
        }
    }

    /// What the rate matcher (or the fallback without a capacity estimate) asks for, with the
    /// unrounded need behind it for the stabiliser's tolerance band.
    private struct Recommendation {
        var instances: PerRole<Int>
        var continuousNeed: PerRole<Double>
        var matching: RateMatcher.Result?
    }

    /// The configured budget, or the GPUs the snapshot's nodes list if fewer; a snapshot that
    /// lists no nodes leaves the configured budget.
    private func gpuBudget(listedIn snapshot: ClusterSnapshot) -> Int {
        let configured = configuration.placement.maxTotalGPUs
        let listed = snapshot.nodes.reduce(0) { $0 + $1.gpus.count }
        return listed > 0 ? min(configured, listed) : configured
    }

    /// The first of these that applies: a pause, telemetry gone stale, fixed counts set by
    /// hand, or sizing for the demand.
    private mutating func size(
        _ snapshot: ClusterSnapshot,
        current: PerRole<Int>,
        estimate: TrafficEstimate,
        overrides active: Overrides,
        gpuBudget: Int,
        reasons: inout [DecisionReason]
    ) -> Sizing {
        if let pause = active.pause {
            reasons.append(.init(.overridePaused, "paused by hand\(pause.reason.map { ": \($0)" } ?? ""); no workers started or drained"))
            return .holding(current)
        }
        if Self.telemetryIsStale(snapshot, observation: estimate.observation) {
            // Fail static, like the HPA with every metric invalid: no data is no reason to act.
            reasons.append(.init(.telemetryStale,
                "no ready worker has telemetry newer than \(format(configuration.estimation.staleAfterSeconds)) s; holding the current size"))
            return .holding(current)
        }
        // Bounds set by hand are reported even under fixed counts, which they do not limit.
        let bounds = effectiveBounds(active, reasons: &reasons)
        if let counts = active.counts {
            return fixedCounts(counts, snapshot: snapshot, handDrains: active, gpuBudget: gpuBudget, reasons: &reasons)
        }
        return followDemand(snapshot, current: current, estimate: estimate, overrides: active, bounds: bounds,
                            gpuBudget: gpuBudget, reasons: &reasons)
    }

    /// Workers are ready but none has fresh telemetry, and the caller sent no traffic summary.
    private static func telemetryIsStale(_ snapshot: ClusterSnapshot, observation: IntervalObservation) -> Bool {
        let readyWorkers = snapshot.workers.contains { $0.lifecycle == .ready }
        let freshTotal = observation.freshWorkers.prefill + observation.freshWorkers.decode
        return readyWorkers && freshTotal == 0 && snapshot.traffic == nil
    }

    /// Counts set by hand, cut to the budget and placed as they are: no rate matching, no
    /// stabilisation.
    private func fixedCounts(
        _ counts: Expiring<PerRole<Int>>,
        snapshot: ClusterSnapshot,
        handDrains: Overrides,
        gpuBudget: Int,
        reasons: inout [DecisionReason]
    ) -> Sizing {
        let recommended = clampToBudget(counts.value, gpuBudget: gpuBudget)
        reasons.append(.init(.overrideCounts,
            "fixed counts \(counts.value.prefill) prefill / \(counts.value.decode) decode set by hand\(counts.reason.map { ": \($0)" } ?? "")"))
        let plan = plan(recommended, snapshot: snapshot, handDrains: handDrains, gpuBudget: gpuBudget, reasons: &reasons)
        return Sizing(recommended: recommended, desired: recommended, plan: plan, matching: nil)
    }

    /// Sizes both roles for the demand, damps the change, holds a ratio set by hand, and
    /// places the result.
    private mutating func followDemand(
        _ snapshot: ClusterSnapshot,
        current: PerRole<Int>,
        estimate: TrafficEstimate,
        overrides active: Overrides,
        bounds: (min: PerRole<Int>, max: PerRole<Int?>),
        gpuBudget: Int,
        reasons: inout [DecisionReason]
    ) -> Sizing {
        let recommendation = recommend(current: current, estimate: estimate, ratio: active.ratio, bounds: bounds,
                                       gpuBudget: gpuBudget, reasons: &reasons)
        var desired = stabilise(recommendation, current: current, snapshot: snapshot, estimate: estimate,
                                gpuBudget: gpuBudget, reasons: &reasons)
        if let ratio = active.ratio {
            desired = Self.reimpose(ratio.value, on: desired, maxTotalGPUs: gpuBudget, gpus: configuration.placement.gpusPerInstance)
        }
        for role in Role.allCases where desired[role] != current[role] {
            let code: DecisionReason.Code = desired[role] > current[role] ? .scaleUp : .scaleDown
            reasons.append(.init(code, role: role, "\(role) \(current[role]) → \(desired[role]) instances"))
        }
        let plan = plan(desired, snapshot: snapshot, handDrains: active, gpuBudget: gpuBudget, reasons: &reasons)
        return Sizing(recommended: recommendation.instances, desired: desired, plan: plan, matching: recommendation.matching)
    }

    /// The rate matcher's counts (at a ratio set by hand, if any) once both roles have a
    /// capacity estimate; the threshold fallback until then.
    private func recommend(
        current: PerRole<Int>,
        estimate: TrafficEstimate,
        ratio: Expiring<InstanceRatio>?,
        bounds: (min: PerRole<Int>, max: PerRole<Int?>),
        gpuBudget: Int,
        reasons: inout [DecisionReason]
    ) -> Recommendation {
        guard let input = rateMatcherInput(estimate: estimate, bounds: bounds, gpuBudget: gpuBudget) else {
            let instances = fallbackWithoutCapacity(estimate: estimate, current: current, bounds: bounds, reasons: &reasons)
            return Recommendation(instances: instances, continuousNeed: current.map { _, count in Double(count) }, matching: nil)
        }
        let result: RateMatcher.Result
        if let ratio {
            result = Self.solveWithRatio(input, ratio: ratio.value)
            reasons.append(.init(.overrideRatio,
                "prefill:decode held at \(ratio.value) by hand\(ratio.reason.map { ": \($0)" } ?? ""); total follows demand"))
        } else {
            result = Self.solvingForCachesLeft(input, current: current, hitRate: estimate.prefixHitRate, reasons: &reasons)
        }
        explainEstimate(estimate, result: result, floors: input.floorInstances, gpuBudget: gpuBudget, reasons: &reasons)
        return Recommendation(instances: result.instances, continuousNeed: result.continuousNeed, matching: result)
    }

    /// The rate matcher's answer, with a prefill shrink checked against the prefix caches it
    /// drains: a prompt whose history sat on a drained instance is computed in full elsewhere
    /// until the caches refill, so m of n instances keep only about m/n of today's hit rate.
    /// Planned on today's rate, a conversation fleet at a 38 % hit rate shrank to counts that
    /// missed TTFT until the next scale-up; counting the caches that leave kept up to 0.16
    /// point more of its hour within the SLO for 3–7 % more prefill GPU-hours.
    static func solvingForCachesLeft(_ input: RateMatcher.Input, current: PerRole<Int>, hitRate: Double?,
                                     reasons: inout [DecisionReason]) -> RateMatcher.Result {
        let result = RateMatcher.solve(input)
        let (kept, running) = (result.instances.prefill, current.prefill)
        guard let hitRate, hitRate > 0, hitRate < 1, kept < running else { return result }
        let hitRateLeft = hitRate * Double(kept) / Double(running)
        var shrunk = input
        shrunk.demand.prefill *= (1 - hitRateLeft) / (1 - hitRate)
        let checked = RateMatcher.solve(shrunk)
        guard checked.instances.prefill > kept else { return result }
        let held = min(checked.instances.prefill, running)
        reasons.append(.init(.prefixCachesDrained, role: .prefill,
            "prefill shrink to \(kept) held at \(held): draining takes its prefix caches along, leaving a hit rate of about \(format(hitRateLeft * 100)) % instead of \(format(hitRate * 100)) %"))
        var answer = checked
        answer.instances.prefill = held
        return answer
    }

    /// The rate matcher's question for this tick, or nil while either role lacks a capacity
    /// estimate.
    private func rateMatcherInput(
        estimate: TrafficEstimate,
        bounds: (min: PerRole<Int>, max: PerRole<Int?>),
        gpuBudget: Int
    ) -> RateMatcher.Input? {
        guard let prefillCapacity = estimate.capacityPerInstance.prefill, let decodeCapacity = estimate.capacityPerInstance.decode else {
            return nil
        }
        return RateMatcher.Input(
            demand: estimate.demand,
            capacityPerInstance: PerRole(
                prefill: prefillCapacity * estimate.corrections.prefill,
                decode: decodeCapacity * estimate.corrections.decode
            ),
            utilisation: estimate.utilisationTarget,
            meanInputTokens: estimate.effectiveInputTokens ?? 1,
            meanOutputTokens: estimate.meanOutputTokens ?? 1,
            gpusPerInstance: configuration.placement.gpusPerInstance,
            minInstances: bounds.min,
            maxInstances: bounds.max,
            minTotalGPUs: configuration.minTotalGPUs,
            maxTotalGPUs: gpuBudget,
            floorInstances: floorInstances(estimate)
        )
    }

    /// The burst floor in instances: the estimate's demand floor served at full utilisation
    /// once TTFT is measured (`TrafficEstimate.prefillFloorUtilisation`). The floor is already
    /// a peak, so the queueing headroom for clumps within it is not planned again (that made a
    /// code assistant's floor 16 instances where 14 served).
    private func floorInstances(_ estimate: TrafficEstimate) -> PerRole<Double> {
        let utilisation = PerRole(prefill: estimate.prefillFloorUtilisation, decode: estimate.utilisationTarget.decode)
        return estimate.demandFloor.map { role, floor in
            guard floor > 0, let capacity = estimate.capacityPerInstance[role] else { return 0 }
            let served = capacity * estimate.corrections[role] * utilisation[role]
            return served > 0 ? floor / served : 0
        }
    }

    /// The recommendation damped by the stabiliser. No role shrinks while some of its workers
    /// have stale telemetry or the traffic is still being learned.
    private mutating func stabilise(
        _ recommendation: Recommendation,
        current: PerRole<Int>,
        snapshot: ClusterSnapshot,
        estimate: TrafficEstimate,
        gpuBudget: Int,
        reasons: inout [DecisionReason]
    ) -> PerRole<Int> {
        let stale = estimate.observation.staleWorkers
        let input = Stabiliser.Input(
            current: current,
            recommended: recommendation.instances,
            continuousNeed: recommendation.continuousNeed,
            scaleDownAllowed: PerRole(prefill: stale.prefill == 0, decode: stale.decode == 0),
            learningSecondsLeft: learningSecondsLeft(),
            burstyArrivals: configuration.stabilisation.holdWhileBursty && estimate.arrivalBurstiness > 1 ? estimate.arrivalBurstiness : nil,
            otherRoleWaitingForGPUs: otherRoleWaitingForGPUs(current: current, recommended: recommendation.instances,
                                                             snapshot: snapshot, gpuBudget: gpuBudget),
            demandRising: estimate.demandRising,
            scaleUpPaceSeconds: scaleUpPaceSeconds(estimate),
            now: snapshot.time
        )
        return Stabiliser.stabilise(input, state: &state.stabiliser, configuration: configuration.stabilisation, reasons: &reasons)
    }

    /// Seconds over which each role's need above the fleet is paced
    /// (`Stabilisation.scaleUpPaceStartups` start-up times). Prefill only: decode bound by KV
    /// space needs its growth at once (paced too, long-context hours lost up to 0.26 point of
    /// attainment). Not while the demand reads as a ramp, whose rise has shown it lasts.
    private func scaleUpPaceSeconds(_ estimate: TrafficEstimate) -> PerRole<Double> {
        let pace = configuration.stabilisation.scaleUpPaceStartups * estimate.forecastHorizonSeconds
        return PerRole(prefill: estimate.rampedRecently.prefill ? 0 : pace, decode: 0)
    }

    /// Per role, whether the other role's growth would take the GPUs already held past the
    /// budget: then it waits for this role to shrink.
    private func otherRoleWaitingForGPUs(
        current: PerRole<Int>,
        recommended: PerRole<Int>,
        snapshot: ClusterSnapshot,
        gpuBudget: Int
    ) -> PerRole<Bool> {
        let heldGPUs = snapshot.workers.filter(\.holdsGPUs).reduce(0) { $0 + $1.gpus.count }
        let g = configuration.placement.gpusPerInstance
        return PerRole(
            prefill: recommended.decode > current.decode
                && heldGPUs + (recommended.decode - current.decode) * g.decode > gpuBudget,
            decode: recommended.prefill > current.prefill
                && heldGPUs + (recommended.prefill - current.prefill) * g.prefill > gpuBudget
        )
    }

    /// Where to start, stop or reuse workers to reach `desired` within the GPU budget.
    private func plan(
        _ desired: PerRole<Int>,
        snapshot: ClusterSnapshot,
        handDrains: Overrides,
        gpuBudget: Int,
        reasons: inout [DecisionReason]
    ) -> PlacementPlan {
        var constraints = configuration.placement
        constraints.maxTotalGPUs = gpuBudget
        let plan = Planner.plan(desired: desired, snapshot: snapshot, constraints: constraints,
                                keepDraining: handDrains.manualDrains, setAside: handDrains.handDrainedGPUs)
        explainPlan(plan, snapshot: snapshot, reasons: &reasons)
        return plan
    }

    /// Seconds until the controller has watched the traffic long enough to shrink the fleet it
    /// took over, or nil once it has: until it has watched `learningStartups` start-up times
    /// it has not seen how far the traffic swings, and a fleet shrunk on a quiet first quarter
    /// of an hour cannot grow back within a start-up time when the first ramp comes (a 70B
    /// fleet lost a tenth of its hour that way). Growth is never held back.
    private func learningSecondsLeft() -> Double? {
        let needed = configuration.stabilisation.learningStartups * state.estimator.startupSeconds
        let left = needed - state.estimator.growth.watchedSeconds
        return left > 0 ? left : nil
    }

    /// Ready plus starting workers per role: what counts as capacity, present or coming.
    public static func capacityCounts(_ snapshot: ClusterSnapshot) -> PerRole<Int> {
        snapshot.workerCounts(in: [.ready, .starting])
    }

    private func effectiveBounds(_ overrides: Overrides, reasons: inout [DecisionReason]) -> (min: PerRole<Int>, max: PerRole<Int?>) {
        var minimum = configuration.minInstances
        var maximum = configuration.maxInstances
        if let bounds = overrides.bounds {
            // Bounds set by hand only tighten the configured ones (the configuration may have
            // changed since they were set); where they cross, the cap wins.
            for role in Role.allCases {
                if let value = bounds.value.min[role] { minimum[role] = max(minimum[role], value) }
                if let value = bounds.value.max[role] { maximum[role] = min(maximum[role] ?? value, value) }
                if let cap = maximum[role] { minimum[role] = min(minimum[role], cap) }
            }
            reasons.append(.init(.overrideBounds, "per-role bounds set by hand: min \(minimum), max \(maximum)"))
        }
        return (minimum, maximum)
    }

    /// Fixed counts beyond the budget are cut, the larger role first, so the budget holds.
    private func clampToBudget(_ counts: PerRole<Int>, gpuBudget: Int) -> PerRole<Int> {
        var result = counts.map { _, value in max(0, value) }
        let g = configuration.placement.gpusPerInstance
        while result.prefill * g.prefill + result.decode * g.decode > gpuBudget, result.prefill + result.decode > 0 {
            let role: Role = result.prefill * g.prefill >= result.decode * g.decode ? .prefill : .decode
            result[role] -= 1
        }
        return result
    }

    /// The smallest multiple of the ratio that covers both phases' continuous need, or the
    /// largest that fits the budget.
    static func solveWithRatio(_ input: RateMatcher.Input, ratio: InstanceRatio) -> RateMatcher.Result {
        var base = RateMatcher.solve(input)
        let p = Double(max(0, ratio.prefill))
        let d = Double(max(0, ratio.decode))
        guard p + d > 0 else { return base }
        let need = base.continuousNeed
        var scale = max(p > 0 ? need.prefill / p : 0, d > 0 ? need.decode / d : 0)
        if p > 0 { scale = max(scale, Double(input.minInstances.prefill) / p) }
        if d > 0 { scale = max(scale, Double(input.minInstances.decode) / d) }
        func counts(_ s: Double) -> PerRole<Int> {
            PerRole(prefill: Int((p * s - 1e-9).rounded(.up)), decode: Int((d * s - 1e-9).rounded(.up)))
        }
        let g = input.gpusPerInstance
        // Skip, in whole steps, to just above what the budget can hold: a need read from a
        // bogus metric must not walk down from a billion instances one ratio step at a time.
        let step = 1 / max(p, d)
        let gpusPerScale = p * Double(g.prefill) + d * Double(g.decode)
        let excess = scale - (Double(input.maxTotalGPUs) / max(gpusPerScale, 1e-9) + 1)
        if excess > 0 { scale -= (excess / step).rounded(.down) * step }
        var result = counts(scale)
        while result.prefill * g.prefill + result.decode * g.decode > input.maxTotalGPUs, scale > 0 {
            scale = max(0, scale - step)
            result = counts(scale)
            if !base.binding.contains(.budget) { base.binding.append(.budget) }
        }
        base.instances = result
        return base
    }

    /// Stabilisation damps each role on its own, which can bend a fixed ratio; the ratio
    /// wins, at the larger of the two stabilised scales, within the budget.
    static func reimpose(_ ratio: InstanceRatio, on counts: PerRole<Int>, maxTotalGPUs: Int, gpus g: PerRole<Int>) -> PerRole<Int> {
        let p = max(0, ratio.prefill)
        let d = max(0, ratio.decode)
        guard p + d > 0 else { return counts }
        var scale = max(p > 0 ? (counts.prefill + p - 1) / p : 0, d > 0 ? (counts.decode + d - 1) / d : 0)
        while scale > 0, scale * (p * g.prefill + d * g.decode) > maxTotalGPUs { scale -= 1 }
        return PerRole(prefill: scale * p, decode: scale * d)
    }

    /// Without a capacity estimate for a role (no prior and no saturated sample yet) the
    /// controller cannot size it, so it holds the role and adds one instance only while
    /// its latency target is missed or its queue grows, as a threshold autoscaler would.
    private func fallbackWithoutCapacity(
        estimate: TrafficEstimate,
        current: PerRole<Int>,
        bounds: (min: PerRole<Int>, max: PerRole<Int?>),
        reasons: inout [DecisionReason]
    ) -> PerRole<Int> {
        let observation = estimate.observation
        let slo = configuration.slo
        var result = current
        for role in Role.allCases {
            var count = max(current[role], bounds.min[role])
            if estimate.capacityPerInstance[role] == nil, estimate.demand[role] <= 0, observation.inFlightRequests[role] <= 0,
               observation.staleWorkers[role] == 0 {
                // Nothing to serve needs no capacity estimate: the floor is enough.
                count = bounds.min[role]
                reasons.append(.init(.noTraffic, role: role, "no \(role) traffic and no capacity estimate yet; moving toward the floor"))
            } else if estimate.capacityPerInstance[role] == nil {
                let latencyMissed = role == .prefill
                    ? (estimate.observedTTFT.map { $0 > slo.ttftSeconds } ?? false)
                    : (estimate.observedTPOT.map { $0 > slo.tpotSeconds } ?? false)
                let queueing = observation.queuedPerWorker(role) > 1
                if latencyMissed || queueing { count += 1 }
                reasons.append(.init(.capacityUnknown, role: role,
                    "no \(role) capacity prior or saturated sample yet; \(latencyMissed || queueing ? "adding one instance for missed latency or queueing" : "holding")"))
            }
            if let upper = bounds.max[role] { count = min(count, upper) }
            result[role] = count
        }
        return result
    }

    /// Why the counts are what they are, in reasons: the sizing, the demand signals behind
    /// it, and the latency evidence.
    private func explainEstimate(_ estimate: TrafficEstimate, result: RateMatcher.Result, floors: PerRole<Double>, gpuBudget: Int,
                                 reasons: inout [DecisionReason]) {
        explainSizing(estimate, result: result, floors: floors, gpuBudget: gpuBudget, reasons: &reasons)
        explainDemandSignals(estimate, reasons: &reasons)
        explainLatency(estimate, reasons: &reasons)
    }

    /// The regime the rate matcher found, the burst floors held, and the bounds that moved the counts.
    private func explainSizing(_ estimate: TrafficEstimate, result: RateMatcher.Result, floors: PerRole<Double>, gpuBudget: Int,
                               reasons: inout [DecisionReason]) {
        if estimate.arrivalRate <= 0, estimate.demand.prefill <= 0, estimate.demand.decode <= 0 {
            reasons.append(.init(.noTraffic, "no traffic measured; moving toward the configured floor"))
        }
        switch result.regime {
        case .fits:
            reasons.append(.init(.demandFits,
                "demand prefill \(format(estimate.demand.prefill)) tok/s, decode \(format(estimate.demand.decode)) tok/s needs \(format(result.continuousNeed.prefill)) + \(format(result.continuousNeed.decode)) instances"))
        case .overBudget:
            reasons.append(.init(.overBudget,
                "demand needs \(format(result.continuousNeed.prefill)) + \(format(result.continuousNeed.decode)) instances, more than the \(gpuBudget)-GPU budget holds; split for \(format(result.matchedRequestRate)) req/s matched"))
        }
        for role in Role.allCases where floors[role] > 0 && floors[role] >= result.continuousNeed[role] {
            let headroom = role == .prefill && !estimate.ttftMeasured
                ? " (with queueing headroom: no TTFT measured yet to correct a floor at full utilisation)" : ""
            reasons.append(.init(.burstFloor, role: role,
                "holding \(format(floors[role])) \(role) instances for bursts: within one start-up time of quieter moments the past traffic brought up to \(format(estimate.demandFloor[role])) tok/s\(headroom)"))
        }
        for binding in result.binding {
            switch binding {
            case .roleMinimum: reasons.append(.init(.roleMinimum, "a per-role minimum raised the count"))
            case .roleMaximum: reasons.append(.init(.roleMaximum, "a per-role maximum capped the count"))
            case .minimumTotalGPUs: reasons.append(.init(.minimumTotalGPUs, "padded to the \(configuration.minTotalGPUs)-GPU floor"))
            case .demand, .budget: break
            }
        }
    }

    /// What the planned demand carries beyond its level: a trend, a ramp outrunning the fleet,
    /// a backlog, a queue left out as routing imbalance, prefix-cache hits.
    private func explainDemandSignals(_ estimate: TrafficEstimate, reasons: inout [DecisionReason]) {
        // Only a real trend is "rising": the growth allowance alone lifts every forecast above
        // the level, and calling flat traffic rising would misreport it.
        let trendAhead = estimate.arrivalRate + estimate.arrivalTrend * estimate.forecastHorizonSeconds
        if estimate.arrivalTrend > 0, trendAhead > estimate.arrivalRate * 1.01 {
            let young = Role.allCases.filter { estimate.trendHorizon[$0] < estimate.forecastHorizonSeconds }
                .map { "\($0) demand's trend only \(format(estimate.trendHorizon[$0])) s ahead (a young rise)" }
            reasons.append(.init(.forecastRising,
                "arrivals \(format(estimate.arrivalRate)) req/s rising by \(format(estimate.arrivalTrend * 60)) req/s per minute; planning for \(format(estimate.forecastArrivalRate)) req/s in \(format(estimate.forecastHorizonSeconds)) s"
                    + young.map { "; \($0)" }.joined()))
        }
        for role in Role.allCases where estimate.rampOutrunsFleet[role] {
            reasons.append(.init(.rampOutrunsFleet, role: role,
                "\(role) demand has risen faster than forecast for a start-up time while \(format(estimate.observation.queuedRequests[role])) requests queue; planning the \(format(estimate.growthAllowance[role] * 100))% growth learned from the traffic past the remembered peak"))
        }
        for role in Role.allCases where estimate.backlog[role] > 0 {
            reasons.append(.init(.backlog, role: role,
                "queued \(role) work adds \(format(estimate.backlog[role])) tok/s to drain it within the start-up time plus \(format(configuration.estimation.backlogDrainSeconds)) s"))
        }
        for role in Role.allCases where estimate.routingImbalance[role] {
            let observation = estimate.observation
            reasons.append(.init(.routingImbalance, role: role,
                "\(format(observation.mostQueuedOnOneWorker[role])) of \(format(observation.queuedRequests[role])) queued \(role) requests wait on one worker while \(observation.idleWorkers[role]) sit idle; a routing problem, not counted as demand"))
        }
        if let hitRate = estimate.prefixHitRate, hitRate > 0, let isl = estimate.meanInputTokens, let effective = estimate.effectiveInputTokens {
            reasons.append(.init(.prefixCacheHits, role: .prefill,
                "prefix caches hold \(format(hitRate * 100)) % of prompt tokens; prefill is sized on \(format(effective)) computed of \(format(isl)) tokens per request"))
        }
    }

    /// Latency evidence: TTFT misses no capacity would fix, a hand-off-bound TTFT, and the
    /// corrections applied to capacity.
    private func explainLatency(_ estimate: TrafficEstimate, reasons: inout [DecisionReason]) {
        let slo = configuration.slo
        if estimate.ttftNotCapacity {
            reasons.append(.init(.ttftNotCapacity, role: .prefill,
                "TTFT p\(format(slo.percentile * 100)) \(estimate.observedTTFT.map(format) ?? "-") s misses \(format(slo.ttftSeconds)) s with no prefill queue: prompts too long for any instance to serve in time; not adding prefill for them"))
        }
        if estimate.ttftHandoffBound {
            reasons.append(.init(.kvTransferBound, role: .prefill,
                "TTFT p\(format(slo.percentile * 100)) \(estimate.observedTTFT.map(format) ?? "-") s misses \(format(slo.ttftSeconds)) s while the KV hand-off to decode alone takes \(estimate.kvTransferSeconds.map(format) ?? "-") s: the transfer link, not prefill, is short; not adding prefill for it"))
        }
        if estimate.corrections.prefill < 0.999 {
            reasons.append(.init(.ttftCorrection, role: .prefill,
                "TTFT p\(format(slo.percentile * 100)) \(estimate.observedTTFT.map(format) ?? "-") s vs target \(format(slo.ttftSeconds)) s; prefill capacity × \(format(estimate.corrections.prefill))"))
        }
        if estimate.corrections.decode < 0.999 {
            reasons.append(.init(.tpotCorrection, role: .decode,
                "TPOT p\(format(slo.percentile * 100)) \(estimate.observedTPOT.map(format) ?? "-") s vs target \(format(slo.tpotSeconds)) s or KV pressure; decode capacity × \(format(estimate.corrections.decode))"))
        }
    }

    private func explainPlan(_ plan: PlacementPlan, snapshot: ClusterSnapshot, reasons: inout [DecisionReason]) {
        for node in snapshot.nodes where !node.backingOff.isEmpty {
            reasons.append(.init(.gpusBackingOff,
                "GPUs \(node.backingOff.sorted().map(String.init).joined(separator: ",")) on \(node.name) are held back after failed starts; new instances go to other GPUs until the backoff ends"))
        }
        for role in Role.allCases where plan.unplaced[role] > 0 {
            reasons.append(.init(.waitingForGPUs, role: role,
                "\(plan.unplaced[role]) \(role) instance(s) wait for GPUs to free within the budget"))
        }
        for action in plan.actions {
            if case let .cancelDrain(worker) = action {
                reasons.append(.init(.reuseDrainingWorker, "reusing draining worker \(worker) instead of starting a new one"))
            }
        }
    }
}

/// Everything the controller carries between ticks.
public struct ControllerState: Sendable, Hashable, Codable {
    public var estimator: EstimatorState
    public var stabiliser: StabiliserState

    public init(configuration: ControllerConfiguration) {
        estimator = EstimatorState(configuration: configuration)
        stabiliser = StabiliserState()
    }
}
