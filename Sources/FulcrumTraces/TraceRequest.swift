/// One request of a replayable trace, normalised from whatever format it was read from.
///
/// `arrival` is seconds from the start of the trace (the first request of a trace read from an
/// absolute-timestamp format arrives at 0), so every consumer (simulator, load generator) can
/// replay it without knowing where it came from.
///
/// `prefixBlocks` names the prompt's consecutive blocks of `prefixBlockTokens` tokens by hash,
/// as Mooncake's `hash_ids` do: two prompts that share their first n hashes share their first
/// n blocks of text, which an engine's prefix cache need not compute again. Empty when the
/// trace does not say.
public struct TraceRequest: Sendable, Hashable, Codable {
    /// Tokens per prefix block: Mooncake's 512.
    public static let prefixBlockTokens = 512
    /// The most tokens a prompt or an answer may have: far beyond any model's context, small
    /// enough that a replay holding one stays in memory (a typo'd 1e11 asked the emulator
    /// for 400 GB).
    public static let mostTokens = 100_000_000

    public var arrival: Double
    public var inputTokens: Int
    public var outputTokens: Int
    public var prefixBlocks: [Int]

    public init(arrival: Double, inputTokens: Int, outputTokens: Int, prefixBlocks: [Int] = []) {
        self.arrival = arrival
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.prefixBlocks = prefixBlocks
    }

    /// Prompt tokens this request could take from a prefix cache that kept every earlier prompt:
    /// its leading full blocks seen before (never its last token).
    static func reusableTokens(_ request: TraceRequest, seen: Set<Int>) -> Int {
        let full = request.prefixBlocks.prefix(request.inputTokens / prefixBlockTokens)
        let matched = full.prefix { seen.contains($0) }.count
        return min(matched * prefixBlockTokens, max(0, request.inputTokens - 1))
    }

    enum CodingKeys: String, CodingKey { case arrival, inputTokens, outputTokens, prefixBlocks }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        arrival = try container.decode(Double.self, forKey: .arrival)
        inputTokens = try container.decode(Int.self, forKey: .inputTokens)
        outputTokens = try container.decode(Int.self, forKey: .outputTokens)
        prefixBlocks = try container.decodeIfPresent([Int].self, forKey: .prefixBlocks) ?? []
    }
}

extension Array where Element == TraceRequest {
    /// The share of all prompt tokens that are prefixes sent before, in arrival order: what an
    /// unbounded prefix cache could skip. 0 for a trace without prefix hashes.
    public var reusablePrefixShare: Double {
        var seen: Set<Int> = []
        var total = 0
        var reusable = 0
        for request in self {
            reusable += TraceRequest.reusableTokens(request, seen: seen)
            total += request.inputTokens
            seen.formUnion(request.prefixBlocks.prefix(request.inputTokens / TraceRequest.prefixBlockTokens))
        }
        return total > 0 ? Double(reusable) / Double(total) : 0
    }
}
