import FulcrumCore

/// The actuator's record of one worker unit.
struct TrackedWorker: Sendable {
    let id: WorkerID
    let node: String
    let unit: WorkerUnit
    var properties: UnitProperties
    var startedAt: Timestamp
    var readyAt: Timestamp?
    /// Deregistered from the router; stops once idle or timed out.
    var draining = false
    /// StopUnit was (or is about to be) called: a drain can no longer be cancelled.
    var stopping = false
    /// Our StartUnit job is in flight: the unit holds its GPUs even before systemd lists it.
    var starting = false
    var registered = false
    /// The current failure was counted and announced once.
    var failureCounted = false
    /// A PropertiesChanged signal has updated `properties` since tracking began.
    var signalled = false

    /// The lifecycle to report, or nil when the unit is gone.
    var lifecycle: WorkerLifecycle? {
        switch properties.activeState {
        case "failed": return .failed
        case "inactive", "maintenance":
            return starting ? .starting : nil
        case "deactivating": return .draining
        case "active":
            if draining || stopping { return .draining }
            return readyAt == nil ? .starting : .ready
        case "activating", "reloading", "refreshing":
            // Restart=on-failure waiting to restart also sits in activating/auto-restart.
            return draining || stopping ? .draining : .starting
        default:
            return starting ? .starting : nil
        }
    }

    /// Running its main process, the precondition of `ready`.
    var isRunning: Bool { properties.activeState == "active" && properties.subState == "running" }

    /// Failed, or waiting for systemd's automatic restart after a failure.
    var hasFailed: Bool {
        properties.activeState == "failed" || properties.subState == "auto-restart"
    }
}
