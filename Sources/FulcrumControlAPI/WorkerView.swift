import FulcrumCore

/// One worker as `/v1/status` and `/v1/workers` list it.
public struct WorkerView: Sendable, Hashable, Codable {
    public var id: String
    public var role: Role
    public var node: String
    public var gpus: [Int]
    public var state: WorkerLifecycle
    public var startedAt: Double
    public var requestsWaiting: Double?
    public var requestsRunning: Double?
    public var kvCacheUsage: Double?
    /// Seconds since the last good scrape; nil when never scraped.
    public var telemetryAgeSeconds: Double?
    /// Not failed, and when ready, its telemetry is fresh (the rule the controller uses).
    public var healthy: Bool
    /// Why its latest scrape failed, when it did: the values above are from an earlier one.
    public var scrapeError: String?

    enum CodingKeys: String, CodingKey {
        case id, role, node, gpus, state, healthy
        case scrapeError = "scrape_error"
        case startedAt = "started_at"
        case requestsWaiting = "requests_waiting"
        case requestsRunning = "requests_running"
        case kvCacheUsage = "kv_cache_usage"
        case telemetryAgeSeconds = "telemetry_age_s"
    }

    public init(_ worker: WorkerSnapshot, now: Timestamp, staleAfterSeconds: Double) {
        id = worker.id.rawValue
        role = worker.role
        node = worker.node
        gpus = worker.gpus
        state = worker.lifecycle
        startedAt = worker.startedAt.seconds
        requestsWaiting = worker.telemetry?.requestsWaiting
        requestsRunning = worker.telemetry?.requestsRunning
        kvCacheUsage = worker.telemetry?.kvCacheUsage
        telemetryAgeSeconds = worker.telemetry.map { now - $0.scrapedAt }
        healthy = worker.lifecycle != .failed
            && (worker.lifecycle != .ready || worker.hasFreshTelemetry(at: now, staleAfterSeconds: staleAfterSeconds))
    }
}

/// `GET /v1/workers`.
public struct WorkersView: Sendable, Hashable, Codable {
    public var schema: Int
    public var workers: [WorkerView]

    public init(workers: [WorkerView]) {
        schema = ControlSchema.version
        self.workers = workers
    }
}
