import FulcrumCore
import FulcrumTraces

/// A hindsight reference, not a real policy and not a bound: for every window of the trace it
/// asks for the smallest allocation whose *mean* capacity at the SLO covers that window's mean
/// demand (and the next window's, so capacity is in place when a surge begins), planned at the
/// same queueing headroom Fulcrum uses, and its workers start instantly. Named `hindsight-mean`
/// (formerly `oracle`, still accepted). It reads the trace, so no online policy can copy it, yet
/// it sizes from means and ignores bursts within a window, so a policy can beat it on either
/// axis; `GPUHourLowerBound` is the bound (see docs/baselines.md).
///
/// With `paysStartups` it is `hindsight-lead`: the same sizing, but its workers take the
/// profile's start-up time like everyone else's, and it covers every window up to a start-up
/// time ahead so they are ready when the demand they are for arrives. It is what knowing the
/// future is worth to a fleet whose workers take minutes to start: the gap between it and an
/// online policy is the price of not knowing the future, the gap between it and
/// `hindsight-mean` the price of start-ups (docs/evaluation.md).
///
/// The engine must honour `startsInstantly` (make started workers ready at once) and must run
/// the policy on the trace's timeline (`snapshot.time` in seconds since the trace's first
/// arrival, as `TraceRequest.arrival`), ticking at window boundaries. See docs/baselines.md.
public struct HindsightMeanPolicy: ScalingPolicy {
    /// The demand of one window, from the requests arriving in it.
    public struct WindowDemand: Sendable, Hashable {
        public var start: Double
        public var requests: Int
        /// Arrivals per second.
        public var rate: Double
        public var meanISL: Double
        public var meanOSL: Double
    }

    public var name: String {
        guard paysStartups else { return "hindsight-mean" }
        return utilisation.map { "hindsight-lead:\(ShortestDecimal.text($0.prefill))" } ?? "hindsight-lead"
    }
    /// Window length, seconds (default 60); also the tick interval.
    public let window: Double
    /// Instances of each role kept even in an empty window.
    public let minimumPerRole: Int
    /// `nil` uses the placement's `maxTotalGPUs`.
    public let maxGPUBudget: Int?
    public var tickInterval: Double { window }

    /// Whether workers pay the start-up time (`hindsight-lead`) or are ready at once (`hindsight-mean`).
    public let paysStartups: Bool
    public var startsInstantly: Bool { !paysStartups }

    private var demands: [WindowDemand]?

    /// Windows ahead whose demand is also covered (0: only the current one).
    public let lookAheadWindows: Int
    /// Share of capacity planned per role; `nil` derives it as Fulcrum does (prefill from the
    /// TTFT target, decode 0.85), so the bound plans with the same headroom.
    public let utilisation: PerRole<Double>?

    public init(window: Double = 60, minimumPerRole: Int = 1, maxGPUBudget: Int? = nil,
                lookAheadWindows: Int = 1, utilisation: PerRole<Double>? = nil, paysStartups: Bool = false) {
        precondition(window > 0, "window must be positive")
        self.paysStartups = paysStartups
        self.lookAheadWindows = max(0, lookAheadWindows)
        self.utilisation = utilisation
        self.window = window
        self.minimumPerRole = minimumPerRole
        self.maxGPUBudget = maxGPUBudget
    }

    public mutating func tick(snapshot: ClusterSnapshot, environment: PolicyEnvironment) -> PolicyOutput {
        if demands == nil { demands = Self.windowDemands(trace: environment.hindsight, window: window) }
        let all = demands ?? []
        // Tolerate ticks a hair before the boundary.
        let index = Int(((snapshot.time.seconds / window) + 1e-6).rounded(.down))
        func demand(at index: Int) -> WindowDemand {
            all.indices.contains(index)
                ? all[index]
                : WindowDemand(start: Double(index) * window, requests: 0, rate: 0, meanISL: 0, meanOSL: 0)
        }
        let budget = maxGPUBudget ?? environment.placement.maxTotalGPUs
        var desired = PerRole(repeating: minimumPerRole)
        // Paying start-ups, a worker started now serves from a start-up time on.
        let leadWindows = paysStartups ? Int((environment.expectedStartupSeconds / window).rounded(.up)) : 0
        for ahead in 0...(lookAheadWindows + leadWindows) {
            let windowDemand = demand(at: index + ahead)
            let sized = Self.size(
                demand: windowDemand,
                priors: environment.priors,
                slo: environment.slo,
                gpusPerInstance: environment.placement.gpusPerInstance,
                budget: budget,
                minimumPerRole: minimumPerRole,
                utilisation: utilisation ?? Self.fulcrumUtilisation(demand: windowDemand, environment: environment)
            ) ?? PerRole(repeating: minimumPerRole)
            desired = PerRole(prefill: max(desired.prefill, sized.prefill), decode: max(desired.decode, sized.decode))
        }
        // Covering two windows can ask for more than the budget: keep the current window's
        // split and trim the role with more spare coverage.
        let g = environment.placement.gpusPerInstance
        while desired.prefill * g.prefill + desired.decode * g.decode > budget, desired.prefill + desired.decode > 2 {
            let role: Role = desired.prefill * g.prefill >= desired.decode * g.decode ? .prefill : .decode
            desired[role] -= 1
        }
        let plan = Planner.plan(desired: desired, snapshot: snapshot, constraints: environment.placement)
        return PolicyOutput(actions: plan.actions, desired: desired)
    }

    /// Splits the trace into windows `[k·window, (k+1)·window)` by arrival time.
    public static func windowDemands(trace: [TraceRequest], window: Double) -> [WindowDemand] {
        guard window > 0, let last = trace.map(\.arrival).max() else { return [] }
        let count = Int((max(0, last) / window).rounded(.down)) + 1
        var requests = [Int](repeating: 0, count: count)
        var input = [Double](repeating: 0, count: count)
        var output = [Double](repeating: 0, count: count)
        for request in trace {
            let index = min(count - 1, max(0, Int((request.arrival / window).rounded(.down))))
            requests[index] += 1
            input[index] += Double(request.inputTokens)
            output[index] += Double(request.outputTokens)
        }
        return (0..<count).map { index in
            let n = requests[index]
            return WindowDemand(
                start: Double(index) * window,
                requests: n,
                rate: Double(n) / window,
                meanISL: n > 0 ? input[index] / Double(n) : 0,
                meanOSL: n > 0 ? output[index] / Double(n) : 0
            )
        }
    }

    /// The smallest counts whose capacity covers the window: prefill `⌈λ·ISL / (ISL/TTFT₀(ISL))⌉`
    /// (one prompt per profiled TTFT), decode `⌈λ·OSL / (tokens/s at the TPOT target, context
    /// ISL + OSL/2)⌉`, each at least `minimumPerRole`. Over budget, the counts within it that
    /// maximise the worse of the two coverage ratios (ties to fewer GPUs). `nil` without priors.
    public static func size(
        demand: WindowDemand,
        priors: PerformancePriors,
        slo: ServiceLevelObjective,
        gpusPerInstance: PerRole<Int>,
        budget: Int,
        minimumPerRole: Int,
        utilisation: PerRole<Double> = PerRole(repeating: 1)
    ) -> PerRole<Int>? {
        guard let profile = DynamoProfile(priors: priors, gpusPerInstance: gpusPerInstance) else { return nil }
        let prefillDemand = demand.rate * demand.meanISL
        let decodeDemand = demand.rate * demand.meanOSL
        let prefillCapacity = (demand.meanISL > 0
            ? demand.meanISL / profile.expectedTTFT(isl: demand.meanISL)
            : profile.prefill.tokensPerSecond) * utilisation.prefill
        let decodeCapacity = profile.decodeTokensPerSecond(tpot: slo.tpotSeconds, context: demand.meanISL + demand.meanOSL / 2)
            * utilisation.decode

        func needed(_ load: Double, _ capacity: Double) -> Int {
            guard load > 0 else { return 0 }
            guard capacity > 0 else { return Int.max / 4 }
            // Tolerate rounding noise so an exact fit does not cost an extra instance.
            return baselineCeil(load / capacity - 1e-9)
        }
        let ideal = PerRole(
            prefill: max(minimumPerRole, needed(prefillDemand, prefillCapacity)),
            decode: max(minimumPerRole, needed(decodeDemand, decodeCapacity))
        )
        let gp = gpusPerInstance.prefill
        let gd = gpusPerInstance.decode
        if ideal.prefill * gp + ideal.decode * gd <= budget { return ideal }

        // Over budget: the best coverage the budget allows.
        let low = max(1, minimumPerRole)
        guard budget >= low * gp + low * gd else { return PerRole(repeating: 0) }
        func coverage(_ count: Int, _ load: Double, _ capacity: Double) -> Double {
            load > 0 ? Double(count) * capacity / load : .infinity
        }
        var best = PerRole(prefill: low, decode: low)
        var bestCoverage = -1.0
        var bestGPUs = Int.max
        for np in low...((budget - low * gd) / gp) {
            for nd in low...((budget - np * gp) / gd) {
                let worse = min(coverage(np, prefillDemand, prefillCapacity), coverage(nd, decodeDemand, decodeCapacity))
                let gpus = np * gp + nd * gd
                if worse > bestCoverage + 1e-12 || (abs(worse - bestCoverage) <= 1e-12 && gpus < bestGPUs) {
                    best = PerRole(prefill: np, decode: nd)
                    bestCoverage = worse
                    bestGPUs = gpus
                }
            }
        }
        return best
    }

    /// The utilisation targets Fulcrum's controller would plan this window with.
    static func fulcrumUtilisation(demand: WindowDemand, environment: PolicyEnvironment) -> PerRole<Double> {
        let defaults = ControllerConfiguration.Estimation()
        let configuration = ControllerConfiguration(slo: environment.slo, placement: environment.placement, priors: environment.priors)
        return PerRole(
            prefill: Estimator.prefillUtilisation(
                demand: demand.rate * demand.meanISL,
                capacity: environment.priors.prefill?.tokensPerSecond,
                isl: demand.meanISL > 0 ? demand.meanISL : nil,
                burstiness: 1,
                configuration: configuration
            ),
            decode: defaults.decodeUtilisation
        )
    }
}

/// The former name of `HindsightMeanPolicy`, which was never a bound.
@available(*, deprecated, renamed: "HindsightMeanPolicy")
public typealias OraclePolicy = HindsightMeanPolicy
