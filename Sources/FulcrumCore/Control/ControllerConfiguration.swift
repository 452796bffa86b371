/// Every tunable of the controller, with the defaults docs/controller.md justifies.
public struct ControllerConfiguration: Sendable, Hashable, Codable {
    public var slo: ServiceLevelObjective
    public var placement: PlacementConstraints
    /// The controller never shrinks below this many GPUs in total.
    public var minTotalGPUs: Int
    /// Instances of each role that always run, whatever the traffic.
    public var minInstances: PerRole<Int>
    /// An upper bound per role, if any.
    public var maxInstances: PerRole<Int?>
    public var priors: PerformancePriors
    public var estimation: Estimation
    public var stabilisation: Stabilisation
    /// The one aggressiveness knob: how much spare capacity to plan for, relative to what the
    /// SLO model asks. 1 is the default; below 1 packs instances fuller (fewer GPU-hours, more
    /// risk to the SLO), above 1 keeps more headroom. `fulcrum-sim frontier` sweeps it.
    public var headroom: Double = 1

    public struct Estimation: Sendable, Hashable, Codable {
        /// Time constant of the arrival-rate level, seconds.
        public var arrivalLevelTimeConstant: Double = 30
        /// Time constant of the arrival-rate trend, seconds.
        public var arrivalTrendTimeConstant: Double = 120
        /// Relative standard error the smoothed token demand aims for. Where one tick's demand
        /// is noisier (few requests a tick, long-tailed prompts, clumped arrivals) its level
        /// smooths over longer than `arrivalLevelTimeConstant`, up to `maxDemandTimeConstant`;
        /// see `Estimator.adaptSmoothing`.
        public var demandPrecision: Double = 0.05
        /// Longest time constant the token demand's level is smoothed over, seconds.
        public var maxDemandTimeConstant: Double = 120
        /// The forecast never exceeds the current level by more than this factor, so one
        /// burst cannot ask for a cluster many times too large.
        public var maxForecastGrowth: Double = 3
        /// A rising trend is projected ahead at most this many seconds per second it has been
        /// rising, and never past the start-up time: a rise seen for a minute is evidence for
        /// about half a minute more, not for a whole five-minute start. A ramp
        /// (`rampSignalThreshold`) keeps the whole start-up time (see
        /// `Estimator.trendHorizons`). A large value (100) projects every trend over the whole
        /// start-up time.
        public var trendLookaheadPerRise: Double = 0.5
        /// A demand level whose one-tick forecasts fall short this consistently (Trigg's
        /// tracking signal: mean error ÷ mean absolute error, 0 for noise, 1 for a level that
        /// only ever lags) is following a sustained rise, and averages over less than its
        /// noise alone would ask (see `Estimator.adaptSmoothing`). 1 or more: never.
        public var rampSignalThreshold: Double = 0.5
        /// Time constant of the forecast errors the tracking signal averages, seconds.
        public var rampSignalTimeConstant: Double = 120
        /// A ramp (`rampSignalThreshold`) that has lasted this many start-up times while the
        /// role's requests queue outruns the fleet: its learned growth is planned in full, past
        /// the remembered peak (see `Estimator.growthAllowances`).
        public var rampOutrunStartups: Double = 1
        /// Growth of demand the plan absorbs without new workers, as a fraction of the current
        /// level: what can arrive, unforecast, during one start-up time. The floor of the
        /// allowance learned from the traffic (see `GrowthHistory`), and all of it until the
        /// history is long enough.
        public var growthAllowance: Double = 0.2
        /// The learned allowance covers this quantile of the growth seen within one start-up
        /// time over `growthMemorySeconds`.
        public var growthQuantile: Double = 0.99
        /// How much past traffic the learned allowance speaks for, seconds: at least this, and
        /// at least `growthMemoryStartups` start-up times.
        public var growthMemorySeconds: Double = 3600
        /// The memory holds at least this many start-up times, so that a high quantile of the
        /// growth within one reads enough of them: an hour holds only twelve five-minute
        /// start-ups, and a 70B fleet whose last hour of chat traffic had only fallen met a
        /// fourfold ramp with half the prefill it needed (90.7 % of that hour; docs/evaluation.md,
        /// "After three hours of the same shape").
        public var growthMemoryStartups: Double = 24
        /// Growth is learned once the history spans twice this many seconds: before that its
        /// swings are the smoothers settling on the first measurements (a mean output length
        /// that grows as longer answers finish), not the traffic moving.
        public var minGrowthObservedSeconds: Double = 90
        /// A role whose demand trend adds this fraction of its level within one start-up time
        /// is rising and is not shrunk: draining into a rise is how bursts find a fleet short
        /// (and how a chat ramp of 5 % a minute lost a prefill instance it took back 30 s later).
        public var risingDemandThreshold: Double = 0.1
        /// Time constant of the mean input/output length, seconds.
        public var lengthTimeConstant: Double = 60
        /// Worker start-up time assumed until one is observed, seconds.
        public var startupPriorSeconds: Double = 180
        /// A worker whose last good scrape is older than this is stale, seconds.
        public var staleAfterSeconds: Double = 30
        /// Each new capacity sample weighs this much relative to the old ones (forgetting),
        /// so capacity tracks a drifting mix; 0.95 remembers roughly the last 20 samples.
        public var capacitySampleRetention: Double = 0.95
        /// Decode is saturated when the KV cache is at least this full.
        public var kvSaturationThreshold: Double = 0.9
        /// Fewest observations in the latency window for a quantile to be trusted.
        public var minLatencyObservations: Double = 5
        /// Fewest observations expected beyond the SLO percentile (count × (1 − q)) for its
        /// quantile to be trusted.
        public var minTailObservations: Double = 2
        /// Latency quantiles are taken over this many recent seconds, not one tick.
        public var latencyWindowSeconds: Double = 60
        /// Queued work is planned to be served within this many seconds (backlog term).
        public var backlogDrainSeconds: Double = 60
        /// Utilisation target of decode instances (headroom for bursts and KV growth).
        public var decodeUtilisation: Double = 0.85
        /// Bounds of the prefill utilisation target derived from the TTFT target.
        public var prefillUtilisationRange: ClosedRange<Double> = 0.3...0.95
        /// Lowest a latency correction may push a capacity estimate (fraction of itself).
        public var minCorrection: Double = 0.5
        /// A correction decays back toward 1 with this time constant once latency is fine.
        public var correctionRecoveryTimeConstant: Double = 900
        /// A latency miss tightens a correction by at most this fraction per latency window.
        /// One window's tail is noisy: a single slow minute of long prompts once halved the
        /// prefill capacity estimate at once and doubled the tier for a quarter of an hour.
        public var correctionStep: Double = 0.2
        /// Mean KV use of ready decode workers above which decode counts as pressured.
        public var kvPressureThreshold: Double = 0.95
        /// Time constant of the arrivals' dispersion (burstiness) estimate, seconds.
        public var burstinessTimeConstant: Double = 300
        /// Dispersion below this counts as Poisson (estimation noise, not bursts).
        public var burstinessThreshold: Double = 2
        /// Dispersion samples needed before burstiness is trusted.
        public var minBurstinessSamples: Int = 12
        /// Cap on the burstiness used, so one flash crowd cannot ask for an idle fleet.
        public var maxBurstiness: Double = 16

        public init() {}
    }

    public struct Stabilisation: Sendable, Hashable, Codable {
        /// Scale down only to the largest recommendation seen over this window, seconds.
        public var scaleDownWindowSeconds: Double = 300
        /// Shorter window for a shrink that frees GPUs the other role is waiting for.
        public var flipWindowSeconds: Double = 120
        /// Scale up to the smallest recommendation over this window (0: at once).
        public var scaleUpWindowSeconds: Double = 0
        /// No change while the need is within this fraction of the current count.
        public var tolerance: Double = 0.1
        /// Most instances a role may gain in one tick.
        public var maxStepUp: Int = 4
        /// A prefill need above the fleet that is not a ramp is met in proportion to how long
        /// it has lasted, at least one instance a tick (none at once at the `burstEdgeDispersion`),
        /// all of it once it has lasted this many start-up times; 0 meets it at once (see
        /// `Controller.scaleUpPaceSeconds`).
        public var scaleUpPaceStartups: Double = 1
        /// Arrivals at least this bursty (their dispersion; 1 is Poisson) pace a need's first
        /// instance too: a need that appears with such traffic is a burst's rising edge until it
        /// has stood, over before an instance could start, while the fleet held through bursts
        /// and the burst floor serve the bursts that recur. Only while `holdWhileBursty` holds
        /// that fleet; above `Estimation.maxBurstiness` (16), never. Code traffic reads 10–16
        /// when a need appears, long-context's 3 s arrival ticks 2–4 (docs/controller.md).
        public var burstEdgeDispersion: Double = 8
        /// Most instances a role may lose in one tick.
        public var maxStepDown: Int = 2
        /// After GPUs moved from one role to the other, moving them back waits this long.
        public var flipCooldownSeconds: Double = 600
        /// No role shrinks below the fleet taken over until the controller has watched the
        /// traffic for this many start-up times, nor while arrivals are bursty (see
        /// `Controller.learningSecondsLeft` and `Stabiliser.Input.burstyArrivals`).
        public var learningStartups: Double = 4
        /// While arrivals are bursty, no role shrinks below the fleet taken over (see
        /// `Stabiliser.Input.burstyArrivals`). Off, bursty traffic is held only while learning.
        public var holdWhileBursty: Bool = true

        public init() {}
    }

    public init(
        slo: ServiceLevelObjective,
        placement: PlacementConstraints,
        minTotalGPUs: Int = 0,
        minInstances: PerRole<Int> = PerRole(repeating: 1),
        maxInstances: PerRole<Int?> = PerRole(repeating: nil),
        priors: PerformancePriors = PerformancePriors(),
        estimation: Estimation = Estimation(),
        stabilisation: Stabilisation = Stabilisation()
    ) {
        self.slo = slo
        self.placement = placement
        self.minTotalGPUs = minTotalGPUs
        self.minInstances = minInstances
        self.maxInstances = maxInstances
        self.priors = priors
        self.estimation = estimation
        self.stabilisation = stabilisation
    }
}
