import FulcrumCore

/// One reply line of the decision interface: the core's `Decision` in the wire schema.
///
/// Numbers that are unknown (no length measured yet, no capacity learned) are left out rather
/// than written as 0, so a caller can tell "none" from "zero". JSON has no infinity, so a
/// non-finite number is also left out.
public struct DecisionMessage: Sendable, Hashable, Codable {
    public var schema: Int
    public var time: Double
    /// Instances counted as capacity before this decision: ready plus starting.
    public var current: PerRole<Int>
    /// What the rate matcher (or an override) asked for, before stabilisation.
    public var recommended: PerRole<Int>
    /// What to run: the targets a caller should steer to.
    public var desired: PerRole<Int>
    /// Instances desired but not placeable on the snapshot's free GPUs.
    public var unplaced: PerRole<Int>
    /// `desired − unplaced`: what can run now on the GPUs the snapshot has. A caller that only
    /// sets instance counts (no GPU placement of its own) steers to this, so it never runs more
    /// GPUs than the budget while a draining worker still holds one.
    public var target: PerRole<Int>
    /// When to ask again, seconds: the configured tick (`intervals.tick`).
    public var nextDecisionS: Double
    public var actions: [Action]
    public var reasons: [Reason]
    public var estimate: Estimate
    public var rateMatching: RateMatching?

    enum CodingKeys: String, CodingKey {
        case schema, time, current, recommended, desired, unplaced, target, actions, reasons, estimate
        case nextDecisionS = "next_decision_s"
        case rateMatching = "rate_matching"
    }

    public init(_ decision: Decision, nextDecisionSeconds: Double) {
        schema = DecisionSchema.version
        time = decision.time.seconds
        current = decision.current
        recommended = decision.recommended
        desired = decision.desired
        unplaced = decision.unplaced
        target = decision.desired.map { role, count in max(0, count - decision.unplaced[role]) }
        nextDecisionS = nextDecisionSeconds
        actions = decision.actions.map(Action.init)
        reasons = decision.reasons.map { Reason(code: $0.code.rawValue, role: $0.role?.rawValue, message: $0.message) }
        estimate = Estimate(decision.estimate)
        rateMatching = decision.rateMatching.map(RateMatching.init)
    }

    /// One thing to do; `kind` says which fields are present.
    public struct Action: Sendable, Hashable, Codable {
        /// `start` (role, node, gpus), `drain` (worker) or `cancel_drain` (worker).
        public var kind: String
        public var role: String?
        public var node: String?
        public var gpus: [Int]?
        public var worker: String?

        public init(_ action: ScalingAction) {
            switch action {
            case let .start(role, node, gpus):
                kind = "start"; self.role = role.rawValue; self.node = node; self.gpus = gpus; worker = nil
            case let .drain(worker):
                kind = "drain"; role = nil; node = nil; gpus = nil; self.worker = worker.rawValue
            case let .cancelDrain(worker):
                kind = "cancel_drain"; role = nil; node = nil; gpus = nil; self.worker = worker.rawValue
            }
        }
    }

    /// A machine-readable code (docs/controller.md lists them), the role it concerns, and the
    /// sentence with the numbers behind it.
    public struct Reason: Sendable, Hashable, Codable {
        public var code: String
        public var role: String?
        public var message: String
    }

    /// Every number the decision used.
    public struct Estimate: Sendable, Hashable, Codable {
        public var arrivalRate: Double?
        public var arrivalTrend: Double?
        /// ca² of arrivals: 1 for Poisson-like traffic, more for bursts (prefill keeps headroom).
        public var arrivalBurstiness: Double?
        public var forecastArrivalRate: Double?
        public var forecastHorizonS: Double?
        public var meanInputTokens: Double?
        public var meanOutputTokens: Double?
        /// Share of prompt tokens found in prefix caches (absent while no engine reports it).
        public var prefixHitRate: Double?
        /// Prompt tokens prefill computes per request: the mean input less the cached share.
        public var effectiveIsl: Double?
        /// KV hand-off time from prefill to decode, seconds, when engines report it.
        public var kvTransferS: Double?
        /// Tokens per second each role must serve (forecast × length + backlog).
        public var demandTokensPerS: OptionalCounts
        public var backlogTokensPerS: OptionalCounts
        /// Saturated tokens per second of one instance, before corrections.
        public var capacityPerInstance: OptionalCounts
        /// capacity × correction × utilisation target: what one instance is planned to serve.
        public var plannedCapacityPerInstance: OptionalCounts
        public var corrections: OptionalCounts
        public var utilisationTarget: OptionalCounts
        public var capacitySamples: PerRole<Int>
        /// Latency at the SLO percentile over the recent window, seconds.
        public var observedTtftS: Double?
        public var observedTpotS: Double?
        /// Demand growth the plan absorbs within one start-up time, per role, as a fraction of
        /// the level (learned from the traffic; at least the configured allowance).
        public var growthAllowance: OptionalCounts?
        /// TTFT misses its target only in the tail, for prompts too long to serve in time.
        public var ttftNotCapacity: Bool?
        /// TTFT misses its target while the KV hand-off alone takes half of it.
        public var kvTransferBound: Bool?
        /// Roles whose queue sits on one worker while others idle (not counted as demand).
        public var routingImbalance: PerRole<Bool>?
        /// Squared coefficient of variation of prompt lengths, while measured.
        public var promptLengthScv: Double?
        /// Demand each role's plan holds however quiet the traffic is now (the burst floor),
        /// tokens/s; 0 when growth alone covers the traffic.
        public var demandFloorTokensPerS: OptionalCounts?
        /// Utilisation the prefill burst floor is planned at: full once TTFT has been measured,
        /// the queue model's below that.
        public var prefillFloorUtilisation: Double?
        /// Roles whose demand is trending up (never shrunk meanwhile).
        public var demandRising: PerRole<Bool>?
        /// Roles whose ramp has outrun the fleet for a start-up time while requests queue: their
        /// learned growth is planned past the remembered peak.
        public var rampOutrunsFleet: PerRole<Bool>?
        /// Seconds ahead each role's demand trend is projected (shorter than the start-up time
        /// while a rise that is not a ramp is younger than twice it).
        public var trendHorizonS: OptionalCounts?
        /// Seconds each role's demand level is averaged over (longer for noisier demand).
        public var demandTimeConstantS: OptionalCounts?

        enum CodingKeys: String, CodingKey {
            case arrivalRate = "arrival_rate"
            case arrivalTrend = "arrival_trend"
            case arrivalBurstiness = "arrival_burstiness"
            case forecastArrivalRate = "forecast_arrival_rate"
            case forecastHorizonS = "forecast_horizon_s"
            case meanInputTokens = "mean_input_tokens"
            case meanOutputTokens = "mean_output_tokens"
            case prefixHitRate = "prefix_hit_rate"
            case effectiveIsl = "effective_isl"
            case kvTransferS = "kv_transfer_s"
            case demandTokensPerS = "demand_tokens_per_s"
            case backlogTokensPerS = "backlog_tokens_per_s"
            case capacityPerInstance = "capacity_per_instance"
            case plannedCapacityPerInstance = "planned_capacity_per_instance"
            case corrections
            case utilisationTarget = "utilisation_target"
            case capacitySamples = "capacity_samples"
            case observedTtftS = "observed_ttft_s"
            case observedTpotS = "observed_tpot_s"
            case growthAllowance = "growth_allowance"
            case ttftNotCapacity = "ttft_not_capacity"
            case kvTransferBound = "kv_transfer_bound"
            case routingImbalance = "routing_imbalance"
            case promptLengthScv = "prompt_length_scv"
            case demandFloorTokensPerS = "demand_floor_tokens_per_s"
            case prefillFloorUtilisation = "prefill_floor_utilisation"
            case demandRising = "demand_rising"
            case rampOutrunsFleet = "ramp_outruns_fleet"
            case trendHorizonS = "trend_horizon_s"
            case demandTimeConstantS = "demand_time_constant_s"
        }

        init(_ estimate: TrafficEstimate) {
            arrivalRate = finiteOrNil(estimate.arrivalRate)
            arrivalTrend = finiteOrNil(estimate.arrivalTrend)
            arrivalBurstiness = finiteOrNil(estimate.arrivalBurstiness)
            forecastArrivalRate = finiteOrNil(estimate.forecastArrivalRate)
            forecastHorizonS = finiteOrNil(estimate.forecastHorizonSeconds)
            meanInputTokens = estimate.meanInputTokens.flatMap(finiteOrNil)
            meanOutputTokens = estimate.meanOutputTokens.flatMap(finiteOrNil)
            prefixHitRate = estimate.prefixHitRate.flatMap(finiteOrNil)
            effectiveIsl = estimate.effectiveInputTokens.flatMap(finiteOrNil)
            kvTransferS = estimate.kvTransferSeconds.flatMap(finiteOrNil)
            demandTokensPerS = OptionalCounts(estimate.demand.map { _, value in value })
            backlogTokensPerS = OptionalCounts(estimate.backlog.map { _, value in value })
            capacityPerInstance = OptionalCounts(estimate.capacityPerInstance)
            plannedCapacityPerInstance = OptionalCounts(estimate.plannedCapacityPerInstance)
            corrections = OptionalCounts(estimate.corrections.map { _, value in value })
            utilisationTarget = OptionalCounts(estimate.utilisationTarget.map { _, value in value })
            capacitySamples = estimate.capacitySamples
            observedTtftS = estimate.observedTTFT.flatMap(finiteOrNil)
            observedTpotS = estimate.observedTPOT.flatMap(finiteOrNil)
            growthAllowance = OptionalCounts(estimate.growthAllowance.map { _, value in value })
            ttftNotCapacity = estimate.ttftNotCapacity
            kvTransferBound = estimate.ttftHandoffBound
            routingImbalance = estimate.routingImbalance
            promptLengthScv = estimate.promptLengthSCV.flatMap(finiteOrNil)
            demandFloorTokensPerS = OptionalCounts(estimate.demandFloor.map { _, value in value })
            prefillFloorUtilisation = finiteOrNil(estimate.prefillFloorUtilisation)
            demandRising = estimate.demandRising
            rampOutrunsFleet = estimate.rampOutrunsFleet
            trendHorizonS = OptionalCounts(estimate.trendHorizon.map { _, value in value })
            demandTimeConstantS = OptionalCounts(estimate.demandTimeConstant.map { _, value in value })
        }
    }

    /// `{"prefill": x, "decode": y}` where either may be absent (unknown).
    public struct OptionalCounts: Sendable, Hashable, Codable {
        public var prefill: Double?
        public var decode: Double?

        init(_ values: PerRole<Double?>) {
            prefill = values.prefill.flatMap(finiteOrNil)
            decode = values.decode.flatMap(finiteOrNil)
        }
    }

    /// The rate matcher's answer, when it ran (not while paused or on fixed counts).
    public struct RateMatching: Sendable, Hashable, Codable {
        public var instances: PerRole<Int>
        /// `fits` (the demand fits the budget) or `over_budget` (the split serving the most).
        public var regime: String
        /// Instances each role needs before rounding.
        public var continuousNeed: OptionalCounts
        /// Requests per second the chosen split serves at full capacity.
        public var matchedRequestRate: Double?

        enum CodingKeys: String, CodingKey {
            case instances, regime
            case continuousNeed = "continuous_need"
            case matchedRequestRate = "matched_request_rate"
        }

        init(_ result: RateMatcher.Result) {
            instances = result.instances
            regime = switch result.regime {
            case .fits: "fits"
            case .overBudget: "over_budget"
            }
            continuousNeed = OptionalCounts(result.continuousNeed.map { _, value in value })
            matchedRequestRate = finiteOrNil(result.matchedRequestRate)
        }
    }
}

private func finiteOrNil(_ value: Double) -> Double? { value.isFinite ? value : nil }
