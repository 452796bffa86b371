/// Time of one decode step on one instance, `a + b·batch + c·Σcontext`, and its limits: the
/// same shape as `FulcrumCore.DecodePerformance`, so the controller's model can be exact.
public struct DecodeStepModel: Sendable, Hashable, Codable {
    /// `a`: reading the weights once per step, plus launch overhead.
    public var stepBaseSeconds: Double
    /// `b`: per-sequence compute and sampling.
    public var stepPerSequenceSeconds: Double
    /// `c`: reading one context token's KV cache.
    public var stepPerContextTokenSeconds: Double
    /// KV cache one decode instance holds, in tokens.
    public var kvCapacityTokens: Int
    /// Most sequences in one running batch (vLLM `max_num_seqs`).
    public var maxBatch: Int

    public init(
        stepBaseSeconds: Double,
        stepPerSequenceSeconds: Double,
        stepPerContextTokenSeconds: Double,
        kvCapacityTokens: Int,
        maxBatch: Int
    ) {
        self.stepBaseSeconds = stepBaseSeconds
        self.stepPerSequenceSeconds = stepPerSequenceSeconds
        self.stepPerContextTokenSeconds = stepPerContextTokenSeconds
        self.kvCapacityTokens = kvCapacityTokens
        self.maxBatch = maxBatch
    }

    enum CodingKeys: String, CodingKey {
        case stepBaseSeconds = "step_base_s"
        case stepPerSequenceSeconds = "step_per_sequence_s"
        case stepPerContextTokenSeconds = "step_per_context_token_s"
        case kvCapacityTokens = "kv_capacity_tokens"
        case maxBatch = "max_batch"
    }

    public func stepSeconds(batch: Int, contextTokens: Int) -> Double {
        stepBaseSeconds + stepPerSequenceSeconds * Double(batch) + stepPerContextTokenSeconds * Double(contextTokens)
    }
}
