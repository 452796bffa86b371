import Synchronization

/// Matches JobRemoved signals to the jobs we queued.
///
/// A job queued is not a job done: StartUnit returns as soon as the job is queued. The match
/// for JobRemoved is installed before any call, and `expect` runs on the bus thread while the
/// reply is decoded, so the signal (which systemd sends after the reply, on the same
/// connection) always finds its entry. An outcome that arrives before anyone waits is kept
/// until `wait` collects it, but only the latest `retainedOutcomes` of them: a caller that
/// queued a job and then never waited (cancelled, timed out) must not grow this forever.
final class JobTracker: Sendable {
    private struct State {
        var waiting: [String: CheckedContinuation<JobOutcome, any Error>] = [:]
        var expected: Set<String> = []
        var finished: [String: JobOutcome] = [:]
        /// `finished` keys, oldest first.
        var finishedOrder: [String] = []
        var closed: BusError?
    }

    private let state = Mutex(State())
    let retainedOutcomes: Int

    init(retainedOutcomes: Int = 256) {
        self.retainedOutcomes = retainedOutcomes
    }

    /// Outcomes kept for a later `wait`, for tests and diagnostics.
    var retainedCount: Int { state.withLock { $0.finished.count } }

    /// Called on the bus thread while decoding the reply that returned `path`.
    func expect(_ path: String) {
        state.withLock { _ = $0.expected.insert(path) }
    }

    /// Called on the bus thread for every JobRemoved.
    func removed(_ outcome: JobOutcome) {
        let continuation = state.withLock { state -> CheckedContinuation<JobOutcome, any Error>? in
            guard state.expected.remove(outcome.path) != nil else { return nil }
            if let continuation = state.waiting.removeValue(forKey: outcome.path) { return continuation }
            state.finished[outcome.path] = outcome
            state.finishedOrder.append(outcome.path)
            while state.finishedOrder.count > retainedOutcomes {
                state.finished.removeValue(forKey: state.finishedOrder.removeFirst())
            }
            return nil
        }
        continuation?.resume(returning: outcome)
    }

    /// Waits for the job at `path` (returned by StartUnit/StopUnit on this connection).
    func wait(for path: String) async throws -> JobOutcome {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let early = state.withLock { state -> Result<JobOutcome, any Error>? in
                    if let outcome = state.finished.removeValue(forKey: path) {
                        state.finishedOrder.removeAll { $0 == path }
                        return .success(outcome)
                    }
                    if let closed = state.closed { return .failure(closed) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiting[path] = continuation
                    return nil
                }
                if let early { continuation.resume(with: early) }
            }
        } onCancel: {
            // Nobody will wait for this job again: drop it, so its JobRemoved is not kept.
            state.withLock { state in
                state.expected.remove(path)
                return state.waiting.removeValue(forKey: path)
            }?.resume(throwing: CancellationError())
        }
    }

    /// The connection ended: every waiter fails with `error`.
    func close(_ error: BusError) {
        let waiters = state.withLock { state in
            state.closed = error
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }
}
