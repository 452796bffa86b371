/// What happened between the previous snapshot and this one, from counter and histogram
/// deltas. Raw and unsmoothed: one interval's evidence.
public struct IntervalObservation: Sendable, Hashable, Codable {
    /// Requests per second entering the system, if measurable this interval.
    public var arrivalRate: Double?
    /// Mean prompt tokens of requests prefilled this interval.
    public var meanInputTokens: Double?
    /// Mean output tokens of requests finished this interval.
    public var meanOutputTokens: Double?
    /// TTFT and TPOT at the SLO percentile over the interval, when enough requests were seen.
    public var ttftQuantile: Double?
    /// TTFT at the body percentile (`bodyPercentile(of:)`), over the same window: whether the
    /// bulk of requests wait, or only the tail.
    public var ttftBodyQuantile: Double?
    public var tpotQuantile: Double?
    /// Saturated throughput samples (tokens/s), one per worker whose queue stayed busy.
    public var saturatedThroughput: PerRole<[Double]> = PerRole(repeating: [])
    /// Observed start-up durations of workers that became ready since the last snapshot.
    public var startupDurations: [Double] = []
    /// Requests queued on fresh workers now, by role.
    public var queuedRequests: PerRole<Double> = PerRole(repeating: 0)
    /// Requests in flight (queued + running) on fresh workers now, by role.
    public var inFlightRequests: PerRole<Double> = PerRole(repeating: 0)
    /// Mean KV use of fresh ready decode workers, when exposed.
    public var decodeKVUsage: Double?
    /// Ready workers with fresh and with stale (or missing) telemetry, by role.
    public var freshWorkers: PerRole<Int> = PerRole(repeating: 0)
    public var staleWorkers: PerRole<Int> = PerRole(repeating: 0)
    /// Each prefill worker's requests finished this interval and their mean prompt length: how
    /// much those means scatter tells how varied prompts are (see `Estimator.promptVariability`).
    public var promptBatches: [PromptBatch] = []

    public struct PromptBatch: Sendable, Hashable, Codable {
        public var requests: Double
        public var meanTokens: Double
    }

    /// The most requests queued on any one fresh worker, by role.
    public var mostQueuedOnOneWorker: PerRole<Double> = PerRole(repeating: 0)
    /// Fresh ready workers with nothing queued or running, by role.
    public var idleWorkers: PerRole<Int> = PerRole(repeating: 0)

    public init() {}

    /// The percentile that speaks for the bulk of requests when the SLO is at `percentile`:
    /// ten times further from 1 (p90 for p99), never below the median. Prompts too long for any
    /// instance sit in the tail beyond it unless they are a tenth of all traffic.
    public static func bodyPercentile(of percentile: Double) -> Double {
        max(0.5, 1 - 10 * (1 - min(max(percentile, 0), 1)))
    }

    /// Prefill queues hold enough work that a new prompt would wait a quarter of the TTFT
    /// target or more for it, with `capacity` tokens/s per instance and prompts of `isl`
    /// tokens: TTFT is waiting for capacity, not only for long prompts. A long prompt alone
    /// makes a short queue behind it on one instance; a tier short of capacity queues on all.
    public func prefillQueueing(isl: Double?, capacity: Double?, ttftTarget: Double) -> Bool {
        guard freshWorkers.prefill > 0, queuedRequests.prefill > 0 else { return false }
        guard let isl, let capacity, capacity > 0 else { return queuedRequests.prefill >= Double(freshWorkers.prefill) }
        let wait = queuedRequests.prefill * isl / (Double(freshWorkers.prefill) * capacity)
        return wait >= 0.25 * ttftTarget
    }

    /// A role's queue sits mostly on one worker while another is idle. Routers do not move
    /// queued requests, so more instances would not drain it: it is reported, not planned for.
    /// The usual cause is a start-up backlog routed to the first worker before the others
    /// were ready, or a router that ignores load (round robin).
    public var routingImbalance: PerRole<Bool> {
        PerRole(
            prefill: Self.imbalanced(queued: queuedRequests.prefill, most: mostQueuedOnOneWorker.prefill, idle: idleWorkers.prefill),
            decode: Self.imbalanced(queued: queuedRequests.decode, most: mostQueuedOnOneWorker.decode, idle: idleWorkers.decode)
        )
    }

    private static func imbalanced(queued: Double, most: Double, idle: Int) -> Bool {
        idle > 0 && most >= 2 && most >= 0.5 * queued
    }
}

/// Memory of the previous snapshot that deltas are taken against.
public struct ObservationMemory: Sendable, Hashable, Codable {
    var telemetry: [WorkerID: WorkerTelemetry] = [:]
    var lifecycle: [WorkerID: WorkerLifecycle] = [:]
    var frontend: FrontendTelemetry?
    /// Recent intervals' latency observations: a tail quantile needs more requests than one
    /// tick sees.
    var latencyWindow: [LatencyInterval] = []

    struct LatencyInterval: Sendable, Hashable, Codable {
        var time: Timestamp
        var ttft: CumulativeHistogram?
        var itl: CumulativeHistogram?
    }

    public init() {}
}

public enum IntervalObserver {
    /// Computes one interval's observation and the memory for the next.
    public static func observe(
        _ snapshot: ClusterSnapshot,
        memory: ObservationMemory,
        configuration: ControllerConfiguration
    ) -> (IntervalObservation, ObservationMemory) {
        let now = snapshot.time
        let estimation = configuration.estimation
        var observation = IntervalObservation()
        var nextMemory = ObservationMemory()

        var arrivalsPerSecond = 0.0
        var arrivalSamples = 0
        var promptTokens = 0.0
        var prefillFinished = 0.0
        var decodeTokens = 0.0
        var decodeFinished = 0.0
        var ttftDeltas: [CumulativeHistogram] = []
        var itlDeltas: [CumulativeHistogram] = []
        var kvUsages: [Double] = []

        for worker in snapshot.workers {
            nextMemory.lifecycle[worker.id] = worker.lifecycle
            if let telemetry = worker.telemetry { nextMemory.telemetry[worker.id] = telemetry }

            if worker.lifecycle == .ready, memory.lifecycle[worker.id] == .starting || (memory.lifecycle[worker.id] == nil && worker.readyAt.map { $0 > (now - estimation.staleAfterSeconds) } == true) {
                let readyAt = worker.readyAt ?? now
                let duration = readyAt - worker.startedAt
                if duration > 0, duration.isFinite { observation.startupDurations.append(duration) }
            }

            let isFresh = worker.telemetry.map { now - $0.scrapedAt <= estimation.staleAfterSeconds } ?? false
            // A caller that summarises traffic itself may send no per-worker telemetry at all;
            // such a worker is unobserved by design, not stale.
            let unobservedByDesign = snapshot.traffic != nil && worker.telemetry == nil
            if worker.lifecycle == .ready, !unobservedByDesign {
                if isFresh { observation.freshWorkers[worker.role] += 1 } else { observation.staleWorkers[worker.role] += 1 }
            }
            guard let current = worker.telemetry, isFresh, worker.lifecycle != .failed else { continue }
            observation.queuedRequests[worker.role] += max(0, current.requestsWaiting)
            observation.mostQueuedOnOneWorker[worker.role] = max(observation.mostQueuedOnOneWorker[worker.role], current.requestsWaiting)
            if worker.lifecycle == .ready, current.requestsInFlight <= 0 { observation.idleWorkers[worker.role] += 1 }
            observation.inFlightRequests[worker.role] += max(0, current.requestsInFlight)
            if worker.role == .decode, worker.lifecycle == .ready, let kv = current.kvCacheUsage, kv.isFinite {
                kvUsages.append(min(1, max(0, kv)))
            }

            // A delta needs two scrapes of the same worker, taken at different times.
            guard let previous = memory.telemetry[worker.id] else { continue }
            let elapsed = current.scrapedAt - previous.scrapedAt
            guard elapsed > 0 else { continue }
            let restarted = current.promptTokens < previous.promptTokens || current.requestsFinished < previous.requestsFinished
            let finished = HistogramMath.counterIncrease(from: previous.requestsFinished, to: current.requestsFinished)
            let prompt = HistogramMath.counterIncrease(from: previous.promptTokens, to: current.promptTokens)
            let generated = HistogramMath.counterIncrease(from: previous.generationTokens, to: current.generationTokens)

            switch worker.role {
            case .prefill:
                promptTokens += prompt
                prefillFinished += finished
                if finished >= 2, !restarted { observation.promptBatches.append(.init(requests: finished, meanTokens: prompt / finished)) }
                // Conservation on the prefill tier: arrivals = finished + growth of what it
                // holds. After a restart the old in-flight requests are gone, so only the
                // finished count is evidence.
                let heldGrowth = restarted ? 0 : current.requestsInFlight - previous.requestsInFlight
                arrivalsPerSecond += max(0, finished + heldGrowth) / elapsed
                arrivalSamples += 1
                if let histogram = current.timeToFirstToken {
                    ttftDeltas.append(HistogramMath.increase(from: restarted ? nil : previous.timeToFirstToken, to: histogram))
                }
                if previous.requestsWaiting > 0, current.requestsWaiting > 0, !restarted, worker.lifecycle == .ready {
                    observation.saturatedThroughput.prefill.append(prompt / elapsed)
                }
            case .decode:
                decodeTokens += generated
                decodeFinished += finished
                if let histogram = current.interTokenLatency {
                    itlDeltas.append(HistogramMath.increase(from: restarted ? nil : previous.interTokenLatency, to: histogram))
                }
                let kvFull = (previous.kvCacheUsage ?? 0) >= estimation.kvSaturationThreshold
                    && (current.kvCacheUsage ?? 0) >= estimation.kvSaturationThreshold
                // A decode worker's waiting set also holds requests whose KV is still arriving
                // from prefill, so a request or two waiting is traffic in transit, not a full
                // engine; taking such an interval's throughput as capacity learned decode 22 %
                // slower than it was. A real backlog is a tenth of the running batch.
                func backlogged(_ telemetry: WorkerTelemetry) -> Bool {
                    telemetry.requestsWaiting >= max(2, 0.1 * telemetry.requestsRunning)
                }
                if (backlogged(previous) && backlogged(current)) || kvFull, !restarted, worker.lifecycle == .ready {
                    observation.saturatedThroughput.decode.append(generated / elapsed)
                }
            }
        }

        // The frontend, when scraped, sees every request exactly once: prefer it.
        if let frontend = snapshot.frontend, now - frontend.scrapedAt <= estimation.staleAfterSeconds {
            nextMemory.frontend = frontend
            if let previous = memory.frontend, frontend.scrapedAt - previous.scrapedAt > 0,
               frontend.requestsArrived >= previous.requestsArrived {
                let elapsed = frontend.scrapedAt - previous.scrapedAt
                let arrived = frontend.requestsArrived - previous.requestsArrived
                observation.arrivalRate = arrived / elapsed
                let inputs = HistogramMath.counterIncrease(from: previous.inputTokens, to: frontend.inputTokens)
                if arrived > 0 { observation.meanInputTokens = inputs / arrived }
                let completed = HistogramMath.counterIncrease(from: previous.requestsCompleted, to: frontend.requestsCompleted)
                let outputs = HistogramMath.counterIncrease(from: previous.outputTokens, to: frontend.outputTokens)
                if completed > 0 { observation.meanOutputTokens = outputs / completed }
                if let current = frontend.timeToFirstToken {
                    ttftDeltas = [HistogramMath.increase(from: previous.timeToFirstToken, to: current)]
                }
                if let current = frontend.interTokenLatency {
                    itlDeltas = [HistogramMath.increase(from: previous.interTokenLatency, to: current)]
                }
            }
        } else {
            nextMemory.frontend = nil
        }

        // A caller's window summary comes next: it counted requests, we would only infer them.
        if observation.arrivalRate == nil, let window = snapshot.traffic, window.durationSeconds > 0, window.requests >= 0 {
            observation.arrivalRate = window.requests / window.durationSeconds
            if window.requests > 0 {
                observation.meanInputTokens = window.meanInputTokens
                observation.meanOutputTokens = window.meanOutputTokens
            }
        }
        if observation.arrivalRate == nil, arrivalSamples > 0 { observation.arrivalRate = arrivalsPerSecond }
        if observation.meanInputTokens == nil, prefillFinished > 0 { observation.meanInputTokens = promptTokens / prefillFinished }
        // In vLLM/SGLang disaggregation the decode worker serves the original request and
        // counts every output token; the prefill worker's single token is discarded.
        if observation.meanOutputTokens == nil, decodeFinished > 0 { observation.meanOutputTokens = decodeTokens / decodeFinished }

        // Latency quantiles over a sliding window. A quantile is trusted only when enough
        // observations lie beyond it: p99 of 20 requests is just the slowest one, and acting on
        // that is acting on noise.
        nextMemory.latencyWindow = memory.latencyWindow.filter { now - $0.time < estimation.latencyWindowSeconds }
        nextMemory.latencyWindow.append(.init(time: now, ttft: HistogramMath.merge(ttftDeltas), itl: HistogramMath.merge(itlDeltas)))
        let percentile = configuration.slo.percentile
        func trustedQuantile(_ histograms: [CumulativeHistogram]) -> Double? {
            guard let merged = HistogramMath.merge(histograms),
                  merged.count >= estimation.minLatencyObservations,
                  merged.count * (1 - percentile) >= estimation.minTailObservations
            else { return nil }
            return HistogramMath.quantile(percentile, of: merged)
        }
        observation.ttftQuantile = trustedQuantile(nextMemory.latencyWindow.compactMap(\.ttft))
        if observation.ttftQuantile != nil, let merged = HistogramMath.merge(nextMemory.latencyWindow.compactMap(\.ttft)) {
            observation.ttftBodyQuantile = HistogramMath.quantile(IntervalObservation.bodyPercentile(of: percentile), of: merged)
        }
        observation.tpotQuantile = trustedQuantile(nextMemory.latencyWindow.compactMap(\.itl))
        // Histograms win when there are enough of them; otherwise trust the caller's own
        // percentile, which it computed from every request in its window.
        if let window = snapshot.traffic, window.requests > 0 {
            if observation.ttftQuantile == nil, let ttft = window.ttftSeconds, ttft.isFinite, ttft >= 0 { observation.ttftQuantile = ttft }
            if observation.tpotQuantile == nil, let itl = window.interTokenLatencySeconds, itl.isFinite, itl >= 0 { observation.tpotQuantile = itl }
        }
        if !kvUsages.isEmpty { observation.decodeKVUsage = kvUsages.reduce(0, +) / Double(kvUsages.count) }
        return (observation, nextMemory)
    }
}
