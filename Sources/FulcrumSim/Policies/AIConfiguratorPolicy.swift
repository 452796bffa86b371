import FulcrumCore
import FulcrumTraces

/// A static disaggregated deployment sized offline the way NVIDIA AIConfigurator rate-matches
/// prefill and decode workers, then held for the whole run.
///
/// AIConfigurator combines `Np` prefill and `Nd` decode workers into
/// `seq/s = min(P·Np·0.9, D·Nd·0.92)` (the degradation factors model prefill pipeline bubbles and
/// unsaturated decode batch slots) and ranks combinations by throughput per GPU,
/// `seq/s / (Np·Gp + Nd·Gd)`. Here `P` and `D` are per-instance requests/s from the profile
/// priors at the trace's mean ISL/OSL and the SLO's TPOT. Among combinations within the GPU
/// budget whose `seq/s` covers the trace's mean arrival rate, the most efficient one is chosen;
/// when the budget cannot cover the mean rate, the one with the most `seq/s`. Sources and
/// simplifications: docs/baselines.md.
public struct AIConfiguratorPolicy: ScalingPolicy {
    /// One combination that was considered.
    public struct Candidate: Sendable, Hashable {
        public var counts: PerRole<Int>
        /// `min(P·Np·0.9, D·Nd·0.92)`, requests/s.
        public var requestsPerSecond: Double
        public var gpus: Int
        /// `requestsPerSecond / gpus`.
        public var requestsPerSecondPerGPU: Double
    }

    public let name = "aiconfigurator"
    public let tickInterval: Double
    public let prefillDegradation: Double
    public let decodeDegradation: Double
    /// `nil` uses the placement's `maxTotalGPUs`.
    public let maxGPUBudget: Int?

    /// The counts chosen at the first tick, then held.
    public private(set) var chosen: PerRole<Int>?

    public init(tickInterval: Double = 30, prefillDegradation: Double = 0.9, decodeDegradation: Double = 0.92, maxGPUBudget: Int? = nil) {
        precondition(tickInterval > 0, "tick interval must be positive")
        self.tickInterval = tickInterval
        self.prefillDegradation = prefillDegradation
        self.decodeDegradation = decodeDegradation
        self.maxGPUBudget = maxGPUBudget
    }

    public mutating func tick(snapshot: ClusterSnapshot, environment: PolicyEnvironment) -> PolicyOutput {
        if chosen == nil {
            chosen = Self.configure(
                trace: environment.hindsight,
                priors: environment.priors,
                slo: environment.slo,
                gpusPerInstance: environment.placement.gpusPerInstance,
                budget: maxGPUBudget ?? environment.placement.maxTotalGPUs,
                prefillDegradation: prefillDegradation,
                decodeDegradation: decodeDegradation
            )?.counts
                ?? PerRole(prefill: snapshot.baselineActiveCount(.prefill), decode: snapshot.baselineActiveCount(.decode))
        }
        let desired = chosen ?? PerRole(repeating: 0)
        let plan = Planner.plan(desired: desired, snapshot: snapshot, constraints: environment.placement)
        return PolicyOutput(actions: plan.actions, desired: desired)
    }

    /// The offline choice for a trace: per-instance rates at the trace's mean lengths, then
    /// `choose`. `nil` without priors, with an empty trace, or when not even one instance of
    /// each role fits the budget.
    public static func configure(
        trace: [TraceRequest],
        priors: PerformancePriors,
        slo: ServiceLevelObjective,
        gpusPerInstance: PerRole<Int>,
        budget: Int,
        prefillDegradation: Double = 0.9,
        decodeDegradation: Double = 0.92
    ) -> Candidate? {
        guard !trace.isEmpty,
              let rates = perInstanceRequestsPerSecond(
                  meanISL: Self.mean(trace.map { Double($0.inputTokens) }),
                  meanOSL: Self.mean(trace.map { Double($0.outputTokens) }),
                  priors: priors, slo: slo, gpusPerInstance: gpusPerInstance)
        else { return nil }
        return choose(
            perInstance: rates,
            gpusPerInstance: gpusPerInstance,
            budget: budget,
            requiredRequestsPerSecond: meanArrivalRate(trace),
            prefillDegradation: prefillDegradation,
            decodeDegradation: decodeDegradation
        )
    }

    /// `P` and `D`: requests/s of one prefill instance (one prompt of `meanISL` per profiled
    /// TTFT) and of one decode instance (its token throughput at the TPOT target and context
    /// ISL + OSL/2, divided by OSL).
    public static func perInstanceRequestsPerSecond(
        meanISL: Double,
        meanOSL: Double,
        priors: PerformancePriors,
        slo: ServiceLevelObjective,
        gpusPerInstance: PerRole<Int>
    ) -> PerRole<Double>? {
        guard let profile = DynamoProfile(priors: priors, gpusPerInstance: gpusPerInstance) else { return nil }
        let prefill = profile.prefillRequestsPerSecond(isl: meanISL)
        let decode = profile.decodeTokensPerSecond(tpot: slo.tpotSeconds, context: meanISL + meanOSL / 2) / max(1, meanOSL)
        return PerRole(prefill: prefill, decode: decode)
    }

    /// Brute force over every `Np, Nd ≥ 1` within `budget` GPUs.
    public static func choose(
        perInstance: PerRole<Double>,
        gpusPerInstance: PerRole<Int>,
        budget: Int,
        requiredRequestsPerSecond: Double,
        prefillDegradation: Double = 0.9,
        decodeDegradation: Double = 0.92
    ) -> Candidate? {
        let gp = gpusPerInstance.prefill
        let gd = gpusPerInstance.decode
        guard gp > 0, gd > 0, budget >= gp + gd else { return nil }
        var candidates: [Candidate] = []
        for np in 1...((budget - gd) / gp) {
            for nd in 1...((budget - np * gp) / gd) {
                let rate = min(perInstance.prefill * Double(np) * prefillDegradation,
                               perInstance.decode * Double(nd) * decodeDegradation)
                let gpus = np * gp + nd * gd
                candidates.append(Candidate(
                    counts: PerRole(prefill: np, decode: nd),
                    requestsPerSecond: rate,
                    gpus: gpus,
                    requestsPerSecondPerGPU: rate / Double(gpus)
                ))
            }
        }
        let tolerance = 1e-12
        let sufficient = candidates.filter { $0.requestsPerSecond >= requiredRequestsPerSecond * (1 - 1e-12) }
        if !sufficient.isEmpty {
            // Most efficient; ties to fewer GPUs, then more headroom, then fewer prefill workers.
            return sufficient.min { lhs, rhs in
                let scale = max(lhs.requestsPerSecondPerGPU, rhs.requestsPerSecondPerGPU, tolerance)
                if abs(lhs.requestsPerSecondPerGPU - rhs.requestsPerSecondPerGPU) > tolerance * scale {
                    return lhs.requestsPerSecondPerGPU > rhs.requestsPerSecondPerGPU
                }
                if lhs.gpus != rhs.gpus { return lhs.gpus < rhs.gpus }
                if lhs.requestsPerSecond != rhs.requestsPerSecond { return lhs.requestsPerSecond > rhs.requestsPerSecond }
                return lhs.counts.prefill < rhs.counts.prefill
            }
        }
        // The budget cannot carry the mean rate: the most throughput; ties to efficiency.
        return candidates.min { lhs, rhs in
            let scale = max(lhs.requestsPerSecond, rhs.requestsPerSecond, tolerance)
            if abs(lhs.requestsPerSecond - rhs.requestsPerSecond) > tolerance * scale {
                return lhs.requestsPerSecond > rhs.requestsPerSecond
            }
            if lhs.gpus != rhs.gpus { return lhs.gpus < rhs.gpus }
            return lhs.counts.prefill < rhs.counts.prefill
        }
    }

    /// Requests over the span from the first to the last arrival (at least one second).
    public static func meanArrivalRate(_ trace: [TraceRequest]) -> Double {
        guard let first = trace.map(\.arrival).min(), let last = trace.map(\.arrival).max() else { return 0 }
        return Double(trace.count) / max(1, last - first)
    }

    private static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }
}
