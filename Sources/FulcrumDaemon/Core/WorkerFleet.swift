import FulcrumCore

/// The daemon's view of the workers' units, whatever runs them (systemd on each node in
/// production; anything else in tests of the loop). It reports lifecycles and executes the
/// controller's actions.
public protocol WorkerFleet: Sendable {
    /// Nodes (with reachability) and workers as the unit manager sees them, without telemetry.
    func observe() async -> FleetObservation
    /// Executes actions, in order; each outcome says what happened.
    func execute(_ actions: [ScalingAction]) async -> [ActionReport]
    /// Lists units again on every node, adopting, clearing and counting as needed.
    func reconcile() async
}

public struct FleetObservation: Sendable, Hashable {
    public var nodes: [NodeSnapshot]
    public var workers: [WorkerSnapshot]

    public init(nodes: [NodeSnapshot], workers: [WorkerSnapshot]) {
        self.nodes = nodes
        self.workers = workers
    }
}

public struct ActionReport: Sendable, Hashable, Codable {
    public enum Result: String, Sendable, Hashable, Codable {
        case done
        case started
        case refused
        case failed
        case deferred
        case skippedDryRun = "skipped_dry_run"
    }

    public var action: ScalingAction
    public var result: Result
    public var message: String?

    public init(action: ScalingAction, result: Result, message: String? = nil) {
        self.action = action
        self.result = result
        self.message = message
    }
}

/// Latest good telemetry per worker (and the frontend's), kept by the scraper.
public protocol TelemetryProvider: Sendable {
    func telemetry(for workers: [WorkerSnapshot]) async -> [WorkerID: WorkerTelemetry]
    func frontend() async -> FrontendTelemetry?
}
