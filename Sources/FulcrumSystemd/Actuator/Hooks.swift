import FulcrumCore

/// Tells the router about workers: deregistered when a drain begins, registered again when it
/// is cancelled, and registered when a new worker first becomes ready.
public protocol RouterHook: Sendable {
    func register(_ worker: WorkerEndpoint) async throws
    func deregister(_ worker: WorkerEndpoint) async throws
}

/// The requests a worker holds, from the telemetry layer's latest scrape.
public struct WorkerLoad: Sendable, Hashable {
    public var running: Double
    public var waiting: Double
    /// When the worker reported it (wall clock); nil: just now. A drain trusts only readings
    /// taken after the router stopped sending the worker requests.
    public var measuredAt: Timestamp?

    public init(running: Double, waiting: Double, measuredAt: Timestamp? = nil) {
        self.running = running
        self.waiting = waiting
        self.measuredAt = measuredAt
    }

    public var isIdle: Bool { running <= 0 && waiting <= 0 }
}

/// Answers "how busy is this worker" during a drain; the scraper lives elsewhere.
public protocol WorkerLoadProvider: Sendable {
    /// The latest scraped load, or nil when there is no fresh scrape (the drain then keeps
    /// waiting, up to its timeout).
    func load(of worker: WorkerEndpoint) async -> WorkerLoad?
}

/// The telemetry layer's health check: a worker whose unit is active/running is reported
/// `ready` only once this says so. Without a probe, running means ready.
public protocol ReadinessProbe: Sendable {
    func isReady(_ worker: WorkerEndpoint) async -> Bool
}
