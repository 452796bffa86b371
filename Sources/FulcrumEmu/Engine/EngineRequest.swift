/// One completion request as the batching engine sees it: lengths only, no text.
public struct EngineRequest: Sendable, Hashable {
    public var id: UInt64
    public var promptTokens: Int
    /// Tokens to emit in all, the first included.
    public var maxTokens: Int

    public init(id: UInt64, promptTokens: Int, maxTokens: Int) {
        self.id = id
        self.promptTokens = promptTokens
        self.maxTokens = maxTokens
    }
}

/// Why a request ended, with vLLM's `finished_reason` spelling.
public enum FinishReason: String, Sendable, Hashable, CaseIterable, Codable {
    /// An end-of-sequence token: never produced here, since the emulator's tokens carry no text,
    /// but exported (at 0) because vLLM exports it from the start.
    case stop
    /// `max_tokens` reached.
    case length
    /// The client went away before the end.
    case abort
}

/// What a batching machine reports when its simulated time passes an instant. Times are engine
/// seconds: wall seconds since the engine started, already divided by the time scale.
public enum EngineEvent: Sendable, Hashable {
    /// The request's first token reaches its client: from the prefill batch on a prefill
    /// worker, on KV arrival on a decode worker (whose model says the prefill worker made it).
    case firstToken(id: UInt64, at: Double)
    /// One decode step gave the request its next token.
    case token(id: UInt64, at: Double)
    case finished(id: UInt64, reason: FinishReason, at: Double)
    /// Prompt tokens whose prefill ended (prefill) or whose KV arrived (decode).
    case promptTokens(Int, at: Double)
    /// A decode step of `sequences` running sequences took `seconds`.
    case step(seconds: Double, sequences: Int, at: Double)
}

/// What a scrape of the engine's scheduler shows at one instant.
public struct EngineGauges: Sendable, Hashable {
    public var waiting: Int
    public var running: Int
    /// 0…1.
    public var kvCacheUsage: Double

    public init(waiting: Int, running: Int, kvCacheUsage: Double) {
        self.waiting = waiting
        self.running = running
        self.kvCacheUsage = kvCacheUsage
    }
}
