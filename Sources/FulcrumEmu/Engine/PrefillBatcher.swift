import FulcrumSim

/// A prefill worker's scheduler, as `fulcrum-sim` models it: a FIFO queue served in batches
/// filled from the head up to the token budget (chunked prefill), each taking
/// `PrefillTimeModel.batchSeconds` divided by the time scale. A prompt that does not fit is
/// split: its first part runs now, the rest heads the next batch. Every request ends with its
/// first token (disaggregated `max_tokens = 1`).
public struct PrefillBatcher: BatchingMachine {
    struct Queued: Sendable {
        var id: UInt64
        var promptTokens: Int
        var prefilled = 0
        var remaining: Int { promptTokens - prefilled }
    }

    struct Chunk: Sendable {
        var id: UInt64
        /// Tokens of the prompt prefilled by earlier batches: their KV is held too.
        var offset: Int
        var tokens: Int
        var completesPrompt: Bool
    }

    public let model: PrefillTimeModel
    public let timeScale: Double
    /// What the KV gauge divides by: prefill and decode instances have the same memory.
    public let kvCapacityTokens: Int

    private var queue: [Queued] = []
    private var batch: [Chunk] = []
    private var batchTokens = 0
    private var batchEnd: Double?
    /// Requests cancelled while a chunk of theirs runs: the batch still costs the time.
    private var cancelledInBatch: Set<UInt64> = []

    public init(model: PrefillTimeModel, timeScale: Double, kvCapacityTokens: Int) {
        self.model = model
        self.timeScale = timeScale
        self.kvCapacityTokens = kvCapacityTokens
    }

    public var nextEventTime: Double? { batchEnd }

    public var gauges: EngineGauges {
        // A prompt whose next chunk is running stays at the head of the queue: it is running,
        // not waiting.
        let partialHeadRunning = batch.last.map { last in !last.completesPrompt && queue.first?.id == last.id } ?? false
        let held = batch.reduce(0) { $0 + $1.offset + $1.tokens }
        return EngineGauges(
            waiting: queue.count - (partialHeadRunning ? 1 : 0),
            running: batch.count,
            kvCacheUsage: min(1, Double(held) / Double(max(1, kvCapacityTokens)))
        )
    }

    public func rejection(for request: EngineRequest) -> String? {
        request.promptTokens > kvCapacityTokens
            ? "the prompt has \(request.promptTokens) tokens but the profile's KV cache holds \(kvCapacityTokens); send a shorter prompt"
            : nil
    }

    public mutating func submit(_ request: EngineRequest, at now: Double) {
        queue.append(Queued(id: request.id, promptTokens: max(1, request.promptTokens)))
        if batchEnd == nil { startBatch(at: now) }
    }

    public mutating func advance(to now: Double) -> [EngineEvent] {
        var events: [EngineEvent] = []
        while let end = batchEnd, end <= now {
            finishBatch(at: end, into: &events)
            startBatch(at: end)
        }
        return events
    }

    public mutating func cancel(_ id: UInt64, at now: Double) -> [EngineEvent] {
        if batch.contains(where: { $0.id == id }) {
            cancelledInBatch.insert(id)
            // A partly prefilled head must not be continued in the next batch.
            if let head = queue.first, head.id == id { queue.removeFirst() }
            return [.finished(id: id, reason: .abort, at: now)]
        }
        guard let index = queue.firstIndex(where: { $0.id == id }) else { return [] }
        queue.remove(at: index)
        return [.finished(id: id, reason: .abort, at: now)]
    }

    private mutating func startBatch(at now: Double) {
        var budget = max(1, model.maxBatchTokens)
        var tokens = 0
        var attention = 0.0
        var index = 0
        while budget > 0, index < queue.count {
            let take = min(queue[index].remaining, budget)
            attention += PrefillTimeModel.attentionWork(offset: queue[index].prefilled, tokens: take)
            queue[index].prefilled += take
            tokens += take
            budget -= take
            let completes = queue[index].remaining == 0
            batch.append(Chunk(id: queue[index].id, offset: queue[index].prefilled - take, tokens: take, completesPrompt: completes))
            guard completes else { break }
            index += 1
        }
        queue.removeFirst(index)
        guard tokens > 0 else { return }
        batchTokens = tokens
        batchEnd = now + model.batchSeconds(tokens: tokens, attentionWork: attention) / timeScale
    }

    private mutating func finishBatch(at end: Double, into events: inout [EngineEvent]) {
        events.append(.promptTokens(batchTokens, at: end))
        for chunk in batch where chunk.completesPrompt {
            if cancelledInBatch.remove(chunk.id) != nil { continue }
            events.append(.firstToken(id: chunk.id, at: end))
            events.append(.finished(id: chunk.id, reason: .length, at: end))
        }
        for chunk in batch where !chunk.completesPrompt { cancelledInBatch.remove(chunk.id) }
        batch = []
        batchTokens = 0
        batchEnd = nil
    }
}
