import FulcrumCore
import FulcrumSim

/// What a client of the engine receives for one request.
public enum TokenEvent: Sendable, Hashable {
    /// Token number `index` (0-based) at engine time `at`; the last token carries the reason
    /// the request ends, as an OpenAI stream's last chunk does.
    case token(index: Int, at: Double, finishReason: FinishReason?)
    case finished(FinishReason, completionTokens: Int)
}

/// A submitted request: its id (for `cancel`) and its token stream.
public struct EngineSubmission: Sendable {
    public var id: UInt64
    public var events: AsyncStream<TokenEvent>
}

/// Why the engine refused a request.
public enum EngineRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// Shutting down: finishing what it has, taking nothing new.
    case draining
    /// The request can never be served (the message names the limit and what to do).
    case invalid(String)

    public var description: String {
        switch self {
        case .draining: "the worker is shutting down and takes no new requests; send the request to another worker"
        case .invalid(let message): message
        }
    }
}

/// The scheduler state and counters a `/metrics` scrape renders.
public struct EngineMetricsSnapshot: Sendable {
    public var gauges: EngineGauges
    public var statistics: EngineStatistics
}

/// One emulated worker: a batching machine run on a clock by one loop task.
///
/// `run()` is the loop: it sleeps until the machine's next batch or step ends, advances the
/// machine to that instant and delivers the tokens. A submission advances the machine to the
/// current instant first, then wakes the loop if the next deadline moved. The clock is
/// injected so that tests drive the loop with `ManualClock`.
public actor EmulatedEngine<C: Clock> where C.Duration == Duration {
    private struct Pending {
        var arrival: Double
        var maxTokens: Int
        var emitted = 0
        var continuation: AsyncStream<TokenEvent>.Continuation
    }

    public nonisolated let role: Role
    private let clock: C
    private let origin: C.Instant
    private var machine: any BatchingMachine
    private var statistics: EngineStatistics
    private var pending: [UInt64: Pending] = [:]
    private var nextID: UInt64 = 0
    private var draining = false
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    /// The loop's current sleep and the engine time it sleeps until (`nil`: until woken).
    private var sleeper: Task<Bool, Never>?
    private var sleepingUntil: Double?

    public init(role: Role, profile: Profile, timeScale: Double, clock: C) {
        self.role = role
        self.clock = clock
        origin = clock.now
        switch role {
        case .prefill:
            machine = PrefillBatcher(model: profile.prefill, timeScale: timeScale, kvCapacityTokens: profile.decode.kvCapacityTokens)
        case .decode:
            machine = DecodeBatcher(profile: profile, timeScale: timeScale)
        }
        statistics = EngineStatistics(role: role)
    }

    /// Engine seconds now.
    public var now: Double { seconds(clock.now) }

    public var isAccepting: Bool { !draining }

    public var inFlight: Int { pending.count }

    public var metrics: EngineMetricsSnapshot {
        EngineMetricsSnapshot(gauges: machine.gauges, statistics: statistics)
    }

    /// Queues a request. A prefill worker emits one token whatever `maxTokens` says.
    public func submit(promptTokens: Int, maxTokens: Int) throws(EngineRejection) -> EngineSubmission {
        guard !draining else { throw .draining }
        nextID += 1
        let request = EngineRequest(id: nextID, promptTokens: promptTokens, maxTokens: role == .prefill ? 1 : maxTokens)
        if let problem = machine.rejection(for: request) { throw .invalid(problem) }
        let id = request.id
        let (stream, continuation) = AsyncStream<TokenEvent>.makeStream(bufferingPolicy: .unbounded)
        continuation.onTermination = { [weak self] termination in
            // Only a consumer that stopped listening cancels; a finished stream also ends here.
            guard case .cancelled = termination else { return }
            Task { await self?.cancel(id) }
        }
        let time = now
        process(upTo: time)
        pending[id] = Pending(arrival: time, maxTokens: request.maxTokens, continuation: continuation)
        machine.submit(request, at: time)
        process(upTo: time)
        wakeLoopIfDeadlineMoved()
        return EngineSubmission(id: id, events: stream)
    }

    /// Drops a request whose client left (vLLM aborts it and counts `finished_reason="abort"`).
    public func cancel(_ id: UInt64) {
        guard pending[id] != nil else { return }
        let time = now
        process(upTo: time)
        deliver(machine.cancel(id, at: time))
        wakeLoopIfDeadlineMoved()
    }

    /// Refuses new requests from now on; those already accepted run to completion.
    public func beginDraining() {
        draining = true
    }

    /// Returns once no accepted request is left.
    public func waitUntilIdle() async {
        guard !pending.isEmpty else { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    /// The engine loop; returns when its task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            let deadline = machine.nextEventTime
            let wake = deadline.map { origin.advanced(by: .seconds($0)) }
                ?? clock.now.advanced(by: .seconds(86_400))
            let sleep = Task { [clock] in
                do {
                    try await clock.sleep(until: wake, tolerance: nil)
                    return true
                } catch {
                    return false
                }
            }
            sleeper = sleep
            sleepingUntil = deadline
            let reachedDeadline = await withTaskCancellationHandler {
                await sleep.value
            } onCancel: {
                sleep.cancel()
            }
            sleeper = nil
            sleepingUntil = nil
            // A deadline converted to an instant and back may come out a hair early; the sleep
            // ended, so the deadline has passed.
            let time = reachedDeadline ? max(now, deadline ?? now) : now
            process(upTo: time)
        }
    }

    private func wakeLoopIfDeadlineMoved() {
        guard let sleeper, machine.nextEventTime != sleepingUntil else { return }
        sleeper.cancel()
    }

    private func process(upTo time: Double) {
        deliver(machine.advance(to: time))
    }

    private func deliver(_ events: [EngineEvent]) {
        for event in events {
            switch event {
            case .firstToken(let id, let at), .token(let id, let at):
                statistics.record(event, arrival: pending[id]?.arrival)
                guard var request = pending[id] else { continue }
                request.emitted += 1
                let last = request.emitted >= request.maxTokens
                request.continuation.yield(.token(index: request.emitted - 1, at: at, finishReason: last ? .length : nil))
                pending[id] = request
            case .finished(let id, let reason, _):
                statistics.record(event, arrival: nil)
                guard let request = pending.removeValue(forKey: id) else { continue }
                request.continuation.yield(.finished(reason, completionTokens: request.emitted))
                request.continuation.finish()
            case .promptTokens, .step:
                statistics.record(event, arrival: nil)
            }
        }
        if pending.isEmpty, !idleWaiters.isEmpty {
            let waiters = idleWaiters
            idleWaiters = []
            for waiter in waiters { waiter.resume() }
        }
    }

    private func seconds(_ instant: C.Instant) -> Double {
        origin.duration(to: instant).inSeconds
    }
}
