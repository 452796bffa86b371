import FulcrumCore

/// What one adjustment of `dynamo-sla` saw and decided, for the timeline and for tests.
public struct DynamoSLADecision: Sendable, Hashable {
    public var time: Timestamp
    /// Observed requests in the interval, normalised to one adjustment interval.
    public var observedRequests: Double
    public var observedISL: Double?
    public var observedOSL: Double?
    public var observedTTFT: Double?
    public var observedITL: Double?
    /// `false` when the interval's metrics were incomplete (no traffic) and Dynamo skips.
    public var metricsValid: Bool
    public var prefillCorrection: Double
    public var decodeCorrection: Double
    public var predictedRequests: Double?
    public var predictedISL: Double?
    public var predictedOSL: Double?
    /// Replicas from the throughput rules, before the GPU budget.
    public var computed: PerRole<Int>?
    /// After the GPU budget.
    public var budgeted: PerRole<Int>?
    /// Whether the new counts were applied (Dynamo ignores a scaling while the deployment is
    /// not ready, i.e. while a previous change is still coming up).
    public var applied: Bool
}

/// NVIDIA Dynamo's SLA planner (throughput-based scaling), disaggregated mode.
///
/// Every adjustment interval it measures the interval's requests, ISL, OSL, TTFT and ITL from
/// cumulative counters, updates the correction factors against the profile, predicts the next
/// interval's load, sizes prefill from token throughput and decode from the best throughput per
/// GPU that meets the corrected ITL target, applies the global GPU budget and asks for those
/// replica counts. Sources and simplifications: docs/baselines.md.
public struct DynamoSLAPolicy: ScalingPolicy {
    public struct Configuration: Sendable, Hashable {
        /// `adjustment_interval`, seconds (Dynamo default 180).
        public var adjustmentInterval: Double
        /// `min_endpoint` for both roles (default 1).
        public var minEndpoint: Int
        /// `max_gpu_budget`; `nil` uses the placement's `maxTotalGPUs`.
        public var maxGPUBudget: Int?
        /// `load_predictor`. Dynamo's default is `arima`, which is not reproduced; `constant`
        /// (last value) is what this baseline uses unless told otherwise.
        public var predictor: DynamoLoadPredictorKind
        /// `!no_correction` (default: corrections on).
        public var correctionEnabled: Bool
        /// TTFT / ITL targets, seconds; `nil` uses the environment's SLO.
        public var ttftTarget: Double?
        public var itlTarget: Double?
        /// Replica counts of the initial deployment; `nil` takes what is running at the first
        /// tick (at least `minEndpoint` each).
        public var initial: PerRole<Int>?

        public init(
            adjustmentInterval: Double = 180,
            minEndpoint: Int = 1,
            maxGPUBudget: Int? = nil,
            predictor: DynamoLoadPredictorKind = .constant,
            correctionEnabled: Bool = true,
            ttftTarget: Double? = nil,
            itlTarget: Double? = nil,
            initial: PerRole<Int>? = nil
        ) {
            self.adjustmentInterval = adjustmentInterval
            self.minEndpoint = minEndpoint
            self.maxGPUBudget = maxGPUBudget
            self.predictor = predictor
            self.correctionEnabled = correctionEnabled
            self.ttftTarget = ttftTarget
            self.itlTarget = itlTarget
            self.initial = initial
        }
    }

    public let name = "dynamo-sla"
    public let configuration: Configuration
    public var tickInterval: Double { configuration.adjustmentInterval }

    /// The replica counts currently asked for (the deployment spec).
    public private(set) var target: PerRole<Int>?
    public private(set) var prefillCorrection = 1.0
    public private(set) var decodeCorrection = 1.0
    public private(set) var lastDecision: DynamoSLADecision?

    private var previous: ClusterSnapshot?
    private var requestPredictor: DynamoLoadPredictor
    private var islPredictor: DynamoLoadPredictor
    private var oslPredictor: DynamoLoadPredictor

    public init(configuration: Configuration = Configuration()) {
        precondition(configuration.adjustmentInterval > 0, "adjustment interval must be positive")
        self.configuration = configuration
        requestPredictor = DynamoLoadPredictor(kind: configuration.predictor)
        islPredictor = DynamoLoadPredictor(kind: configuration.predictor)
        oslPredictor = DynamoLoadPredictor(kind: configuration.predictor)
    }

    public mutating func tick(snapshot: ClusterSnapshot, environment: PolicyEnvironment) -> PolicyOutput {
        let minimum = configuration.minEndpoint
        if target == nil {
            target = configuration.initial ?? PerRole(
                prefill: max(minimum, snapshot.baselineActiveCount(.prefill)),
                decode: max(minimum, snapshot.baselineActiveCount(.decode))
            )
        }
        if let previous,
           let profile = DynamoProfile(priors: environment.priors, gpusPerInstance: environment.placement.gpusPerInstance) {
            adjust(previous: previous, snapshot: snapshot, profile: profile, environment: environment)
        }
        previous = snapshot

        let desired = target ?? PerRole(repeating: minimum)
        let plan = Planner.plan(desired: desired, snapshot: snapshot, constraints: environment.placement)
        return PolicyOutput(actions: plan.actions, desired: desired)
    }

    private mutating func adjust(
        previous: ClusterSnapshot,
        snapshot: ClusterSnapshot,
        profile: DynamoProfile,
        environment: PolicyEnvironment
    ) {
        let sample = DynamoTraffic.sample(previous: previous, current: snapshot)
        guard sample.elapsed > 0 else { return }
        let interval = configuration.adjustmentInterval
        // Prometheus' increase() over exactly one interval; normalise if ticks drifted.
        let requests = sample.requests * interval / sample.elapsed

        // observe_traffic_stats: every interval feeds the predictors (NaN becomes 0).
        requestPredictor.add(requests)
        islPredictor.add(sample.isl ?? .nan)
        oslPredictor.add(sample.osl ?? .nan)

        var decision = DynamoSLADecision(
            time: snapshot.time,
            observedRequests: requests,
            observedISL: sample.isl,
            observedOSL: sample.osl,
            observedTTFT: sample.ttft,
            observedITL: sample.itl,
            metricsValid: sample.isValid,
            prefillCorrection: prefillCorrection,
            decodeCorrection: decodeCorrection,
            applied: false
        )
        defer { lastDecision = decision }

        // plan_adjustment: skip when there was no traffic.
        guard let isl = sample.isl, let osl = sample.osl, let ttft = sample.ttft, let itl = sample.itl else { return }

        if configuration.correctionEnabled {
            updateCorrections(isl: isl, osl: osl, ttft: ttft, itl: itl, requests: requests, interval: interval,
                              readyDecode: snapshot.baselineCount(.decode, .ready), profile: profile)
            decision.prefillCorrection = prefillCorrection
            decision.decodeCorrection = decodeCorrection
        }

        let nextRequests = requestPredictor.predictNext()
        let nextISL = islPredictor.predictNext()
        let nextOSL = oslPredictor.predictNext()
        decision.predictedRequests = nextRequests
        decision.predictedISL = nextISL
        decision.predictedOSL = nextOSL

        let computed = Self.requiredReplicas(
            predictedRequests: nextRequests,
            isl: nextISL,
            osl: nextOSL,
            interval: interval,
            prefillCorrection: prefillCorrection,
            decodeCorrection: decodeCorrection,
            itlTarget: configuration.itlTarget ?? environment.slo.tpotSeconds,
            minEndpoint: configuration.minEndpoint,
            priors: environment.priors,
            gpusPerInstance: environment.placement.gpusPerInstance
        )
        guard let computed else { return }
        let budgeted = Self.applyBudget(
            computed,
            gpusPerInstance: environment.placement.gpusPerInstance,
            budget: configuration.maxGPUBudget ?? environment.placement.maxTotalGPUs,
            minEndpoint: configuration.minEndpoint
        )
        decision.computed = computed
        decision.budgeted = budgeted

        // The connector ignores a new replica count while the deployment is not ready.
        if snapshot.baselineDeploymentReady {
            target = budgeted
            decision.applied = true
        }
    }

    /// Dynamo's correction factors: observed TTFT ÷ the profile's at this ISL, observed ITL ÷
    /// the profile's at the decode workers' concurrency.
    private mutating func updateCorrections(isl: Double, osl: Double, ttft: Double, itl: Double, requests: Double, interval: Double,
                                            readyDecode: Int, profile: DynamoProfile) {
        let expectedTTFT = profile.expectedTTFT(isl: isl)
        if expectedTTFT > 0 { prefillCorrection = ttft / expectedTTFT }
        guard readyDecode > 0 else { return }
        // Dynamo estimates the per-worker concurrency by Little's law from the request count
        // and the mean request duration (TTFT + ITL·(OSL − 1) here).
        let duration = ttft + itl * max(osl - 1, 0)
        let concurrency = requests / Double(readyDecode) * duration / interval
        let expectedITL = profile.expectedITL(concurrency: concurrency, context: isl + osl / 2)
        if expectedITL > 0 { decodeCorrection = itl / expectedITL }
    }

    /// Dynamo's `_compute_replica_requirements` (prefill and decode planners):
    ///
    /// - prefill = ⌈requests·ISL/interval·min(1, p_correction) / (tokens/s/GPU at ISL) / GPUs per engine⌉
    /// - decode  = ⌈requests·OSL/interval / (best tokens/s/GPU with ITL ≤ target/d_correction at
    ///   context ISL + OSL/2) / GPUs per engine⌉
    ///
    /// each at least `minEndpoint`. `nil` without prefill and decode priors.
    public static func requiredReplicas(
        predictedRequests: Double,
        isl: Double,
        osl: Double,
        interval: Double,
        prefillCorrection: Double,
        decodeCorrection: Double,
        itlTarget: Double,
        minEndpoint: Int,
        priors: PerformancePriors,
        gpusPerInstance: PerRole<Int>
    ) -> PerRole<Int>? {
        guard let profile = DynamoProfile(priors: priors, gpusPerInstance: gpusPerInstance), interval > 0 else { return nil }

        let prefillTokensPerSecond = predictedRequests * isl / interval * min(1, prefillCorrection)
        let prefillPerGPU = profile.prefillThroughputPerGPU(isl: isl)
        var prefill = minEndpoint
        if prefillPerGPU > 0 {
            prefill = max(minEndpoint, baselineCeil(prefillTokensPerSecond / prefillPerGPU / Double(gpusPerInstance.prefill)))
        }

        let correctedITL = decodeCorrection > 0 ? itlTarget / decodeCorrection : itlTarget
        let decodePerGPU = profile.bestDecodeThroughputPerGPU(itl: correctedITL, context: isl + osl / 2)
        let decodeTokensPerSecond = predictedRequests * osl / interval
        var decode = minEndpoint
        if decodePerGPU > 0 {
            decode = max(minEndpoint, baselineCeil(decodeTokensPerSecond / decodePerGPU / Double(gpusPerInstance.decode)))
        }
        return PerRole(prefill: prefill, decode: decode)
    }

    /// Dynamo's `_apply_global_gpu_budget`: over budget, prefill is scaled by budget/required
    /// (floored, kept between `minEndpoint` and what leaves room for `minEndpoint` decode
    /// engines) and decode takes the GPUs that remain; a budget below the minimum of both
    /// yields zero replicas.
    public static func applyBudget(
        _ replicas: PerRole<Int>,
        gpusPerInstance: PerRole<Int>,
        budget: Int,
        minEndpoint: Int
    ) -> PerRole<Int> {
        let gp = gpusPerInstance.prefill
        let gd = gpusPerInstance.decode
        guard budget >= 0, gp > 0, gd > 0 else { return replicas }
        let required = replicas.prefill * gp + replicas.decode * gd
        guard required > budget else { return replicas }
        let minimumRequired = minEndpoint * gp + minEndpoint * gd
        guard budget >= minimumRequired else { return PerRole(repeating: 0) }
        let scale = Double(budget) / Double(required)
        let maxPrefill = (budget - minEndpoint * gd) / gp
        let prefill = max(minEndpoint, min(maxPrefill, Int((Double(replicas.prefill) * scale).rounded(.down))))
        let decode = max(minEndpoint, (budget - prefill * gp) / gd)
        return PerRole(prefill: prefill, decode: decode)
    }
}
