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
    /// Saturated throughput samples (tokens/s), one per worker whose queue stayed busy; for
    /// prefill, computed tokens (prompt tokens less prefix-cache hits).
    public var saturatedThroughput: PerRole<[Double]> = PerRole(repeating: [])
    /// Observed start-up durations of workers that became ready since the last snapshot.
    public var startupDurations: [Double] = []
    /// Requests queued on fresh workers now, by role.
    public var queuedRequests: PerRole<Double> = PerRole(repeating: 0)
    /// Requests in flight (queued + running) on fresh workers now, by role.
    public var inFlightRequests: PerRole<Double> = PerRole(repeating: 0)
    /// Mean KV use of fresh ready decode workers, when exposed.
    public var decodeKVUsage: Double?
    /// Share of the prefill tier's prompt tokens found in prefix caches this interval, when
    /// its engines report it: those tokens arrive but are not computed.
    public var prefixHitRate: Double?
    /// Mean KV hand-off time from prefill to decode reported by fresh workers, seconds.
    public var kvTransferSeconds: Double?
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

    /// Requests queued per fresh worker of the role (per one, with none fresh).
    public func queuedPerWorker(_ role: Role) -> Double {
        queuedRequests[role] / Double(max(1, freshWorkers[role]))
    }

    /// At least one request queues per fresh worker of the role, and not behind one worker
    /// while others idle: the tier is short of capacity now.
    public func queuesForCapacity(_ role: Role) -> Bool {
        queuedPerWorker(role) >= 1 && !routingImbalance[role]
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
    /// Each worker's last telemetry, shared with the snapshot it came from (not copied).
    var telemetry: [WorkerID: SharedTelemetry] = [:]
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
        let estimation = configuration.estimation
        var observation = IntervalObservation()
        var nextMemory = ObservationMemory()
        var totals = WorkerTotals()
        nextMemory.lifecycle.reserveCapacity(snapshot.workers.count)
        nextMemory.telemetry.reserveCapacity(snapshot.workers.count)
        for worker in snapshot.workers {
            nextMemory.lifecycle[worker.id] = worker.lifecycle
            if let telemetry = worker.sharedTelemetry { nextMemory.telemetry[worker.id] = telemetry }
            observeWorker(worker, in: snapshot, memory: memory, estimation: estimation, into: &observation, totals: &totals)
        }
        nextMemory.frontend = observeFrontend(snapshot, previous: memory.frontend, estimation: estimation, into: &observation, totals: &totals)
        fillFromTrafficWindow(snapshot.traffic, into: &observation)
        fillFromWorkers(totals, into: &observation)
        nextMemory.latencyWindow = nextLatencyWindow(after: memory.latencyWindow, now: snapshot.time, totals: totals, estimation: estimation)
        observeLatency(nextMemory.latencyWindow, traffic: snapshot.traffic, percentile: configuration.slo.percentile,
                       estimation: estimation, into: &observation)
        if !totals.kvUsages.isEmpty { observation.decodeKVUsage = totals.kvUsages.reduce(0, +) / Double(totals.kvUsages.count) }
        if totals.prefixQueried > 0 { observation.prefixHitRate = min(1, totals.prefixHit / totals.prefixQueried) }
        if !totals.kvTransfers.isEmpty { observation.kvTransferSeconds = totals.kvTransfers.reduce(0, +) / Double(totals.kvTransfers.count) }
        return (observation, nextMemory)
    }

    /// What the workers' counters add up to over the interval, before it becomes an observation.
    private struct WorkerTotals {
        var arrivalsPerSecond = 0.0
        var arrivalSamples = 0
        var promptTokens = 0.0
        var prefillFinished = 0.0
        var decodeTokens = 0.0
        var decodeFinished = 0.0
        var ttft = HistogramIncreaseSum()
        var itl = HistogramIncreaseSum()
        var kvUsages: [Double] = []
        var prefixQueried = 0.0
        var prefixHit = 0.0
        var kvTransfers: [Double] = []
    }

    /// Counter increases between two scrapes of one worker, taken at different times.
    /// The two scrapes are held by reference, as the snapshots hold them: copied, they were
    /// most of the observation's `memmove`.
    private struct ScrapeDelta {
        let previousScrape: SharedTelemetry
        let currentScrape: SharedTelemetry
        var previous: WorkerTelemetry { previousScrape.value }
        var current: WorkerTelemetry { currentScrape.value }
        var elapsed: Double
        var restarted: Bool
        var finished: Double
        var prompt: Double
        var generated: Double

        init?(from previousScrape: SharedTelemetry, to currentScrape: SharedTelemetry) {
            let previous = previousScrape.value, current = currentScrape.value
            elapsed = current.scrapedAt - previous.scrapedAt
            guard elapsed > 0 else { return nil }
            self.previousScrape = previousScrape
            self.currentScrape = currentScrape
            restarted = current.promptTokens < previous.promptTokens || current.requestsFinished < previous.requestsFinished
            finished = HistogramMath.counterIncrease(from: previous.requestsFinished, to: current.requestsFinished)
            prompt = HistogramMath.counterIncrease(from: previous.promptTokens, to: current.promptTokens)
            generated = HistogramMath.counterIncrease(from: previous.generationTokens, to: current.generationTokens)
        }

        /// Prompt tokens looked up in the prefix cache over the interval and those found: from
        /// the engine's counters, else its hit-rate gauge applied to the prompt tokens; nil
        /// when it reports neither.
        var prefixCache: (queried: Double, hit: Double)? {
            if let queried = increase(previous.prefixCacheQueries, current.prefixCacheQueries), let hit = increase(previous.prefixCacheHits, current.prefixCacheHits) {
                guard queried.isFinite, hit.isFinite else { return nil }
                return (queried, min(hit, queried))
            }
            if let rate = current.prefixCacheHitRate, rate.isFinite {
                return (prompt, prompt * min(1, max(0, rate)))
            }
            return nil
        }

        /// Mean KV hand-off time over the interval: from the transfer histogram's counters when
        /// transfers happened, else the engine's latest-transfer gauge.
        var kvTransferSeconds: Double? {
            if let count = increase(previous.kvTransfers, current.kvTransfers), let spent = increase(previous.kvTransferSecondsTotal, current.kvTransferSecondsTotal),
               count > 0, spent.isFinite {
                return max(0, spent) / count
            }
            guard let gauge = current.kvTransferSeconds, gauge.isFinite, gauge >= 0 else { return nil }
            return gauge
        }

        /// How much an optional counter both scrapes carry grew between them. (Values, not key
        /// paths: a key-path read per counter per worker was 3 % of a 1,000-worker tick.)
        private func increase(_ before: Double?, _ after: Double?) -> Double? {
            guard let before, let after else { return nil }
            return HistogramMath.counterIncrease(from: before, to: after)
        }
    }

    /// One worker's part of the interval: its start-up, whether its telemetry is fresh, its
    /// load now and, from two scrapes, what it served in between.
    private static func observeWorker(
        _ worker: WorkerSnapshot,
        in snapshot: ClusterSnapshot,
        memory: ObservationMemory,
        estimation: ControllerConfiguration.Estimation,
        into observation: inout IntervalObservation,
        totals: inout WorkerTotals
    ) {
        let now = snapshot.time
        if let duration = startupDuration(of: worker, previously: memory.lifecycle[worker.id], now: now, estimation: estimation) {
            observation.startupDurations.append(duration)
        }
        let isFresh = worker.hasFreshTelemetry(at: now, staleAfterSeconds: estimation.staleAfterSeconds)
        // A caller that summarises traffic itself may send no per-worker telemetry at all;
        // such a worker is unobserved by design, not stale.
        let unobservedByDesign = snapshot.traffic != nil && worker.telemetry == nil
        if worker.lifecycle == .ready, !unobservedByDesign {
            if isFresh { observation.freshWorkers[worker.role] += 1 } else { observation.staleWorkers[worker.role] += 1 }
        }
        guard let current = worker.sharedTelemetry, isFresh, worker.lifecycle != .failed else { return }
        observeLoad(of: worker, current.value, into: &observation, totals: &totals)
        // A delta needs two scrapes of the same worker, taken at different times.
        guard let previous = memory.telemetry[worker.id], let delta = ScrapeDelta(from: previous, to: current) else { return }
        if let transfer = delta.kvTransferSeconds { totals.kvTransfers.append(transfer) }
        switch worker.role {
        case .prefill: observePrefill(delta, worker: worker, into: &observation, totals: &totals)
        case .decode: observeDecode(delta, worker: worker, estimation: estimation, into: &observation, totals: &totals)
        }
    }

    /// How long a worker that became ready since the last snapshot took to start, if it did.
    private static func startupDuration(
        of worker: WorkerSnapshot,
        previously: WorkerLifecycle?,
        now: Timestamp,
        estimation: ControllerConfiguration.Estimation
    ) -> Double? {
        guard worker.lifecycle == .ready,
              previously == .starting || (previously == nil && worker.readyAt.map { $0 > (now - estimation.staleAfterSeconds) } == true)
        else { return nil }
        let readyAt = worker.readyAt ?? now
        let duration = readyAt - worker.startedAt
        return duration > 0 && duration.isFinite ? duration : nil
    }

    /// Queues, requests in flight and KV use of a worker with fresh telemetry, as they stand now.
    private static func observeLoad(
        of worker: WorkerSnapshot,
        _ current: WorkerTelemetry,
        into observation: inout IntervalObservation,
        totals: inout WorkerTotals
    ) {
        observation.queuedRequests[worker.role] += max(0, current.requestsWaiting)
        observation.mostQueuedOnOneWorker[worker.role] = max(observation.mostQueuedOnOneWorker[worker.role], current.requestsWaiting)
        if worker.lifecycle == .ready, current.requestsInFlight <= 0 { observation.idleWorkers[worker.role] += 1 }
        observation.inFlightRequests[worker.role] += max(0, current.requestsInFlight)
        if worker.role == .decode, worker.lifecycle == .ready, let kv = current.kvCacheUsage, kv.isFinite {
            totals.kvUsages.append(min(1, max(0, kv)))
        }

    }

    private static func observePrefill(
        _ delta: ScrapeDelta,
        worker: WorkerSnapshot,
        into observation: inout IntervalObservation,
        totals: inout WorkerTotals
    ) {
        let (previous, current, restarted) = (delta.previous, delta.current, delta.restarted)
        let cache = delta.prefixCache
        if let cache {
            totals.prefixQueried += cache.queried
            totals.prefixHit += cache.hit
        }
        // Conservation on the prefill tier: arrivals = finished + growth of what it holds.
        // After a restart the old in-flight requests are gone, so only the finished count is
        // evidence.
        let heldGrowth = restarted ? 0 : current.requestsInFlight - previous.requestsInFlight
        totals.arrivalsPerSecond += max(0, delta.finished + heldGrowth) / delta.elapsed
        totals.arrivalSamples += 1
        if let histogram = current.timeToFirstToken {
            totals.ttft.add(from: restarted ? nil : previous.timeToFirstToken, to: histogram)
        }
        // Zeros from an engine that does not count tokens say nothing about prompts or speed.
        guard current.countsTokens, previous.countsTokens else { return }
        totals.promptTokens += delta.prompt
        totals.prefillFinished += delta.finished
        if delta.finished >= 2, !restarted {
            observation.promptBatches.append(.init(requests: delta.finished, meanTokens: delta.prompt / delta.finished))
        }
        if previous.requestsWaiting > 0, current.requestsWaiting > 0, !restarted, worker.lifecycle == .ready {
            // Capacity in computed tokens: cached prefixes cost (almost) nothing.
            let computedShare = cache.map { $0.queried > 0 ? 1 - $0.hit / $0.queried : 1 } ?? 1
            observation.saturatedThroughput.prefill.append(delta.prompt * computedShare / delta.elapsed)
        }
    }

    private static func observeDecode(
        _ delta: ScrapeDelta,
        worker: WorkerSnapshot,
        estimation: ControllerConfiguration.Estimation,
        into observation: inout IntervalObservation,
        totals: inout WorkerTotals
    ) {
        let (previous, current, restarted) = (delta.previous, delta.current, delta.restarted)
        if let histogram = current.interTokenLatency {
            totals.itl.add(from: restarted ? nil : previous.interTokenLatency, to: histogram)
        }
        guard current.countsTokens, previous.countsTokens else { return }
        totals.decodeTokens += delta.generated
        totals.decodeFinished += delta.finished
        let kvFull = (previous.kvCacheUsage ?? 0) >= estimation.kvSaturationThreshold
            && (current.kvCacheUsage ?? 0) >= estimation.kvSaturationThreshold
        // A decode worker's waiting set also holds requests whose KV is still arriving from
        // prefill, so a request or two waiting is traffic in transit, not a full engine; taking
        // such an interval's throughput as capacity learned decode 22 % slower than it was. A
        // real backlog is a tenth of the running batch.
        func backlogged(_ telemetry: WorkerTelemetry) -> Bool {
            telemetry.requestsWaiting >= max(2, 0.1 * telemetry.requestsRunning)
        }
        if (backlogged(previous) && backlogged(current)) || kvFull, !restarted, worker.lifecycle == .ready {
            observation.saturatedThroughput.decode.append(delta.generated / delta.elapsed)
        }
    }

    /// The frontend, when scraped, sees every request exactly once: its arrivals, lengths and
    /// latency histograms replace what the workers add up to. Returns the frontend to remember,
    /// nil when it is missing or stale.
    private static func observeFrontend(
        _ snapshot: ClusterSnapshot,
        previous: FrontendTelemetry?,
        estimation: ControllerConfiguration.Estimation,
        into observation: inout IntervalObservation,
        totals: inout WorkerTotals
    ) -> FrontendTelemetry? {
        guard let frontend = snapshot.frontend, snapshot.time - frontend.scrapedAt <= estimation.staleAfterSeconds else { return nil }
        guard let previous, frontend.scrapedAt - previous.scrapedAt > 0, frontend.requestsArrived >= previous.requestsArrived else {
            return frontend
        }
        let elapsed = frontend.scrapedAt - previous.scrapedAt
        let arrived = frontend.requestsArrived - previous.requestsArrived
        observation.arrivalRate = arrived / elapsed
        let inputs = HistogramMath.counterIncrease(from: previous.inputTokens, to: frontend.inputTokens)
        if arrived > 0 { observation.meanInputTokens = inputs / arrived }
        let completed = HistogramMath.counterIncrease(from: previous.requestsCompleted, to: frontend.requestsCompleted)
        let outputs = HistogramMath.counterIncrease(from: previous.outputTokens, to: frontend.outputTokens)
        if completed > 0 { observation.meanOutputTokens = outputs / completed }
        if let current = frontend.timeToFirstToken {
            totals.ttft = HistogramIncreaseSum()
            totals.ttft.add(from: previous.timeToFirstToken, to: current)
        }
        if let current = frontend.interTokenLatency {
            totals.itl = HistogramIncreaseSum()
            totals.itl.add(from: previous.interTokenLatency, to: current)
        }
        return frontend
    }

    /// A caller's window summary comes after the frontend: it counted requests, we would only
    /// infer them.
    private static func fillFromTrafficWindow(_ window: TrafficWindow?, into observation: inout IntervalObservation) {
        guard observation.arrivalRate == nil, let window, window.durationSeconds > 0, window.requests >= 0 else { return }
        observation.arrivalRate = window.requests / window.durationSeconds
        if window.requests > 0 {
            observation.meanInputTokens = window.meanInputTokens
            observation.meanOutputTokens = window.meanOutputTokens
        }
    }

    /// The workers' own counters, last: what neither the frontend nor the caller measured.
    private static func fillFromWorkers(_ totals: WorkerTotals, into observation: inout IntervalObservation) {
        if observation.arrivalRate == nil, totals.arrivalSamples > 0 { observation.arrivalRate = totals.arrivalsPerSecond }
        if observation.meanInputTokens == nil, totals.prefillFinished > 0 {
            observation.meanInputTokens = totals.promptTokens / totals.prefillFinished
        }
        // In vLLM/SGLang disaggregation the decode worker serves the original request and
        // counts every output token; the prefill worker's single token is discarded.
        if observation.meanOutputTokens == nil, totals.decodeFinished > 0 {
            observation.meanOutputTokens = totals.decodeTokens / totals.decodeFinished
        }
    }

    /// The latency window with intervals too old dropped and this one's histograms added.
    private static func nextLatencyWindow(
        after window: [ObservationMemory.LatencyInterval],
        now: Timestamp,
        totals: WorkerTotals,
        estimation: ControllerConfiguration.Estimation
    ) -> [ObservationMemory.LatencyInterval] {
        var window = window.filter { now - $0.time < estimation.latencyWindowSeconds }
        window.append(.init(time: now, ttft: totals.ttft.total, itl: totals.itl.total))
        return window
    }

    /// Latency quantiles over a sliding window: a tail quantile needs more requests than one
    /// tick sees. Histograms win when there are enough of them; otherwise trust the caller's
    /// own percentile, which it computed from every request in its window.
    private static func observeLatency(
        _ window: [ObservationMemory.LatencyInterval],
        traffic: TrafficWindow?,
        percentile: Double,
        estimation: ControllerConfiguration.Estimation,
        into observation: inout IntervalObservation
    ) {
        let ttftHistograms = window.compactMap(\.ttft)
        observation.ttftQuantile = trustedQuantile(percentile, of: ttftHistograms, estimation: estimation)
        if observation.ttftQuantile != nil, let merged = HistogramMath.merge(ttftHistograms) {
            observation.ttftBodyQuantile = HistogramMath.quantile(IntervalObservation.bodyPercentile(of: percentile), of: merged)
        }
        observation.tpotQuantile = trustedQuantile(percentile, of: window.compactMap(\.itl), estimation: estimation)
        if let traffic, traffic.requests > 0 {
            if observation.ttftQuantile == nil, let ttft = traffic.ttftSeconds, ttft.isFinite, ttft >= 0 { observation.ttftQuantile = ttft }
            if observation.tpotQuantile == nil, let itl = traffic.interTokenLatencySeconds, itl.isFinite, itl >= 0 {
                observation.tpotQuantile = itl
            }
        }
    }

    /// A quantile is trusted only when enough observations lie beyond it: p99 of 20 requests
    /// is just the slowest one, and acting on that is acting on noise.
    private static func trustedQuantile(
        _ percentile: Double,
        of histograms: [CumulativeHistogram],
        estimation: ControllerConfiguration.Estimation
    ) -> Double? {
        guard let merged = HistogramMath.merge(histograms),
              merged.count >= estimation.minLatencyObservations,
              merged.count * (1 - percentile) >= estimation.minTailObservations
        else { return nil }
        return HistogramMath.quantile(percentile, of: merged)
    }
}
