import NIOCore

/// Limits and politeness settings shared by the scraper and `fulcrumctl probe`.
public struct ScraperConfiguration: Sendable, Hashable {
    /// Requests in flight at once, across all targets.
    public var concurrency: Int
    /// Budget for one scrape: connect, response head and the whole body.
    public var timeout: Duration
    /// Largest (decompressed) body accepted; a larger one fails the scrape instead of growing memory.
    public var maxBodyBytes: Int
    /// The scrape interval, used only to size the jitter window.
    public var interval: Duration
    /// Fraction of `interval` over which start times are spread (0 = all at once).
    public var jitterFraction: Double
    /// Seeds the per-target start offsets, so a test or a second daemon can pick its own spread.
    public var jitterSeed: UInt64
    public var userAgent: String
    /// Keep each target's connection open between scrapes (true, Prometheus' way), or ask the
    /// target to close it after every scrape: no idle connections then, and none of the
    /// receive buffers each connection keeps between reads.
    public var reusesConnections: Bool

    public init(
        concurrency: Int = 64,
        timeout: Duration = .seconds(5),
        maxBodyBytes: Int = 16 << 20,
        interval: Duration = .seconds(5),
        jitterFraction: Double = 0.2,
        jitterSeed: UInt64 = 0,
        userAgent: String = "fulcrum-scraper/0.1",
        reusesConnections: Bool = true
    ) {
        self.concurrency = max(1, concurrency)
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
        self.interval = interval
        self.jitterFraction = min(max(jitterFraction, 0), 1)
        self.jitterSeed = jitterSeed
        self.userAgent = userAgent
        self.reusesConnections = reusesConnections
    }

    /// Content negotiation for `/metrics`.
    ///
    /// The classic text format comes first because it is what vLLM, SGLang and TensorRT-LLM
    /// serve by default and what the presets' names were checked against (counters typed under
    /// their `_total` name). OpenMetrics is still welcome: the response's `Content-Type` picks the
    /// parser, and both are supported. `*/*` keeps endpoints that ignore negotiation (or answer
    /// with a bare `text/plain`) from replying 406; such bodies are parsed by content (`# EOF`).
    /// Gzip is not named here: the decompressor in every scrape connection adds
    /// `Accept-Encoding` itself (`ScrapeHTTPClient`), so compression is asked for only where it
    /// is undone.
    public static let acceptHeader =
        "text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1"

    /// Connections one host:port may have open at once (more of the scraper's requests to it
    /// wait their turn). Targets behind one path-routing proxy share these; a worker is its own
    /// host:port and needs one.
    public static let connectionsPerHost = 8
}

extension Duration {
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        if seconds >= Int64.max / 1_000_000_000 { return .max }
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
