/// The estimator's view of demand and capacity at one tick: every number the decision uses.
public struct TrafficEstimate: Sendable, Hashable, Codable {
    /// Smoothed arrival rate, requests/s (0 when nothing was ever measured).
    public var arrivalRate: Double
    /// Its trend, requests/s per second.
    public var arrivalTrend: Double
    /// ca² of arrivals (1 for Poisson or anything close to it; see `Estimator.burstiness`).
    public var arrivalBurstiness: Double
    /// Arrival rate expected one start-up time ahead, requests/s.
    public var forecastArrivalRate: Double
    /// The forecast horizon: the learned worker start-up time, seconds.
    public var forecastHorizonSeconds: Double
    /// Smoothed mean input (prompt) and output lengths, tokens; nil until first measured.
    public var meanInputTokens: Double?
    public var meanOutputTokens: Double?
    /// Smoothed share of prompt tokens found in prefix caches; nil while no engine reports it.
    public var prefixHitRate: Double?
    /// Prompt tokens prefill computes per request: `meanInputTokens` less the cached share.
    /// Prefill demand, capacity and queueing are all in this unit.
    public var effectiveInputTokens: Double?
    /// Squared coefficient of variation of prompt lengths (0 for equal prompts, about 2 for a
    /// lognormal long-context mix), while measured: it prices attention and sets each prompt's
    /// waiting budget in the prefill queue model.
    public var promptLengthSCV: Double? = nil
    /// Smoothed KV hand-off time from prefill to decode, seconds, when engines report it; it
    /// comes out of the TTFT budget prefill is sized for.
    public var kvTransferSeconds: Double?
    /// Work per second each role must serve: forecast rate × length, plus backlog, tokens/s.
    public var demand: PerRole<Double>
    /// The part of `demand` that drains today's queues within the drain horizon, tokens/s.
    public var backlog: PerRole<Double>
    /// Saturated per-instance capacity before latency corrections, tokens/s (decode: at the
    /// TPOT target); nil while neither a prior nor a saturated sample exists.
    public var capacityPerInstance: PerRole<Double?>
    /// Multipliers (≤ 1) applied to capacity after latency targets were missed.
    public var corrections: PerRole<Double>
    /// Share of capacity to plan for: headroom for queueing (prefill, from the TTFT target)
    /// and for bursts and KV growth (decode).
    public var utilisationTarget: PerRole<Double>
    /// Capacity samples learned so far, by role.
    public var capacitySamples: PerRole<Int>
    /// Latency at the SLO percentile over the last interval, when measurable.
    public var observedTTFT: Double?
    public var observedTPOT: Double?
    /// The interval's raw evidence.
    public var observation: IntervalObservation
    /// TTFT misses its target with no prefill queue in the latency window: prompts too long
    /// for any instance to serve in time, which more prefill would not fix.
    public var ttftNotCapacity: Bool = false
    /// TTFT misses its target while the KV hand-off alone takes half of it: a link problem,
    /// not a prefill shortage (see `Estimator.handoffDominates`).
    public var ttftHandoffBound: Bool = false
    /// Roles whose queue sits on some workers while others of the role are idle: a routing
    /// problem, left out of the backlog (see `IntervalObservation.routingImbalance`).
    public var routingImbalance: PerRole<Bool> = PerRole(repeating: false)
    /// Demand growth the plan absorbs within one start-up time, by role, as a fraction of the
    /// level (see `Estimator.growthAllowances`).
    public var growthAllowance: PerRole<Double> = PerRole(repeating: 0)
    /// Roles whose demand has risen faster than forecast for a start-up time while their
    /// requests queue: their learned growth is planned past the remembered peak.
    public var rampOutrunsFleet: PerRole<Bool> = PerRole(repeating: false)
    /// Seconds ahead each role's demand trend is projected: the start-up time, or less for a
    /// rise younger than twice it that is not a ramp (see `Estimator.trendHorizons`).
    public var trendHorizon: PerRole<Double> = PerRole(repeating: 0)
    /// Roles whose demand was read as a ramp now or within the last start-up time (see
    /// `Estimator.rampedRecently`).
    public var rampedRecently: PerRole<Bool> = PerRole(repeating: false)
    /// Demand each role's plan holds however quiet the traffic is now, tokens/s: what bursts
    /// out of quieter moments brought within one start-up time in the remembered past (see
    /// `GrowthHistory.demandFloor`). 0 when growth alone covers the traffic.
    public var demandFloor: PerRole<Double> = PerRole(repeating: 0)
    /// Whether TTFT at the SLO percentile has been measured since the controller started.
    public var ttftMeasured: Bool = false
    /// Utilisation the prefill burst floor is planned at (see `Estimator.prefillFloorUtilisation`).
    public var prefillFloorUtilisation: Double = 1
    /// Roles whose smoothed demand is trending up by at least `risingDemandThreshold` of its
    /// level per start-up time; they are not shrunk.
    public var demandRising: PerRole<Bool> = PerRole(repeating: false)
    /// Time constant each role's demand level is smoothed over, seconds: longer where one tick's
    /// demand is noisy (see `Estimator.adaptSmoothing`).
    public var demandTimeConstant: PerRole<Double> = PerRole(repeating: 0)

    /// capacity × correction × utilisation: what one instance is planned to serve, tokens/s.
    public var plannedCapacityPerInstance: PerRole<Double?> {
        PerRole(
            prefill: capacityPerInstance.prefill.map { $0 * corrections.prefill * utilisationTarget.prefill },
            decode: capacityPerInstance.decode.map { $0 * corrections.decode * utilisationTarget.decode }
        )
    }
}
