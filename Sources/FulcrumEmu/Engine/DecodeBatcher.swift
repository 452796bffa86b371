import FulcrumSim

/// A decode worker's scheduler, as `fulcrum-sim` models it.
///
/// - A request's KV arrives over the worker's link, one transfer at a time
///   (`Profile.kvTransferSeconds`); on arrival its first token reaches the client.
/// - Continuous batching: at each step boundary, queued requests are admitted in FIFO order
///   while the batch is below `maxBatch` and the KV reservations (prompt + whole output) fit
///   the cache, so a running sequence is never preempted.
/// - A step takes `a + b·batch + c·Σcontext`, and every running sequence gains one token.
///
/// All times are divided by the time scale.
public struct DecodeBatcher: BatchingMachine {
    struct Sequence: Sendable {
        var request: EngineRequest
        /// Tokens emitted so far, the first (from prefill) included.
        var emitted = 1
        var context: Int { request.promptTokens + emitted }
        var reservation: Int { request.promptTokens + request.maxTokens }
    }

    struct Transfer: Sendable {
        var request: EngineRequest
        var arrivesAt: Double
    }

    public let model: DecodeStepModel
    public let timeScale: Double
    /// Seconds of one prompt's KV transfer at full scale.
    private let transferSeconds: @Sendable (Int) -> Double

    private var transfers: [Transfer] = []
    private var linkFreeAt = -Double.infinity
    private var queue: [Sequence] = []
    private var running: [Sequence] = []
    /// Σ context of the running sequences: the `Σcontext` of the step model and the KV held.
    private var contextTokens = 0
    private var reservedTokens = 0
    private var stepEnd: Double?
    private var stepSeconds = 0.0

    public init(profile: Profile, timeScale: Double) {
        model = profile.decode
        self.timeScale = timeScale
        transferSeconds = { [profile] tokens in profile.kvTransferSeconds(tokens: tokens) }
    }

    public var nextEventTime: Double? {
        switch (transfers.first?.arrivesAt, stepEnd) {
        case let (transfer?, step?): min(transfer, step)
        case let (transfer?, nil): transfer
        case let (nil, step?): step
        case (nil, nil): nil
        }
    }

    public var gauges: EngineGauges {
        // vLLM counts a request waiting for its remote KV as waiting.
        EngineGauges(
            waiting: transfers.count + queue.count,
            running: running.count,
            kvCacheUsage: min(1, Double(contextTokens) / Double(max(1, model.kvCapacityTokens)))
        )
    }

    public func rejection(for request: EngineRequest) -> String? {
        let (needed, overflow) = request.promptTokens.addingReportingOverflow(request.maxTokens)
        if overflow { return "max_tokens (\(request.maxTokens)) is beyond any KV cache; lower it" }
        guard needed > model.kvCapacityTokens else { return nil }
        return "the prompt (\(request.promptTokens) tokens) plus max_tokens (\(request.maxTokens)) needs \(needed) KV tokens but the profile's KV cache holds \(model.kvCapacityTokens); lower max_tokens or shorten the prompt"
    }

    public mutating func submit(_ request: EngineRequest, at now: Double) {
        let start = max(now, linkFreeAt)
        let end = start + transferSeconds(max(1, request.promptTokens)) / timeScale
        linkFreeAt = end
        transfers.append(Transfer(request: request, arrivesAt: end))
    }

    public mutating func advance(to now: Double) -> [EngineEvent] {
        var events: [EngineEvent] = []
        while let next = nextEventTime, next <= now {
            // On a tie the arrival goes first, so the step ending then can admit it.
            if let transfer = transfers.first, transfer.arrivesAt == next {
                transfers.removeFirst()
                receive(transfer.request, at: next, into: &events)
            } else {
                finishStep(at: next, into: &events)
            }
        }
        return events
    }

    public mutating func cancel(_ id: UInt64, at now: Double) -> [EngineEvent] {
        if let index = transfers.firstIndex(where: { $0.request.id == id }) {
            // The link time already spent on it stays spent.
            transfers.remove(at: index)
        } else if let index = queue.firstIndex(where: { $0.request.id == id }) {
            queue.remove(at: index)
        } else if let index = running.firstIndex(where: { $0.request.id == id }) {
            let sequence = running.remove(at: index)
            contextTokens -= sequence.context
            reservedTokens -= sequence.reservation
        } else {
            return []
        }
        return [.finished(id: id, reason: .abort, at: now)]
    }

    private mutating func receive(_ request: EngineRequest, at time: Double, into events: inout [EngineEvent]) {
        events.append(.promptTokens(request.promptTokens, at: time))
        events.append(.firstToken(id: request.id, at: time))
        guard request.maxTokens > 1 else {
            events.append(.finished(id: request.id, reason: .length, at: time))
            return
        }
        queue.append(Sequence(request: request))
        // A running step admits newcomers only at its end; an idle worker starts at once.
        if stepEnd == nil {
            admitWaiting()
            startStep(at: time)
        }
    }

    private mutating func finishStep(at time: Double, into events: inout [EngineEvent]) {
        events.append(.step(seconds: stepSeconds, sequences: running.count, at: time))
        var stillRunning: [Sequence] = []
        stillRunning.reserveCapacity(running.count)
        for var sequence in running {
            sequence.emitted += 1
            contextTokens += 1
            events.append(.token(id: sequence.request.id, at: time))
            if sequence.emitted >= sequence.request.maxTokens {
                contextTokens -= sequence.context
                reservedTokens -= sequence.reservation
                events.append(.finished(id: sequence.request.id, reason: .length, at: time))
            } else {
                stillRunning.append(sequence)
            }
        }
        running = stillRunning
        stepEnd = nil
        admitWaiting()
        startStep(at: time)
    }

    private mutating func admitWaiting() {
        while let head = queue.first,
              running.count < model.maxBatch,
              reservedTokens + head.reservation <= model.kvCapacityTokens {
            queue.removeFirst()
            running.append(head)
            contextTokens += head.context
            reservedTokens += head.reservation
        }
    }

    private mutating func startStep(at time: Double) {
        guard stepEnd == nil, !running.isEmpty else { return }
        stepSeconds = model.stepSeconds(batch: running.count, contextTokens: contextTokens) / timeScale
        stepEnd = time + stepSeconds
    }
}
