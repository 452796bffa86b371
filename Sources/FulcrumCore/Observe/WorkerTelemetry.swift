/// The latest good scrape of one worker, already mapped from engine-specific names to the
/// signals the controller understands (see the telemetry presets).
///
/// Counters and histograms are cumulative, as exposed; the estimator takes deltas between
/// consecutive snapshots and treats a decrease as a counter reset.
public struct WorkerTelemetry: Sendable, Hashable, Codable {
    /// When the scrape that produced these values completed.
    public var scrapedAt: Timestamp
    /// Requests queued, not yet scheduled.
    public var requestsWaiting: Double
    /// Requests being processed (in the running batch).
    public var requestsRunning: Double
    /// Fraction of the KV cache in use, 0…1, when the engine exposes it.
    public var kvCacheUsage: Double?
    /// Cumulative prompt tokens processed.
    public var promptTokens: Double
    /// Cumulative generated tokens.
    public var generationTokens: Double
    /// Cumulative finished requests.
    public var requestsFinished: Double
    /// Time to first token, seconds.
    public var timeToFirstToken: CumulativeHistogram?
    /// Inter-token latency (time per output token), seconds.
    public var interTokenLatency: CumulativeHistogram?
    /// Cumulative prompt tokens looked up in the prefix cache, and those found there (vLLM's
    /// `prefix_cache_queries` / `prefix_cache_hits`, SGLang's prompt and cached tokens), when
    /// the engine counts them. Found tokens are not computed again.
    public var prefixCacheQueries: Double?
    public var prefixCacheHits: Double?
    /// The engine's own recent prefix-cache hit rate, 0…1 (SGLang, Dynamo workers), for
    /// engines that report a rate instead of counters.
    public var prefixCacheHitRate: Double?
    /// Recent time to move one request's KV cache from prefill to decode, seconds, when the
    /// engine reports it as a gauge (older SGLang's `kv_transfer_latency_ms`).
    public var kvTransferSeconds: Double?
    /// Cumulative KV transfers and the seconds they took, from an engine's transfer-latency
    /// histogram (`_count`, `_sum`: vLLM's NIXL connector, newer SGLang, TensorRT-LLM).
    public var kvTransfers: Double?
    public var kvTransferSecondsTotal: Double?
    /// Whether the engine counts prompt and generated tokens. A TensorRT-LLM worker served
    /// through Dynamo without iteration statistics does not; its zeros are then no evidence
    /// of prompt lengths or of capacity.
    public var countsTokens: Bool = true

    public init(
        scrapedAt: Timestamp,
        requestsWaiting: Double = 0,
        requestsRunning: Double = 0,
        kvCacheUsage: Double? = nil,
        promptTokens: Double = 0,
        generationTokens: Double = 0,
        requestsFinished: Double = 0,
        timeToFirstToken: CumulativeHistogram? = nil,
        interTokenLatency: CumulativeHistogram? = nil,
        prefixCacheQueries: Double? = nil,
        prefixCacheHits: Double? = nil,
        prefixCacheHitRate: Double? = nil,
        kvTransferSeconds: Double? = nil,
        kvTransfers: Double? = nil,
        kvTransferSecondsTotal: Double? = nil,
        countsTokens: Bool = true
    ) {
        self.scrapedAt = scrapedAt
        self.requestsWaiting = requestsWaiting
        self.requestsRunning = requestsRunning
        self.kvCacheUsage = kvCacheUsage
        self.promptTokens = promptTokens
        self.generationTokens = generationTokens
        self.requestsFinished = requestsFinished
        self.timeToFirstToken = timeToFirstToken
        self.interTokenLatency = interTokenLatency
        self.prefixCacheQueries = prefixCacheQueries
        self.prefixCacheHits = prefixCacheHits
        self.prefixCacheHitRate = prefixCacheHitRate
        self.kvTransferSeconds = kvTransferSeconds
        self.kvTransfers = kvTransfers
        self.kvTransferSecondsTotal = kvTransferSecondsTotal
        self.countsTokens = countsTokens
    }

    /// Requests this worker holds: queued plus running.
    public var requestsInFlight: Double { requestsWaiting + requestsRunning }
}

/// Optional cluster-level telemetry from the router / frontend, when one is scraped.
///
/// When present it is the best source of arrivals and of lengths, because it sees every
/// request once, whatever happens to it afterwards.
public struct FrontendTelemetry: Sendable, Hashable, Codable {
    public var scrapedAt: Timestamp
    /// Cumulative requests received.
    public var requestsArrived: Double
    /// Cumulative prompt tokens of the requests received.
    public var inputTokens: Double
    /// Cumulative output tokens of the requests completed.
    public var outputTokens: Double
    /// Cumulative requests completed (for the mean output length).
    public var requestsCompleted: Double
    public var timeToFirstToken: CumulativeHistogram?
    public var interTokenLatency: CumulativeHistogram?

    public init(
        scrapedAt: Timestamp,
        requestsArrived: Double,
        inputTokens: Double,
        outputTokens: Double,
        requestsCompleted: Double,
        timeToFirstToken: CumulativeHistogram? = nil,
        interTokenLatency: CumulativeHistogram? = nil
    ) {
        self.scrapedAt = scrapedAt
        self.requestsArrived = requestsArrived
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.requestsCompleted = requestsCompleted
        self.timeToFirstToken = timeToFirstToken
        self.interTokenLatency = interTokenLatency
    }
}
