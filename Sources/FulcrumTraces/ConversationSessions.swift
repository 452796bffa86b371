import FulcrumStrictDecoding

/// Multi-turn conversations over a generated trace: each request either starts a conversation
/// (one of a few shared system prompts, then the user's message) or continues an open one, whose
/// prompt re-sends the whole history (earlier prompts and answers) before the new message. Prefix
/// blocks name what is shared: a system prompt's blocks are the same in every conversation that
/// uses it; a turn repeats the full blocks of the conversation's previous prompt (the prefill
/// instance computed those; the answer was decoded elsewhere, so its blocks are new).
///
/// Arrival times and output lengths stay as generated; a continued turn's input is the history
/// plus its own sampled length, up to `maxContextTokens` (a conversation that would pass it
/// ends, and the request starts a new one). A conversation's next turn comes `turnGapSeconds`
/// or more after its last (the answer, then the user's reply): a continuing request goes to the
/// conversation that has waited longest, if it has waited that long, and starts a new one
/// otherwise.
public struct ConversationSessions: Sendable, Equatable, Codable {
    /// Mean turns per conversation (geometric), at least 1.
    public var turnsMean: Double
    /// Distinct system prompts, shared by the conversations.
    public var systemPrompts: Int
    public var systemPromptTokens: Int
    public var maxContextTokens: Int
    public var turnGapSeconds: Double

    public init(turnsMean: Double, systemPrompts: Int = 8, systemPromptTokens: Int = 1_024, maxContextTokens: Int = 32_768,
                turnGapSeconds: Double = 30) {
        self.turnsMean = turnsMean
        self.systemPrompts = systemPrompts
        self.systemPromptTokens = systemPromptTokens
        self.maxContextTokens = maxContextTokens
        self.turnGapSeconds = turnGapSeconds
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case turnsMean = "turns_mean"
        case systemPrompts = "system_prompts"
        case systemPromptTokens = "system_prompt_tokens"
        case maxContextTokens = "max_context_tokens"
        case turnGapSeconds = "turn_gap_s"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        turnsMean = try container.decode(Double.self, forKey: .turnsMean)
        systemPrompts = try container.decodeIfPresent(Int.self, forKey: .systemPrompts) ?? 8
        systemPromptTokens = try container.decodeIfPresent(Int.self, forKey: .systemPromptTokens) ?? 1_024
        maxContextTokens = try container.decodeIfPresent(Int.self, forKey: .maxContextTokens) ?? 32_768
        turnGapSeconds = try container.decodeIfPresent(Double.self, forKey: .turnGapSeconds) ?? 30
    }

    /// An open conversation: what its next turn re-sends.
    private struct Conversation {
        var turnsLeft: Int
        var lastArrival: Double
        var historyTokens: Int
        /// Block hashes of the previous prompt's full blocks.
        var promptBlocks: [Int]
    }

    /// The requests with conversation prompts and prefix blocks; its own random stream, so a
    /// scenario without sessions generates exactly what it always did.
    public func apply(to requests: [TraceRequest], seed: UInt64) -> [TraceRequest] {
        var random = SeededRandomGenerator(seed: seed ^ 0x5E55_1075_C0DE_0001)
        let block = TraceRequest.prefixBlockTokens
        // Hashes 0..<systemPrompts × blocks belong to the system prompts; the rest are fresh.
        let systemBlocks = systemPromptTokens / block
        var nextHash = systemPrompts * systemBlocks
        func fresh(_ count: Int) -> [Int] {
            defer { nextHash += max(0, count) }
            return Array(nextHash..<(nextHash + max(0, count)))
        }
        var open: [Conversation] = []
        let continuation = 1 - 1 / max(1, turnsMean)
        return requests.map { request in
            let message = max(1, request.inputTokens)
            var prompt = request
            var prefix: [Int]
            var tokens: Int
            var index: Int?
            // `open` is in order of last turn: the first has waited longest.
            if let first = open.first, random.nextUnit() < continuation, request.arrival - first.lastArrival >= turnGapSeconds {
                if first.historyTokens + message > maxContextTokens { open.removeFirst() } else { index = 0 }
            }
            if let index {
                prefix = open[index].promptBlocks
                tokens = open[index].historyTokens + message
            } else {
                let system = Int(random.nextUnit() * Double(systemPrompts)) % max(1, systemPrompts)
                prefix = Array((system * systemBlocks)..<((system + 1) * systemBlocks))
                tokens = min(maxContextTokens, systemPromptTokens + message)
            }
            let blocks = prefix + fresh((tokens + block - 1) / block - prefix.count)
            prompt.inputTokens = tokens
            prompt.prefixBlocks = blocks
            let full = Array(blocks.prefix(tokens / block))
            let history = tokens + max(1, request.outputTokens)
            if let index {
                var conversation = open.remove(at: index)
                conversation.historyTokens = history
                conversation.lastArrival = request.arrival
                conversation.promptBlocks = full
                conversation.turnsLeft -= 1
                if conversation.turnsLeft > 0 { open.append(conversation) }
            } else {
                let turns = random.nextGeometric(mean: max(1, turnsMean))
                if turns > 1 {
                    open.append(Conversation(turnsLeft: turns - 1, lastArrival: request.arrival, historyTokens: history, promptBlocks: full))
                }
            }
            return prompt
        }
    }
}
