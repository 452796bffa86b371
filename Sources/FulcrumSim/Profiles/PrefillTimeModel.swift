/// Time of one prefill batch on one instance.
///
/// `overhead + perToken·T + attention·A`, where `T` is the batch's tokens and `A` the
/// quadratic attention work. For a whole prompt of `L` tokens `A = L²`; for a chunk of `n`
/// tokens that starts after `o` already-prefilled tokens of the same prompt,
/// `A = (o+n)² − o²`, so the chunks of a prompt add up to exactly the unchunked cost and
/// chunking changes only how the work interleaves, not how much there is.
public struct PrefillTimeModel: Sendable, Hashable, Codable {
    /// Fixed cost per batch (scheduling, launches, a weights pass not hidden by short batches).
    public var batchOverheadSeconds: Double
    /// Linear (GEMM) cost per prompt token.
    public var perTokenSeconds: Double
    /// Causal-attention cost per token² of a prompt.
    public var attentionPerTokenSquaredSeconds: Double
    /// Chunked-prefill token budget of one batch (vLLM `max_num_batched_tokens`).
    public var maxBatchTokens: Int

    public init(
        batchOverheadSeconds: Double,
        perTokenSeconds: Double,
        attentionPerTokenSquaredSeconds: Double,
        maxBatchTokens: Int
    ) {
        self.batchOverheadSeconds = batchOverheadSeconds
        self.perTokenSeconds = perTokenSeconds
        self.attentionPerTokenSquaredSeconds = attentionPerTokenSquaredSeconds
        self.maxBatchTokens = maxBatchTokens
    }

    enum CodingKeys: String, CodingKey {
        case batchOverheadSeconds = "batch_overhead_s"
        case perTokenSeconds = "per_token_s"
        case attentionPerTokenSquaredSeconds = "attention_per_token_squared_s"
        case maxBatchTokens = "max_batch_tokens"
    }

    /// Attention work of a chunk of `tokens` that follows `offset` already-prefilled tokens.
    public static func attentionWork(offset: Int, tokens: Int) -> Double {
        let start = Double(offset)
        let end = Double(offset + tokens)
        return end * end - start * start
    }

    /// Seconds for a batch of `tokens` tokens carrying `attentionWork` (see `attentionWork`).
    public func batchSeconds(tokens: Int, attentionWork: Double) -> Double {
        batchOverheadSeconds + perTokenSeconds * Double(tokens) + attentionPerTokenSquaredSeconds * attentionWork
    }

    /// Seconds to prefill one prompt alone on an idle instance, chunked by the token budget.
    public func soloSeconds(promptTokens: Int) -> Double {
        let budget = max(1, maxBatchTokens)
        var offset = 0
        var total = 0.0
        repeat {
            let chunk = min(budget, promptTokens - offset)
            total += batchSeconds(tokens: chunk, attentionWork: Self.attentionWork(offset: offset, tokens: chunk))
            offset += chunk
        } while offset < promptTokens
        return total
    }
}
