import FulcrumCore

/// The life and work of one simulated worker, for reports and tests.
public struct WorkerRecord: Sendable, Hashable, Codable {
    public var id: WorkerID
    public var role: Role
    public var node: String
    public var gpus: [Int]
    public var startedAt: Double
    public var readyAt: Double?
    /// The last time a drain began (a cancelled drain is superseded by a later one).
    public var drainStartedAt: Double?
    public var stoppedAt: Double?
    /// Seconds spent running prefill batches or decode steps.
    public var busySeconds: Double
    /// ∫ running batch size dt over decode steps (divide by `busySeconds` for the mean batch).
    public var batchSizeSeconds: Double
    public var promptTokens: Double
    public var generationTokens: Double
    public var requestsFinished: Double

    /// Mean batch size while busy (decode: sequences; prefill: requests with a chunk in the batch).
    public var meanBusyBatch: Double { busySeconds > 0 ? batchSizeSeconds / busySeconds : 0 }
}

/// A worker moving between lifecycle states, including stopping (which snapshots show as the
/// worker's disappearance).
public struct WorkerTransition: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable {
        case starting, ready, draining, stopped
    }

    public var time: Double
    public var worker: WorkerID
    public var role: Role
    public var state: State
}

/// One action a policy asked for, and what the cluster did with it.
public struct ActionRecord: Sendable, Hashable, Codable {
    public enum Outcome: Sendable, Hashable, Codable {
        case applied
        /// Already true (draining a draining worker, cancelling the drain of a ready one).
        case noOp
        case rejected(reason: String)
    }

    public var tick: Int
    public var time: Double
    public var action: ScalingAction
    public var outcome: Outcome
    /// The worker the action created or changed, when there is one.
    public var worker: WorkerID?
    public var role: Role?
    public var node: String?
}
