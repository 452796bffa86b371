import RealModule

/// Smoothed traffic, learned capacities, start-up time and latency corrections, carried
/// from tick to tick.
public struct EstimatorState: Sendable, Hashable, Codable {
    public var memory = ObservationMemory()
    public var arrivals: HoltSmoother
    /// Work per second each role must serve (λ·ISL, λ·OSL), smoothed with its own trend so a
    /// drifting mix is forecast, not only a changing rate.
    public var tokenDemand: PerRole<HoltSmoother>
    public var inputLength: TimeWeightedAverage
    public var outputLength: TimeWeightedAverage
    public var capacity = PerRole(repeating: CapacityLearner())
    public var startupSeconds: Double
    public var startupSamples = 0
    public var corrections = PerRole(repeating: 1.0)
    public var lastUpdate: Timestamp?
    /// Index of dispersion of arrivals per tick around the smoothed rate (1 for Poisson),
    /// smoothed over `burstinessTimeConstant`; see `Estimator.burstiness`.
    public var arrivalDispersion: TimeWeightedAverage
    public var dispersionSamples = 0

    public init(configuration: ControllerConfiguration) {
        let estimation = configuration.estimation
        arrivals = HoltSmoother(
            levelTimeConstant: estimation.arrivalLevelTimeConstant,
            trendTimeConstant: estimation.arrivalTrendTimeConstant
        )
        tokenDemand = PerRole(repeating: HoltSmoother(
            levelTimeConstant: estimation.arrivalLevelTimeConstant,
            trendTimeConstant: estimation.arrivalTrendTimeConstant
        ))
        inputLength = TimeWeightedAverage(timeConstant: estimation.lengthTimeConstant)
        outputLength = TimeWeightedAverage(timeConstant: estimation.lengthTimeConstant)
        startupSeconds = estimation.startupPriorSeconds
        arrivalDispersion = TimeWeightedAverage(timeConstant: estimation.burstinessTimeConstant)
    }
}

public enum Estimator {
    /// Folds one snapshot into the state and returns the estimate the decision uses.
    public static func update(
        _ state: inout EstimatorState,
        snapshot: ClusterSnapshot,
        configuration: ControllerConfiguration
    ) -> TrafficEstimate {
        let now = snapshot.time
        let estimation = configuration.estimation
        let slo = configuration.slo
        let priors = configuration.priors
        let (observation, memory) = IntervalObserver.observe(snapshot, memory: state.memory, configuration: configuration)
        state.memory = memory
        let elapsed = state.lastUpdate.map { max(0, now - $0) } ?? 0
        state.lastUpdate = now

        if let rate = observation.arrivalRate {
            recordDispersion(&state, rate: rate, elapsed: elapsed, at: now, configuration: configuration)
            state.arrivals.add(rate, at: now)
        }
        if let isl = observation.meanInputTokens { state.inputLength.add(isl, at: now) }
        if let osl = observation.meanOutputTokens { state.outputLength.add(osl, at: now) }
        if let rate = observation.arrivalRate {
            if let isl = observation.meanInputTokens ?? state.inputLength.value {
                state.tokenDemand.prefill.add(rate * isl, at: now)
            }
            if let osl = observation.meanOutputTokens ?? state.outputLength.value {
                state.tokenDemand.decode.add(rate * osl, at: now)
            }
        }
        for duration in observation.startupDurations {
            // A running mean that keeps the prior as one pseudo-sample, then follows the
            // latest starts (images and caches change how long a start takes).
            state.startupSamples += 1
            let weight = max(0.2, 1 / Double(state.startupSamples + 1))
            state.startupSeconds += weight * (duration - state.startupSeconds)
        }

        let isl = state.inputLength.value
        let osl = state.outputLength.value
        let decodeContext = (isl ?? 0) + (osl ?? 0) / 2

        // Capacity samples: ratios to the prior where one exists, absolute otherwise.
        for sample in observation.saturatedThroughput.prefill {
            if let prior = priors.prefill {
                // Measured against what the prior expects at this interval's prompt lengths,
                // so a longer mix is not mistaken for a slower instance.
                let expected = prior.tokensPerSecond(promptTokens: observation.meanInputTokens ?? isl)
                state.capacity.prefill.add(sample / expected, retention: estimation.capacitySampleRetention)
            } else {
                state.capacity.prefill.add(sample, retention: estimation.capacitySampleRetention)
            }
        }
        for sample in observation.saturatedThroughput.decode {
            if let prior = priors.decode {
                let predicted = prior.saturatedThroughput(meanContext: decodeContext)
                if predicted > 0 { state.capacity.decode.add(sample / predicted, retention: estimation.capacitySampleRetention) }
            } else {
                state.capacity.decode.add(sample, retention: estimation.capacitySampleRetention)
            }
        }

        let prefillCapacity: Double? = priors.prefill.map {
            $0.tokensPerSecond(promptTokens: isl) * state.capacity.prefill.ratioToPrior(priorWeight: priors.weightInSamples)
        } ?? state.capacity.prefill.mean
        let decodeCapacity: Double? = priors.decode.map {
            $0.throughput(atTPOT: slo.tpotSeconds, meanContext: decodeContext)
                * state.capacity.decode.ratioToPrior(priorWeight: priors.weightInSamples)
        } ?? state.capacity.decode.mean

        // Latency feedback: shrink the capacity we plan with while a target is missed,
        // relax back once it is met again.
        let recovery = Double.exp(-elapsed / max(1, estimation.correctionRecoveryTimeConstant))
        // The correction is the latest measured ratio target/observed, never compounded tick
        // on tick: the latency window spans several ticks, so compounding would count one slow
        // minute several times over.
        func corrected(_ current: Double, observed: Double?, target: Double, pressured: Bool) -> Double {
            var next = 1 - (1 - current) * recovery
            if let observed, observed > target {
                next = min(next, target / observed)
            }
            if pressured { next = min(next, 0.9) }
            return min(1, max(estimation.minCorrection, next))
        }
        state.corrections.prefill = corrected(
            state.corrections.prefill, observed: observation.ttftQuantile, target: slo.ttftSeconds, pressured: false)
        let kvPressured = (observation.decodeKVUsage ?? 0) > estimation.kvPressureThreshold
        state.corrections.decode = corrected(
            state.corrections.decode, observed: observation.tpotQuantile, target: slo.tpotSeconds, pressured: kvPressured)

        let arrivalRate = state.arrivals.level ?? 0
        let burstiness = Self.burstiness(state, configuration: configuration)
        let horizon = state.startupSeconds
        // Rising traffic is met ahead of time; falling traffic is not anticipated, because
        // shrinking early costs SLO misses while shrinking late only costs GPU minutes.
        // A worker asked for now serves only after the start-up time, so the plan must also
        // hold against growth nobody could forecast yet (a mix that starts drifting, a burst):
        // at least `growthAllowance` above today's level.
        func forecast(_ smoother: HoltSmoother) -> Double {
            let level = smoother.level ?? 0
            let ahead = smoother.forecast(horizon: horizon) ?? 0
            return min(max(level * (1 + estimation.growthAllowance), ahead), level * max(estimation.maxForecastGrowth, 1 + estimation.growthAllowance))
        }
        let forecastArrivals = forecast(state.arrivals)

        let backlog = PerRole(
            prefill: observation.queuedRequests.prefill * (isl ?? 0) / estimation.backlogDrainSeconds,
            decode: observation.queuedRequests.decode * (osl ?? 0) / estimation.backlogDrainSeconds
        )
        let demand = PerRole(
            prefill: forecast(state.tokenDemand.prefill) + backlog.prefill,
            decode: forecast(state.tokenDemand.decode) + backlog.decode
        )

        return TrafficEstimate(
            arrivalRate: arrivalRate,
            arrivalTrend: state.arrivals.trend,
            arrivalBurstiness: burstiness,
            forecastArrivalRate: forecastArrivals,
            forecastHorizonSeconds: horizon,
            meanInputTokens: isl,
            meanOutputTokens: osl,
            demand: demand,
            backlog: backlog,
            capacityPerInstance: PerRole(prefill: prefillCapacity, decode: decodeCapacity),
            corrections: state.corrections,
            utilisationTarget: PerRole(
                prefill: prefillUtilisation(capacity: prefillCapacity, isl: isl, configuration: configuration, burstiness: burstiness),
                decode: estimation.decodeUtilisation
            ),
            capacitySamples: PerRole(prefill: state.capacity.prefill.samples, decode: state.capacity.decode.samples),
            observedTTFT: observation.ttftQuantile,
            observedTPOT: observation.tpotQuantile,
            observation: observation
        )
    }

    /// The prefill utilisation that keeps TTFT within target at the SLO percentile.
    ///
    /// Per instance the queue is close to M/D/1 (one prompt's service time S barely varies at
    /// a given mix). Its waiting time is roughly exponential in heavy traffic with mean
    /// ρS / (2(1−ρ)), so P(wait > w) ≈ ρ·e^(−2(1−ρ)w/S). TTFT meets target T at percentile q
    /// when P(wait > T − S) ≤ 1 − q; the largest such ρ is found by bisection (the left side
    /// grows with ρ). Clamped to a sane range because batching makes the real queue kinder
    /// than M/D/1 and bursts make it harsher.
    /// How much burstier than Poisson arrivals are, as the squared coefficient of variation
    /// of inter-arrival times (ca²) that queueing formulas take: 1 for Poisson.
    ///
    /// Measured as the index of dispersion of each tick's arrival count around the smoothed
    /// rate. Below `burstinessThreshold` the difference from Poisson is within what a few
    /// minutes of samples can tell apart, so it counts as 1 and a Poisson-like load is planned
    /// exactly as before; above it, bursts are real and prefill keeps more headroom.
    public static func burstiness(_ state: EstimatorState, configuration: ControllerConfiguration) -> Double {
        let estimation = configuration.estimation
        guard state.dispersionSamples >= estimation.minBurstinessSamples, let dispersion = state.arrivalDispersion.value,
              dispersion >= estimation.burstinessThreshold
        else { return 1 }
        return min(dispersion, estimation.maxBurstiness)
    }

    /// One dispersion sample: (n − m)² / m for n arrivals against m expected at the smoothed
    /// rate, divided by the variance the smoothed rate itself adds (it is an average of recent
    /// ticks, so n − m varies a little more than n alone), so Poisson arrivals give 1.
    static func recordDispersion(_ state: inout EstimatorState, rate: Double, elapsed: Double, at now: Timestamp, configuration: ControllerConfiguration) {
        guard elapsed > 0, let level = state.arrivals.level else { return }
        let expected = level * elapsed
        // A handful of requests per tick says nothing about bursts.
        guard expected >= 5 else { return }
        let observed = rate * elapsed
        let alpha = 1 - Double.exp(-elapsed / max(1e-9, configuration.estimation.arrivalLevelTimeConstant))
        let levelNoise = 1 + alpha / (2 - alpha)
        let sample = (observed - expected) * (observed - expected) / expected / levelNoise
        state.arrivalDispersion.add(sample, at: now)
        state.dispersionSamples += 1
    }

    public static func prefillUtilisation(capacity: Double?, isl: Double?, configuration: ControllerConfiguration, burstiness: Double = 1) -> Double {
        let range = configuration.estimation.prefillUtilisationRange
        guard let capacity, capacity > 0, let isl, isl > 0 else { return range.lowerBound }
        let overhead = configuration.priors.prefill?.batchOverheadSeconds ?? 0
        let service = overhead + isl / capacity
        let target = configuration.slo.ttftSeconds
        guard service > 0, target > service else { return range.lowerBound }
        let slack = (target - service) / service
        let allowedTail = max(1e-6, 1 - min(max(configuration.slo.percentile, 0), 1))
        // Kingman: waiting grows with ca² (deterministic service, cs² = 0), so the tail's
        // exponent shrinks by it.
        let ca2 = max(1, burstiness)
        func tail(_ rho: Double) -> Double { rho * Double.exp(-2 * (1 - rho) * slack / ca2) }
        var low = 0.0
        var high = 1.0
        for _ in 0..<50 {
            let middle = (low + high) / 2
            if tail(middle) <= allowedTail { low = middle } else { high = middle }
        }
        return min(range.upperBound, max(range.lowerBound, low))
    }
}
