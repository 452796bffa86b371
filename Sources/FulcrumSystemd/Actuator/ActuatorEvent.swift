import FulcrumCore

/// What happened to nodes and workers, as it happened (signals, not polling).
public enum ActuatorEvent: Sendable {
    case nodeReachable(node: String)
    case nodeUnreachable(node: String, error: ActuatorError)
    case workerAdopted(WorkerID)
    case workerStarted(WorkerID)
    /// The unit failed or its main process died (crash, bad ExecStart, start limit).
    case workerFailed(WorkerID, ActuatorError)
    /// The unit stopped without the actuator asking (e.g. `systemctl stop`).
    case workerStopped(WorkerID)
    case drainIdle(WorkerID)
    case drainTimedOut(WorkerID)
    case drainCancelled(WorkerID)
    case drainFinished(WorkerID)
    /// A failed unit was cleared with ResetFailedUnit.
    case failedUnitCleared(WorkerID)
}

/// Running totals, for the daemon's metrics.
public struct ActuatorCounters: Sendable, Hashable {
    public var startsRequested = 0
    public var startFailures = 0
    public var unitFailures = 0
    public var failedUnitsCleared = 0
    public var adopted = 0
    public var refused = 0
    public var deferred = 0
    public var drainsIdle = 0
    public var drainsTimedOut = 0
    public var drainsCancelled = 0
    public var drainsFinished = 0
    public var routerHookFailures = 0
    public var nodeDisconnects = 0
    /// Changes the fence refused (this daemon was not the leader).
    public var fenced = 0
}
