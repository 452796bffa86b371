import RealModule

/// Smoothed traffic, learned capacities, start-up time and latency corrections, carried
/// from tick to tick.
public struct EstimatorState: Sendable, Hashable, Codable {
    public var memory = ObservationMemory()
    public var arrivals: HoltSmoother
    /// Work per second each role must serve (λ·ISL, λ·OSL), smoothed with its own trend so a
    /// drifting mix is forecast, not only a changing rate.
    public var tokenDemand: PerRole<HoltSmoother>
    /// Relative noise of one tick's token demand, (Δx)² ÷ 2·level², averaged: what sets how long
    /// `tokenDemand` averages over (see `Estimator.adaptSmoothing`). nil until measured.
    public var demandNoise = PerRole<Double?>(repeating: nil)
    /// Seconds of demand watched so far, by role: noise is sampled only after twice
    /// `minGrowthObservedSeconds` of it.
    public var demandWatchedSeconds = PerRole(repeating: 0.0)
    /// The previous tick's raw token demand, for the next noise sample.
    public var previousDemand = PerRole<Double?>(repeating: nil)
    /// One-tick forecast errors of each role's demand level, relative to the level: their
    /// mean and their mean absolute value, averaged over `rampSignalTimeConstant` (see
    /// `Estimator.adaptSmoothing`). Nil until measured.
    public var demandForecastError = PerRole<ForecastErrors?>(repeating: nil)
    /// Token demand averaged over `arrivalLevelTimeConstant` whatever the noise: what bursts
    /// look like at the speed they arrive, for the growth history and the burst floor. Averaged
    /// as slowly as the plan's level, a burst's peak is halved and the floor held for it too.
    public var burstDemand: PerRole<HoltSmoother>
    public var inputLength: TimeWeightedAverage
    public var outputLength: TimeWeightedAverage
    /// Share of prompt tokens found in the prefill tier's prefix caches (nil while no engine
    /// reports it): prefill is sized on the rest, the tokens it computes.
    public var prefixHitRate: TimeWeightedAverage
    /// KV hand-off time from prefill to decode, seconds, while engines report it.
    public var kvTransferSeconds: TimeWeightedAverage
    public var capacity = PerRole(repeating: CapacityLearner())
    public var startupSeconds: Double
    public var startupSamples = 0
    public var corrections = PerRole(repeating: 1.0)
    public var lastUpdate: Timestamp?
    /// Index of dispersion of arrivals per tick around the smoothed rate (1 for Poisson),
    /// smoothed over `burstinessTimeConstant`; see `Estimator.burstiness`.
    public var arrivalDispersion: TimeWeightedAverage
    public var dispersionSamples = 0
    /// The previous tick's arrival rate and length, for the next dispersion sample.
    public var previousArrivals: ArrivalSample?
    /// Squared coefficient of variation of prompt lengths (see `Estimator.recordPromptVariability`).
    public var promptSCV: TimeWeightedAverage = TimeWeightedAverage(timeConstant: 300)
    /// Recent smoothed demand, from which the growth allowance is learned.
    public var growth = GrowthHistory()
    /// When each role's correction was last tightened (see `Estimator.updateCorrections`).
    public var lastCorrectionTightening = PerRole<Timestamp?>(repeating: nil)
    /// When the prefill tier last showed queueing (see `IntervalObservation.prefillQueueing(isl:capacity:ttftTarget:)`).
    public var lastPrefillQueueing: Timestamp?
    /// Whether TTFT at the SLO percentile has been measured at least once: until it has, no
    /// latency correction can tighten a burst floor planned at full utilisation (see
    /// `Controller.floorInstances`).
    public var ttftMeasured = false
    /// Since when each role's demand has been following a ramp (`Estimator.isRamp`); nil while
    /// it is not.
    public var rampingSince = PerRole<Timestamp?>(repeating: nil)
    /// Since when each role's smoothed demand has been trending up; nil while it is not.
    public var risingSince = PerRole<Timestamp?>(repeating: nil)
    /// When each role's demand last followed a ramp (`Estimator.isRamp`); nil if never.
    public var lastRamping = PerRole<Timestamp?>(repeating: nil)

    public struct ArrivalSample: Sendable, Hashable, Codable {
        public var rate: Double
        public var seconds: Double
    }

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
        burstDemand = PerRole(repeating: HoltSmoother(
            levelTimeConstant: estimation.arrivalLevelTimeConstant,
            trendTimeConstant: estimation.arrivalTrendTimeConstant
        ))
        inputLength = TimeWeightedAverage(timeConstant: estimation.lengthTimeConstant)
        outputLength = TimeWeightedAverage(timeConstant: estimation.lengthTimeConstant)
        prefixHitRate = TimeWeightedAverage(timeConstant: estimation.lengthTimeConstant)
        kvTransferSeconds = TimeWeightedAverage(timeConstant: estimation.lengthTimeConstant)
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
        let (observation, memory) = IntervalObserver.observe(snapshot, memory: state.memory, configuration: configuration)
        state.memory = memory
        let elapsed = state.lastUpdate.map { max(0, now - $0) } ?? 0
        state.lastUpdate = now

        foldTraffic(&state, observation: observation, elapsed: elapsed, at: now, configuration: configuration)
        let capacity = learnCapacity(&state, observation: observation, configuration: configuration)
        if observation.ttftQuantile != nil { state.ttftMeasured = true }
        let burstiness = Self.burstiness(state, configuration: configuration)
        let (ttftNotCapacity, ttftHandoffBound) = applyLatencyFeedback(&state, observation: observation, capacity: capacity, elapsed: elapsed,
                                                   starting: snapshot.workerCounts(in: [.starting]), burstiness: burstiness,
                                                   configuration: configuration)

        let outrun = rampsOutrunningFleet(state, observation: observation, at: now, configuration: configuration)
        let allowance = growthAllowances(state, outrun: outrun, configuration: configuration)
        let horizons = trendHorizons(state, configuration: configuration)
        let (demand, backlog) = plannedDemand(state, observation: observation, allowance: allowance, trendHorizons: horizons,
                                              configuration: configuration)
        let utilisation = utilisationTargets(
            demand: demand.prefill, capacity: capacity, correction: state.corrections.prefill,
            isl: effectiveInputLength(state), handoffSeconds: state.kvTransferSeconds.value ?? 0, burstiness: burstiness, serviceSCV: state.promptSCV.value ?? 1, configuration: configuration)
        let floor = state.growth.demandFloor(horizon: state.startupSeconds,
                                             factors: floorGrowthFactors(allowance: allowance, utilisation: utilisation, configuration: configuration),
                                             quantile: configuration.estimation.growthQuantile)
        let floorUtilisation = prefillFloorUtilisation(
            floor: floor.prefill, state: state, capacity: capacity.prefill, burstiness: burstiness, configuration: configuration)

        return TrafficEstimate(
            arrivalRate: state.arrivals.level ?? 0,
            arrivalTrend: state.arrivals.trend,
            arrivalBurstiness: burstiness,
            forecastArrivalRate: forecast(state.arrivals, horizon: state.startupSeconds,
                                          allowance: allowance.prefill, configuration: configuration),
            forecastHorizonSeconds: state.startupSeconds,
            meanInputTokens: state.inputLength.value,
            meanOutputTokens: state.outputLength.value,
            prefixHitRate: state.prefixHitRate.value,
            effectiveInputTokens: effectiveInputLength(state),
            promptLengthSCV: state.promptSCV.value,
            kvTransferSeconds: state.kvTransferSeconds.value,
            demand: demand,
            backlog: backlog,
            capacityPerInstance: capacity,
            corrections: state.corrections,
            utilisationTarget: utilisation,
            capacitySamples: PerRole(prefill: state.capacity.prefill.samples, decode: state.capacity.decode.samples),
            observedTTFT: observation.ttftQuantile,
            observedTPOT: observation.tpotQuantile,
            observation: observation,
            ttftNotCapacity: ttftNotCapacity,
            ttftHandoffBound: ttftHandoffBound,
            routingImbalance: observation.routingImbalance,
            growthAllowance: allowance,
            rampOutrunsFleet: outrun,
            trendHorizon: horizons,
            rampedRecently: rampedRecently(state),
            demandFloor: floor,
            ttftMeasured: state.ttftMeasured,
            prefillFloorUtilisation: floorUtilisation,
            demandRising: state.tokenDemand.map { _, demand in
                rising(demand, horizon: state.startupSeconds, threshold: configuration.estimation.risingDemandThreshold)
            },
            demandTimeConstant: state.tokenDemand.map { _, demand in demand.levelTimeConstant }
        )
    }

    /// How far a plan made one start-up time ago reached above the demand it was made for,
    /// counted as the floor counts (at full utilisation): the growth allowance, and for prefill
    /// the queueing headroom the utilisation target leaves, which serves a burst too.
    static func floorGrowthFactors(allowance: PerRole<Double>, utilisation: PerRole<Double>,
                                   configuration: ControllerConfiguration) -> PerRole<Double> {
        let full = configuration.estimation.prefillUtilisationRange.upperBound
        return PerRole(
            prefill: (1 + allowance.prefill) * full / max(0.01, utilisation.prefill),
            decode: 1 + allowance.decode
        )
    }

    /// The utilisation the prefill burst floor is served at. Full (the range's top) once TTFT
    /// has been measured: the floor is already a peak, and the clumps within a burst that
    /// queue leave TTFT misses that tighten the correction, and the floor with it. Before any
    /// TTFT measurement nothing would, so the floor keeps the queueing headroom the pooled
    /// queue model gives a tier carrying the floor's demand.
    static func prefillFloorUtilisation(floor: Double, state: EstimatorState, capacity: Double?, burstiness: Double,
                                        configuration: ControllerConfiguration) -> Double {
        let full = configuration.estimation.prefillUtilisationRange.upperBound
        guard !state.ttftMeasured, floor > 0 else { return full }
        return plannedPrefillUtilisation(demand: floor, state: state, capacity: capacity, burstiness: burstiness, configuration: configuration)
    }

    /// `prefillUtilisation` for `demand` on the state's corrected capacity, prompt lengths,
    /// hand-off time and prompt-length variability.
    static func plannedPrefillUtilisation(demand: Double, state: EstimatorState, capacity: Double?, burstiness: Double,
                                          configuration: ControllerConfiguration) -> Double {
        prefillUtilisation(demand: demand, capacity: capacity.map { $0 * state.corrections.prefill }, isl: effectiveInputLength(state),
                           handoffSeconds: state.kvTransferSeconds.value ?? 0, burstiness: burstiness,
                           serviceSCV: state.promptSCV.value ?? 1, configuration: configuration)
    }

    /// Whether the smoothed demand's trend adds `threshold` of its level within `horizon`.
    static func rising(_ demand: HoltSmoother, horizon: Double, threshold: Double) -> Bool {
        guard let level = demand.level, level > 0 else { return false }
        return demand.trend * horizon > threshold * level
    }

    /// Arrivals, lengths, token demand and start-up times: what the traffic and the fleet did.
    static func foldTraffic(_ state: inout EstimatorState, observation: IntervalObservation, elapsed: Double, at now: Timestamp,
                            configuration: ControllerConfiguration) {
        if let rate = observation.arrivalRate {
            recordDispersion(&state, rate: rate, elapsed: elapsed, configuration: configuration)
            state.arrivals.add(rate, at: now)
        }
        if let isl = observation.meanInputTokens { state.inputLength.add(isl, at: now) }
        if let osl = observation.meanOutputTokens { state.outputLength.add(osl, at: now) }
        if let hitRate = observation.prefixHitRate { state.prefixHitRate.add(hitRate, at: now) }
        if let transfer = observation.kvTransferSeconds { state.kvTransferSeconds.add(transfer, at: now) }
        if let rate = observation.arrivalRate {
            if let isl = observation.meanInputTokens ?? state.inputLength.value {
                // Prefill demand in computed tokens: what the prefix caches hold is not redone.
                let computedShare = 1 - (observation.prefixHitRate ?? state.prefixHitRate.value ?? 0)
                addDemand(rate * isl * computedShare, role: .prefill, to: &state, elapsed: elapsed, at: now, configuration: configuration)
            }
            if let osl = observation.meanOutputTokens ?? state.outputLength.value {
                addDemand(rate * osl, role: .decode, to: &state, elapsed: elapsed, at: now, configuration: configuration)
            }
        }
        recordPromptVariability(&state, batches: observation.promptBatches, at: now)
        if observation.arrivalRate != nil {
            // Idle time is history too: no traffic yet means no demand, not no evidence.
            let demand = PerRole(prefill: state.burstDemand.prefill.level ?? 0, decode: state.burstDemand.decode.level ?? 0)
            let memory = max(configuration.estimation.growthMemorySeconds, configuration.estimation.growthMemoryStartups * state.startupSeconds)
            state.growth.record(demand, at: now, memorySeconds: memory)
        }
        for duration in observation.startupDurations {
            // A running mean that keeps the prior as one pseudo-sample, then follows the
            // latest starts (images and caches change how long a start takes).
            state.startupSamples += 1
            let weight = max(0.2, 1 / Double(state.startupSamples + 1))
            state.startupSeconds += weight * (duration - state.startupSeconds)
        }
    }

    /// One tick's token demand into the role's smoother, after adapting the smoother to how
    /// noisy the ticks are.
    static func addDemand(_ sample: Double, role: Role, to state: inout EstimatorState, elapsed: Double, at now: Timestamp,
                          configuration: ControllerConfiguration) {
        if let previous = state.previousDemand[role], let level = state.tokenDemand[role].level, level > 0 {
            let difference = sample - previous
            recordDemandNoise(difference * difference / (2 * level * level), role: role, in: &state, elapsed: elapsed, configuration: configuration)
        }
        state.previousDemand[role] = sample
        state.burstDemand[role].add(sample, at: now)
        recordForecastError(sample, role: role, in: &state, elapsed: elapsed, at: now, configuration: configuration)
        // A burst's rising edge is no ramp: it is over before a start could help, and bursty
        // arrivals are held by the fleet taken over and the burst floor instead.
        let bursty = burstiness(state, configuration: configuration) > 1
        let rampSignal = bursty ? nil : state.demandForecastError[role]?.trackingSignal
        if !isRamp(rampSignal, configuration: configuration) {
            state.rampingSince[role] = nil
        } else {
            if state.rampingSince[role] == nil { state.rampingSince[role] = now }
            state.lastRamping[role] = now
        }
        adaptSmoothing(&state.tokenDemand[role], noise: state.demandNoise[role], rampSignal: rampSignal,
                       elapsed: elapsed, configuration: configuration)
        state.tokenDemand[role].add(sample, at: now)
        if state.tokenDemand[role].trend <= 0 {
            state.risingSince[role] = nil
        } else if state.risingSince[role] == nil {
            state.risingSince[role] = now
        }
    }

    /// One noise sample into the role's exponential average over `burstinessTimeConstant`,
    /// once the role's demand has been watched for as long as growth waits for (twice
    /// `minGrowthObservedSeconds`, three minutes). The first intervals a controller sees are
    /// the smoothers settling (a partial first interval, an output length that grows as longer
    /// answers finish); taken as noise, one such difference held a chat fleet's demand at a
    /// 120 s level for its first ten minutes in Dynamo's simulator (attainment 0.936 → 0.883).
    static func recordDemandNoise(_ noise: Double, role: Role, in state: inout EstimatorState, elapsed: Double,
                                  configuration: ControllerConfiguration) {
        state.demandWatchedSeconds[role] += elapsed
        guard state.demandWatchedSeconds[role] >= 2 * configuration.estimation.minGrowthObservedSeconds else { return }
        guard let current = state.demandNoise[role] else {
            state.demandNoise[role] = noise
            return
        }
        let weight = smoothingWeight(seconds: elapsed, timeConstant: configuration.estimation.burstinessTimeConstant)
        state.demandNoise[role] = current + weight * (noise - current)
    }

    /// Sets the demand level's time constant so its relative standard error stays near
    /// `demandPrecision`.
    ///
    /// An exponential average with weight α per tick keeps α ÷ (2 − α) of one tick's variance,
    /// so a tick whose relative variance is n needs α = 2ε² ÷ (n + ε²). Chat at forty requests a
    /// second is precise within a tick and keeps the 30 s level; three long-context requests a
    /// second, prompts spread over two orders of magnitude, are not: at 30 s their level swung
    /// ±10 %, its trend projected the swing over a start-up time, and the fleet held the peaks
    /// of that noise (4 prefill instances started on a 35 % jump that was one 85 k prompt).
    /// The noise is measured from consecutive ticks' differences, so a level that merely moves
    /// does not read as noise.
    ///
    /// A level averaged that long lags a sustained rise by its time constant, and its trend,
    /// averaged four times longer, by more: a 70B prefill tier (300 s starts) saw its prompts
    /// lengthen eightfold in twelve minutes and asked for each instance five minutes after it
    /// was needed (94.9 % of requests in time). While the forecasts keep falling short
    /// (`rampSignal` above `rampSignalThreshold`) the level shortens toward the 30 s one and
    /// the trend follows at twice its time constant. Only a rise: falling traffic is not
    /// anticipated (see `forecast`).
    static func adaptSmoothing(_ smoother: inout HoltSmoother, noise: Double?, rampSignal: Double? = nil, elapsed: Double,
                               configuration: ControllerConfiguration) {
        let estimation = configuration.estimation
        let base = estimation.arrivalLevelTimeConstant
        var timeConstant = base
        if let noise, elapsed > 0 {
            let precision = estimation.demandPrecision * estimation.demandPrecision
            let alpha = min(0.99, 2 * precision / (noise + precision))
            timeConstant = min(max(timeConstant, -elapsed / Double.log(1 - alpha)), max(timeConstant, estimation.maxDemandTimeConstant))
        }
        var trendMultiple = 4.0
        let threshold = max(estimation.rampSignalThreshold, 0)
        if let rampSignal, isRamp(rampSignal, configuration: configuration) {
            timeConstant = base + (timeConstant - base) * max(0, (1 - rampSignal) / (1 - threshold))
            trendMultiple = 2
        }
        smoother.levelTimeConstant = timeConstant
        smoother.trendTimeConstant = max(estimation.arrivalTrendTimeConstant, trendMultiple * timeConstant)
    }

    /// Whether a tracking signal says the level follows a sustained rise: above
    /// `rampSignalThreshold` (a threshold of 1 or more: never).
    static func isRamp(_ rampSignal: Double?, configuration: ControllerConfiguration) -> Bool {
        let threshold = max(configuration.estimation.rampSignalThreshold, 0)
        guard let rampSignal, threshold < 1 else { return false }
        return rampSignal > threshold
    }

    /// Roles whose ramp has lasted `rampOutrunStartups` start-up times while their requests
    /// queue: capacity started one start-up time ago already fell short of it.
    static func rampsOutrunningFleet(_ state: EstimatorState, observation: IntervalObservation, at now: Timestamp,
                                     configuration: ControllerConfiguration) -> PerRole<Bool> {
        let sustained = configuration.estimation.rampOutrunStartups * state.startupSeconds
        return state.rampingSince.map { role, since in
            guard let since, now - since >= sustained else { return false }
            return observation.queuesForCapacity(role)
        }
    }

    /// How far the demand level missed this tick's sample, into the role's forecast errors,
    /// once its noise is measured too (the first minutes are the smoothers settling).
    static func recordForecastError(_ sample: Double, role: Role, in state: inout EstimatorState, elapsed: Double, at now: Timestamp,
                                    configuration: ControllerConfiguration) {
        let smoother = state.tokenDemand[role]
        guard state.demandNoise[role] != nil, let level = smoother.level, level > 0, let last = smoother.lastUpdate,
              let predicted = smoother.forecast(horizon: now - last) else { return }
        let error = (sample - predicted) / level
        // The first error alone is no evidence of a lag: its mean starts from none.
        var errors = state.demandForecastError[role] ?? ForecastErrors(mean: 0, meanAbsolute: abs(error))
        let weight = smoothingWeight(seconds: elapsed, timeConstant: configuration.estimation.rampSignalTimeConstant)
        errors.mean += weight * (error - errors.mean)
        errors.meanAbsolute += weight * (abs(error) - errors.meanAbsolute)
        state.demandForecastError[role] = errors
    }

    /// Mean prompt tokens a prefill instance computes per request: the prompt less what the
    /// prefix caches hold. The prompt length itself while no engine reports cache hits.
    public static func effectiveInputLength(_ state: EstimatorState) -> Double? {
        state.inputLength.value.map { $0 * (1 - (state.prefixHitRate.value ?? 0)) }
    }

    /// The prompt length attention costs are priced at: E[n²] / E[n] = mean · (1 + cs²), the
    /// mean weighted by tokens. A prompt's attention grows with its square, so a tier serving
    /// prompts of 12 k tokens on average with a long tail (cs² ≈ 2) spends on attention what
    /// even 12 k-token prompts would spend three times over; priced at the mean, it was planned
    /// a third short and only the latency feedback, swinging, made up for it.
    static func attentionLength(_ meanTokens: Double?, state: EstimatorState) -> Double? {
        meanTokens.map { $0 * (1 + min(16, max(0, state.promptSCV.value ?? 0))) }
    }

    /// Folds saturated-throughput samples in and returns per-instance capacity by role: the
    /// prior scaled by what was measured, or the measurements alone without a prior.
    static func learnCapacity(_ state: inout EstimatorState, observation: IntervalObservation,
                              configuration: ControllerConfiguration) -> PerRole<Double?> {
        let priors = configuration.priors
        let retention = configuration.estimation.capacitySampleRetention
        let isl = state.inputLength.value
        let decodeContext = (isl ?? 0) + (state.outputLength.value ?? 0) / 2
        for sample in observation.saturatedThroughput.prefill {
            if let prior = priors.prefill {
                // Measured against what the prior expects at this interval's prompt lengths,
                // so a longer mix is not mistaken for a slower instance.
                let expected = prior.tokensPerSecond(promptTokens: attentionLength(observation.meanInputTokens ?? isl, state: state))
                state.capacity.prefill.add(sample / expected, retention: retention)
            } else {
                state.capacity.prefill.add(sample, retention: retention)
            }
        }
        for sample in observation.saturatedThroughput.decode {
            if let prior = priors.decode {
                let predicted = prior.saturatedThroughput(meanContext: decodeContext)
                if predicted > 0 { state.capacity.decode.add(sample / predicted, retention: retention) }
            } else {
                state.capacity.decode.add(sample, retention: retention)
            }
        }
        return PerRole(
            prefill: priors.prefill.map {
                $0.tokensPerSecond(promptTokens: attentionLength(isl, state: state)) * state.capacity.prefill.ratioToPrior(priorWeight: priors.weightInSamples)
            } ?? state.capacity.prefill.mean,
            decode: priors.decode.map {
                $0.throughput(atTPOT: configuration.slo.tpotSeconds, meanContext: decodeContext)
                    * state.capacity.decode.ratioToPrior(priorWeight: priors.weightInSamples)
            } ?? state.capacity.decode.mean
        )
    }

    /// Decides which latency misses are evidence against the capacity estimate (see
    /// `updateCorrections`) and applies them; returns whether TTFT misses only for prompts no
    /// instance can serve in time, and whether it misses because the KV hand-off takes most of
    /// the target (`handoffDominates`): more prefill would fix neither.
    static func applyLatencyFeedback(_ state: inout EstimatorState, observation: IntervalObservation, capacity: PerRole<Double?>,
                                     elapsed: Double, starting: PerRole<Int>, burstiness: Double,
                                     configuration: ControllerConfiguration) -> (notCapacity: Bool, handoffBound: Bool) {
        let now = state.lastUpdate ?? Timestamp(seconds: 0)
        if observation.prefillQueueing(isl: effectiveInputLength(state), capacity: capacity.prefill, ttftTarget: configuration.slo.ttftSeconds) {
            state.lastPrefillQueueing = now
        }
        let queueingSeen = state.lastPrefillQueueing.map { now - $0 <= configuration.estimation.latencyWindowSeconds } ?? false
        let modelSaysEnough = PerRole(
            prefill: prefillSuffices(state, capacity: capacity, ready: observation.freshWorkers.prefill, burstiness: burstiness,
                                     configuration: configuration),
            decode: suffices(demand: state.tokenDemand.decode.level, capacity: capacity.decode, ready: observation.freshWorkers.decode)
        )
        // A tail miss whose body (p90 for p99) is fast is long prompts, not a slow tier.
        let bodySlow = observation.ttftBodyQuantile.map { $0 > 0.5 * configuration.slo.ttftSeconds } ?? true
        let prefillWaits = queueingSeen && bodySlow
        let ttftMissed = (observation.ttftQuantile ?? 0) > configuration.slo.ttftSeconds
        let handoffBound = ttftMissed && handoffDominates(state.kvTransferSeconds.value, configuration: configuration)
        let notCapacity = updateCorrections(&state, observation: observation, elapsed: elapsed,
                                            correctable: PerRole(prefill: prefillWaits && !handoffBound && starting.prefill == 0 && modelSaysEnough.prefill,
                                                                 decode: starting.decode == 0 && modelSaysEnough.decode),
                                            prefillWaits: prefillWaits, configuration: configuration)
        return (notCapacity && !handoffBound, handoffBound)
    }

    /// The KV hand-off alone takes half the TTFT target or more: a faster prefill tier cannot
    /// bring TTFT under the target, the link must get faster (or the target looser).
    static func handoffDominates(_ handoffSeconds: Double?, configuration: ControllerConfiguration) -> Bool {
        guard let handoffSeconds else { return false }
        return handoffSeconds >= 0.5 * configuration.slo.ttftSeconds
    }

    /// Whether `ready` instances at the capacity estimate carry today's demand. Only then is a
    /// latency miss evidence that the estimate is too high; when they do not, the miss is
    /// the shortfall the plan is already adding instances for, and correcting for it too would
    /// count the shortfall twice (a cold start asked for 25 prefill instances that way).
    static func suffices(demand: Double?, capacity: Double?, ready: Int) -> Bool {
        guard let demand, let capacity, capacity > 0 else { return true }
        return demand <= Double(ready) * capacity
    }

    /// Whether the ready prefill instances should meet the TTFT target by the queue model: the
    /// demand, at its latest tick's sample when that is above the smoothed level, within what
    /// they serve at the utilisation the model plans for it. A miss beyond that is the queue the
    /// model predicts, not an estimate that is too high: a 70B code fleet of 16 carrying a
    /// burst at 98 % of its capacity missed TTFT (as any queue that full does), read it as a
    /// capacity 18 % lower and held one or two extra instances for fifteen minutes; the level,
    /// smoothed over 30 s, was still below capacity when the burst's own tick was not.
    static func prefillSuffices(_ state: EstimatorState, capacity: PerRole<Double?>, ready: Int, burstiness: Double,
                                configuration: ControllerConfiguration) -> Bool {
        guard let level = state.tokenDemand.prefill.level else { return true }
        let demand = max(level, state.previousDemand.prefill ?? 0)
        let utilisation = plannedPrefillUtilisation(demand: demand, state: state, capacity: capacity.prefill, burstiness: burstiness,
                                                    configuration: configuration)
        return suffices(demand: demand, capacity: capacity.prefill.map { $0 * utilisation }, ready: ready)
    }

    /// One sample of the prompt lengths' squared coefficient of variation, from how much each
    /// prefill worker's mean prompt this interval strays from the mean of all: a mean over n
    /// prompts has variance σ²/n, so n·(m − m̄)² estimates σ² whatever n is. No engine exports
    /// the variance of prompt lengths, and the queue's waiting time grows with it: a tier sized
    /// for prompts as even as chat's queues behind long-context traffic's 85 k-token tail.
    static func recordPromptVariability(_ state: inout EstimatorState, batches: [IntervalObservation.PromptBatch], at now: Timestamp) {
        let requests = batches.reduce(0) { $0 + $1.requests }
        guard batches.count >= 2, requests > 0 else { return }
        let mean = batches.reduce(0) { $0 + $1.requests * $1.meanTokens } / requests
        guard mean > 0 else { return }
        let variance = batches.reduce(0) { $0 + $1.requests * ($1.meanTokens - mean) * ($1.meanTokens - mean) } / Double(batches.count - 1)
        state.promptSCV.add(variance / (mean * mean), at: now)
    }

    /// Latency feedback: shrink the capacity planned with while a target is missed for want of
    /// capacity, relax back once it is met again. Returns the roles whose target is missed for
    /// another reason, which more instances would not fix.
    ///
    /// A miss corrects a role's capacity only when it is `correctable`: the ready instances
    /// should carry the demand by the estimate (prefill: meet its TTFT by the queue model,
    /// `prefillSuffices`), none of the role is starting (a queue then is
    /// the start-up backlog they are coming to serve) and, for prefill, the tier waits: its
    /// queues held a quarter of the target's worth of work in the latency window and the body
    /// of TTFT (p90 for a p99 SLO) is above half the target. A miss in the tail alone comes
    /// from prompts too long for any instance to serve in time, which more instances would
    /// only idle beside.
    static func updateCorrections(_ state: inout EstimatorState, observation: IntervalObservation, elapsed: Double,
                                  correctable: PerRole<Bool>, prefillWaits: Bool,
                                  configuration: ControllerConfiguration) -> Bool {
        let estimation = configuration.estimation
        let slo = configuration.slo
        let recovery = Double.exp(-elapsed / max(1, estimation.correctionRecoveryTimeConstant))
        let now = state.lastUpdate ?? Timestamp(seconds: 0)
        // A miss tightens by the measured ratio target/observed, but by at most
        // `correctionStep` and once per latency window: the window spans several ticks, so
        // tightening every tick would count one slow minute several times over. Between
        // tightenings a continuing miss holds the correction where it is.
        func corrected(_ current: Double, role: Role, observed: Double?, target: Double, counts: Bool, pressured: Bool) -> Double {
            var next = 1 - (1 - current) * recovery
            if counts, let observed, observed > target {
                let due = state.lastCorrectionTightening[role].map { now - $0 >= estimation.latencyWindowSeconds } ?? true
                if due {
                    next = min(next, current * max(target / observed, 1 - estimation.correctionStep))
                    state.lastCorrectionTightening[role] = now
                } else {
                    next = min(next, current)
                }
            }
            if pressured { next = min(next, 0.9) }
            return min(1, max(estimation.minCorrection, next))
        }
        let ttftMissed = (observation.ttftQuantile ?? 0) > slo.ttftSeconds
        let decodeQueueing = observation.queuedPerWorker(.decode) > 1
        // KV pressure alone is how a well-packed decode tier looks; it is a signal only once
        // TPOT nears its target or requests wait for KV space.
        let tpotNearTarget = (observation.tpotQuantile ?? 0) >= 0.9 * slo.tpotSeconds
        let kvPressured = (observation.decodeKVUsage ?? 0) > estimation.kvPressureThreshold && (tpotNearTarget || decodeQueueing)
        state.corrections.prefill = corrected(
            state.corrections.prefill, role: .prefill, observed: observation.ttftQuantile, target: slo.ttftSeconds,
            counts: correctable.prefill, pressured: false)
        state.corrections.decode = corrected(
            state.corrections.decode, role: .decode, observed: observation.tpotQuantile, target: slo.tpotSeconds,
            counts: correctable.decode, pressured: kvPressured && correctable.decode)
        return ttftMissed && !prefillWaits
    }

    /// Rising traffic is met ahead of time; falling traffic is not anticipated, because
    /// shrinking early costs SLO misses while shrinking late only costs GPU minutes. A worker
    /// asked for now serves only after the start-up time, so the plan must also hold against
    /// growth nobody could forecast yet (a ramp that starts, a burst): `allowance` above today's
    /// level, never more than `maxForecastGrowth` times it.
    static func forecast(_ smoother: HoltSmoother, horizon: Double, allowance: Double, configuration: ControllerConfiguration) -> Double {
        let level = smoother.level ?? 0
        let ahead = smoother.forecast(horizon: horizon) ?? 0
        return min(max(level * (1 + allowance), ahead), level * max(configuration.estimation.maxForecastGrowth, 1))
    }

    /// The growth each role's plan absorbs, as a fraction of its level: the growth learned from
    /// the traffic (see `GrowthHistory`), at least `growthAllowance`, scaled by the headroom knob.
    ///
    /// Learned growth is capped so the plan never exceeds the highest demand of the remembered
    /// past by more than `growthAllowance`: a ratio learned from quiet moments would otherwise
    /// double a peak that has nowhere left to climb (it held 9 decode instances where 4 served the
    /// hour's peak), and a fixed split sized for the past hour's peak is what an elastic plan
    /// must never cost more than. Except for a role whose ramp `outrun`s the fleet: a peak it
    /// climbs past each minute is no ceiling. Dynamo's simulator, one-minute starts, prompts
    /// lengthening sixfold in five minutes: capped at the peak, prefill grew one instance per
    /// start-up and its queue held every request past TTFT for ten minutes (0.527 of requests
    /// in time; 0.621 uncapped). Only after a start-up time of it, and only while requests
    /// queue: a chat swing's first minutes, which the fleet absorbed, cost 8B chat hours up to
    /// 17 % more GPU-hours uncapped (docs/evaluation.md, "Fulcrum against NVIDIA Dynamo's planner").
    static func growthAllowances(_ state: EstimatorState, outrun: PerRole<Bool> = PerRole(repeating: false),
                                 configuration: ControllerConfiguration) -> PerRole<Double> {
        let estimation = configuration.estimation
        let learned = state.growth.growthFactor(horizon: state.startupSeconds, quantile: estimation.growthQuantile,
                                                 minimumObserved: estimation.minGrowthObservedSeconds)
        let peak = state.growth.peak
        let levels = PerRole(prefill: state.tokenDemand.prefill.level ?? 0, decode: state.tokenDemand.decode.level ?? 0)
        func allowance(_ role: Role) -> Double {
            var factor = max(1 + estimation.growthAllowance, learned?[role] ?? 1)
            // From the first learned growth on, even over a short history: growth learned from
            // three minutes that held one burst's rising edge tripled that burst's peak (a code
            // fleet taken over at 14 prefill instances asked for 30 as the burst was ending).
            if learned != nil, levels[role] > 0, !outrun[role] {
                factor = min(factor, max(1, peak[role] / levels[role]) * (1 + estimation.growthAllowance))
            }
            return (factor - 1) * max(0, configuration.headroom)
        }
        return PerRole(prefill: allowance(.prefill), decode: allowance(.decode))
    }

    /// Forecast token demand plus the backlog term, by role.
    ///
    /// Queued work is planned to drain over the start-up time plus `backlogDrainSeconds`:
    /// capacity asked for now helps only once it has started, and sizing it to drain the
    /// queue within a minute of a start it cannot finish in that minute buys instances that
    /// arrive to an empty queue. A queue stuck behind one worker while others sit idle is a
    /// routing problem, not demand, and is left out (see `routingImbalance`).
    static func plannedDemand(_ state: EstimatorState, observation: IntervalObservation, allowance: PerRole<Double>,
                              trendHorizons horizons: PerRole<Double>,
                              configuration: ControllerConfiguration) -> (demand: PerRole<Double>, backlog: PerRole<Double>) {
        let horizon = configuration.estimation.backlogDrainSeconds + state.startupSeconds
        let queued = PerRole(
            prefill: observation.routingImbalance.prefill ? 0 : observation.queuedRequests.prefill,
            decode: observation.routingImbalance.decode ? 0 : observation.queuedRequests.decode
        )
        let backlog = PerRole(
            prefill: queued.prefill * (effectiveInputLength(state) ?? 0) / horizon,
            decode: queued.decode * (state.outputLength.value ?? 0) / horizon
        )
        let demand = PerRole(
            prefill: forecast(state.tokenDemand.prefill, horizon: horizons.prefill, allowance: allowance.prefill, configuration: configuration)
                + backlog.prefill,
            decode: forecast(state.tokenDemand.decode, horizon: horizons.decode, allowance: allowance.decode, configuration: configuration)
                + backlog.decode
        )
        return (demand, backlog)
    }

    /// How far ahead each role's demand trend is projected: the start-up time, shortened for a
    /// rise younger than it to `trendLookaheadPerRise` of the rise's age. A trend measured
    /// over a minute says little about the next five: projected over a 70B fleet's five-minute
    /// start-up, the first two minutes of a code burst asked for 30 prefill instances where 16
    /// were running (24 now), all of them ready after it (docs/evaluation.md). A rise that goes on is
    /// projected over the whole start-up time once it has lasted twice as long; until then the
    /// learned growth allowance, not the trend, holds its next minutes.
    ///
    /// Except a ramp, now or within the last start-up time: the tracking signal has shown the
    /// rise is sustained, and the steps of a mix drifting for ten minutes each look young.
    /// Shortened there too, seven 70B hours of prompts lengthening in 100 s steps met 96.3–98.3 %
    /// of requests where they meet 98.3–99.4 %.
    static func trendHorizons(_ state: EstimatorState, configuration: ControllerConfiguration) -> PerRole<Double> {
        let perRise = max(0, configuration.estimation.trendLookaheadPerRise)
        let ramped = rampedRecently(state)
        return state.risingSince.map { role, since in
            guard let since, let now = state.lastUpdate, !ramped[role] else { return state.startupSeconds }
            return min(state.startupSeconds, perRise * max(0, now - since))
        }
    }

    /// Roles whose demand the tracking signal read as a ramp now or within the last start-up
    /// time: a rise shown to be sustained, whose next steps are planned at once rather than
    /// judged by their own age (see `trendHorizons`, `Controller.scaleUpPaceSeconds`).
    static func rampedRecently(_ state: EstimatorState) -> PerRole<Bool> {
        state.lastRamping.map { _, ramped in
            guard let ramped, let now = state.lastUpdate else { return false }
            return now - ramped <= state.startupSeconds
        }
    }

    /// Share of capacity to plan for, by role. Prefill: the pooled queue's answer for this
    /// demand (see `PrefillQueueModel`); decode: `decodeUtilisation`. The headroom knob scales
    /// the spare capacity either leaves.
    static func utilisationTargets(demand: Double, capacity: PerRole<Double?>, correction: Double, isl: Double?, handoffSeconds: Double,
                                   burstiness: Double, serviceSCV: Double, configuration: ControllerConfiguration) -> PerRole<Double> {
        let headroom = max(0, configuration.headroom)
        let decodeSpare = (1 / max(0.01, configuration.estimation.decodeUtilisation) - 1) * headroom
        return PerRole(
            prefill: prefillUtilisation(demand: demand, capacity: capacity.prefill.map { $0 * correction }, isl: isl,
                                        handoffSeconds: handoffSeconds, burstiness: burstiness, serviceSCV: serviceSCV,
                                        configuration: configuration),
            decode: 1 / (1 + decodeSpare)
        )
    }

    /// The prefill utilisation at which the pooled prefill tier meets the TTFT target for
    /// `demand` tokens/s: offered load ÷ instances needed, with the spare instances scaled by
    /// the headroom knob and the result held within `prefillUtilisationRange`. The KV hand-off
    /// to decode comes out of the target first (never more than half of it: beyond that the
    /// hand-off dominates and more prefill would not help, see `handoffDominates`).
    public static func prefillUtilisation(demand: Double, capacity: Double?, isl: Double?, handoffSeconds: Double = 0,
                                          burstiness: Double, serviceSCV: Double = 1, configuration: ControllerConfiguration) -> Double {
        let range = configuration.estimation.prefillUtilisationRange
        guard let capacity, capacity > 0, let isl, isl > 0 else { return range.lowerBound }
        let load = max(0, demand) / capacity
        guard load > 0 else { return range.upperBound }
        let overhead = configuration.priors.prefill?.batchOverheadSeconds ?? 0
        let model = PrefillQueueModel.Input(
            offeredLoad: load, serviceSeconds: overhead + isl / capacity,
            ttftTargetSeconds: configuration.slo.ttftSeconds - min(max(0, handoffSeconds), 0.5 * configuration.slo.ttftSeconds),
            percentile: configuration.slo.percentile, arrivalSCV: max(1, burstiness), serviceSCV: min(16, max(0, serviceSCV)))
        guard let needed = PrefillQueueModel.instancesNeeded(model) else { return range.lowerBound }
        let planned = load + max(0, needed - load) * max(0, configuration.headroom)
        guard planned > 0 else { return range.upperBound }
        return min(range.upperBound, max(range.lowerBound, load / planned))
    }

    /// How much burstier than Poisson arrivals are, as the squared coefficient of variation
    /// of inter-arrival times (ca²) that queueing formulas take: 1 for Poisson.
    ///
    /// Below `burstinessThreshold` the difference from Poisson is within what a few minutes of
    /// samples can tell apart, so it counts as 1 and a Poisson-like load is planned exactly as
    /// such; above it, bursts are real and prefill keeps more headroom.
    public static func burstiness(_ state: EstimatorState, configuration: ControllerConfiguration) -> Double {
        let estimation = configuration.estimation
        guard state.dispersionSamples >= estimation.minBurstinessSamples, let dispersion = state.arrivalDispersion.value,
              dispersion >= estimation.burstinessThreshold
        else { return 1 }
        return min(dispersion, estimation.maxBurstiness)
    }

    /// One dispersion sample from two consecutive ticks' arrival counts: (r₂ − r₁)² divided by
    /// the variance Poisson arrivals at their pooled rate would give the difference,
    /// r̄·(1/Δ₁ + 1/Δ₂), so Poisson arrivals give 1 on average.
    ///
    /// Differencing neighbours, not comparing a tick with a smoothed level, is what keeps a
    /// rate that merely moves from reading as bursts: at a thousand requests a tick, a level
    /// lagging a rising rate by 5 % gave a "dispersion" of 2.5 from a perfectly Poisson stream,
    /// and the prefill tier was sized for clumps that were not there.
    static func recordDispersion(_ state: inout EstimatorState, rate: Double, elapsed: Double, configuration: ControllerConfiguration) {
        defer { state.previousArrivals = elapsed > 0 ? .init(rate: rate, seconds: elapsed) : nil }
        guard elapsed > 0, let previous = state.previousArrivals else { return }
        let counts = (previous.rate * previous.seconds, rate * elapsed)
        // A handful of requests over two ticks says nothing about bursts.
        guard counts.0 + counts.1 >= 10 else { return }
        let pooledRate = (counts.0 + counts.1) / (previous.seconds + elapsed)
        let poissonVariance = pooledRate * (1 / previous.seconds + 1 / elapsed)
        let difference = rate - previous.rate
        // Weighed by the tick it adds, not by the time since the last sample: ticks with too few
        // requests add none, and after idle minutes the first trickle would otherwise replace
        // the bursts before them, releasing the fleet held for the next burst (a code hour met
        // 79 % after three hours of the same shape, its largest burst two minutes in).
        state.arrivalDispersion.add(difference * difference / poissonVariance, weighingSeconds: elapsed,
                                    at: state.lastUpdate ?? Timestamp(seconds: 0))
        state.dispersionSamples += 1
    }
}
