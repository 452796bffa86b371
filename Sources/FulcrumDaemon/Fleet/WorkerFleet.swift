import FulcrumCore

/// The daemon's view of the workers' units, whatever runs them (systemd on each node in
/// production; anything else in tests of the loop). It reports lifecycles and executes the
/// controller's actions.
package protocol WorkerFleet: Sendable {
    /// Nodes (with reachability) and workers as the unit manager sees them, without telemetry.
    func observe() async -> FleetObservation
    /// Executes actions, in order; each outcome says what happened.
    func execute(_ actions: [ScalingAction]) async -> [ActionReport]
    /// Lists units again on every node, adopting, clearing and counting as needed.
    func reconcile() async
}

package struct FleetObservation: Sendable, Hashable {
    package var nodes: [NodeSnapshot]
    package var workers: [WorkerSnapshot]

    package init(nodes: [NodeSnapshot], workers: [WorkerSnapshot]) {
        self.nodes = nodes
        self.workers = workers
    }
}

package struct ActionReport: Sendable, Hashable, Codable {
    package enum Result: String, Sendable, Hashable, Codable {
        case done
        case started
        case refused
        case failed
        case deferred
        case skippedDryRun = "skipped_dry_run"
        /// Not made: another daemon leads (coordination), or this one's lead is unconfirmed.
        case notLeader = "not_leader"
    }

    package var action: ScalingAction
    package var result: Result
    package var message: String?

    package init(action: ScalingAction, result: Result, message: String? = nil) {
        self.action = action
        self.result = result
        self.message = message
    }
}

/// Latest good telemetry per worker (and the frontend's), kept by the scraper.
package protocol TelemetryProvider: Sendable {
    func telemetry(for workers: [WorkerSnapshot]) async -> [WorkerID: WorkerTelemetry]
    func frontend() async -> FrontendTelemetry?
    /// Why each worker's latest scrape failed, for those whose latest scrape did.
    func scrapeErrors() async -> [WorkerID: String]
}

extension TelemetryProvider {
    package func scrapeErrors() async -> [WorkerID: String] { [:] }
}
