/// One thing the IO layer must do to move the cluster toward a decision.
///
/// Actions are idempotent requests: executing the same action twice (a repeated tick, a
/// restarted daemon) must not start a second worker or stop the wrong one.
public enum ScalingAction: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Start a new worker of `role` on `node` holding exactly `gpus`.
    case start(role: Role, node: String, gpus: [Int])
    /// Stop routing to `worker`, let it finish in-flight work, then stop it.
    case drain(worker: WorkerID)
    /// Put a draining worker back into service instead of starting a new one.
    case cancelDrain(worker: WorkerID)

    public var description: String {
        switch self {
        case let .start(role, node, gpus):
            "start \(role) on \(node) gpus \(gpus.map(String.init).joined(separator: ","))"
        case let .drain(worker):
            "drain \(worker)"
        case let .cancelDrain(worker):
            "cancel-drain \(worker)"
        }
    }
}
