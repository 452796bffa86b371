import FulcrumCore

/// Identity, lifecycle and the cumulative counters a worker's metrics endpoint would expose,
/// shared by both instance kinds.
struct WorkerBookkeeping {
    let id: WorkerID
    let role: Role
    let node: String
    let gpus: [Int]
    var state: WorkerTransition.State = .starting
    let startedAt: Double
    var readyAt: Double?
    var drainStartedAt: Double?
    var stoppedAt: Double?
    var busySeconds = 0.0
    var batchSizeSeconds = 0.0
    var promptTokens = 0.0
    var generationTokens = 0.0
    var requestsFinished = 0.0

    var record: WorkerRecord {
        WorkerRecord(
            id: id, role: role, node: node, gpus: gpus,
            startedAt: startedAt, readyAt: readyAt, drainStartedAt: drainStartedAt, stoppedAt: stoppedAt,
            busySeconds: busySeconds, batchSizeSeconds: batchSizeSeconds,
            promptTokens: promptTokens, generationTokens: generationTokens, requestsFinished: requestsFinished
        )
    }

    var lifecycle: WorkerLifecycle? {
        switch state {
        case .starting: .starting
        case .ready: .ready
        case .draining: .draining
        case .stopped: nil
        }
    }
}
