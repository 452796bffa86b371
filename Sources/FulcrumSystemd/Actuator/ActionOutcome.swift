import FulcrumCore

/// What `execute` did with one action.
public enum ActionOutcome: Sendable {
    /// Done: the unit started, the drain began, or the drain was cancelled.
    case done(WorkerID)
    /// Nothing to do: already running, already draining, not draining, or already gone.
    case unchanged(WorkerID, String)
    /// Not now (per-tick limit, node unreachable, GPU set backing off); ask again later.
    case deferred(ActuatorError)
    /// Never valid as given (unit name, GPUs, unknown node or worker).
    case refused(ActuatorError)
    /// Tried and failed.
    case failed(ActuatorError)
    /// Dry-run: the exact calls it would have made, none made.
    case dryRun([String])
}

public struct ActionResult: Sendable {
    public var action: ScalingAction
    public var outcome: ActionOutcome
}
