/// What one prefill instance can do, as a profile states it before any measurement.
///
/// One prompt of n tokens takes `batchOverhead + n / tokensPerSecond + attention · n²`: the
/// linear part is the weights' work per token, the quadratic part attention, where every
/// token reads all the tokens before it. Without the quadratic term a fit over short and long
/// prompts is wrong for both, and a mix drifting toward long prompts is served slower than
/// planned.
public struct PrefillPerformance: Sendable, Hashable, Codable {
    /// Prompt tokens per second one instance sustains when its queue never empties, for
    /// prompts short enough that attention does not matter.
    public var tokensPerSecond: Double
    /// Fixed cost of one prefill batch (scheduling, kernel launches), seconds.
    public var batchOverheadSeconds: Double
    /// Attention's cost, seconds per token² of one prompt; nil or 0 when the profile has none.
    public var attentionSecondsPerTokenSquared: Double?

    public init(tokensPerSecond: Double, batchOverheadSeconds: Double = 0, attentionSecondsPerTokenSquared: Double? = nil) {
        self.tokensPerSecond = tokensPerSecond
        self.batchOverheadSeconds = batchOverheadSeconds
        self.attentionSecondsPerTokenSquared = attentionSecondsPerTokenSquared
    }

    /// Saturated prompt tokens per second for prompts of `promptTokens` (the rate for short
    /// prompts when the length is unknown).
    public func tokensPerSecond(promptTokens: Double?) -> Double {
        guard let attention = attentionSecondsPerTokenSquared, attention > 0, let length = promptTokens, length > 0 else {
            return tokensPerSecond
        }
        return 1 / (1 / tokensPerSecond + attention * length)
    }

    /// Time to prefill one prompt of `inputTokens` on an otherwise idle instance.
    public func serviceTime(inputTokens: Double) -> Double {
        let tokens = max(0, inputTokens)
        return batchOverheadSeconds + tokens / tokensPerSecond + max(0, attentionSecondsPerTokenSquared ?? 0) * tokens * tokens
    }
}

/// What one decode instance can do: the step-time model `a + b·batch + c·Σcontext` that
/// continuous-batching engines follow, plus the limits that cap the batch.
public struct DecodePerformance: Sendable, Hashable, Codable {
    /// `a`: per-step cost independent of the batch (reading the weights once), seconds.
    public var stepBaseSeconds: Double
    /// `b`: per-sequence cost in a step (sampling, per-row compute), seconds.
    public var stepPerSequenceSeconds: Double
    /// `c`: per context token in the batch (reading the KV cache), seconds.
    public var stepPerContextTokenSeconds: Double
    /// Tokens of KV cache one instance holds.
    public var kvCapacityTokens: Double
    /// The engine's maximum running batch.
    public var maxBatch: Int

    public init(
        stepBaseSeconds: Double,
        stepPerSequenceSeconds: Double,
        stepPerContextTokenSeconds: Double,
        kvCapacityTokens: Double,
        maxBatch: Int
    ) {
        self.stepBaseSeconds = stepBaseSeconds
        self.stepPerSequenceSeconds = stepPerSequenceSeconds
        self.stepPerContextTokenSeconds = stepPerContextTokenSeconds
        self.kvCapacityTokens = kvCapacityTokens
        self.maxBatch = maxBatch
    }

    /// Seconds per decode step with `batch` sequences of `meanContext` tokens each.
    public func stepTime(batch: Double, meanContext: Double) -> Double {
        stepBaseSeconds + batch * (stepPerSequenceSeconds + stepPerContextTokenSeconds * max(0, meanContext))
    }

    /// The largest batch the KV cache and the engine allow at this context length.
    public func batchLimit(meanContext: Double) -> Double {
        let byMemory = meanContext > 0 ? kvCapacityTokens / meanContext : Double(maxBatch)
        return max(1, min(Double(maxBatch), byMemory.rounded(.down)))
    }

    /// Output tokens per second when the batch is as full as memory allows.
    public func saturatedThroughput(meanContext: Double) -> Double {
        let batch = batchLimit(meanContext: meanContext)
        return batch / stepTime(batch: batch, meanContext: meanContext)
    }

    /// Output tokens per second while every sequence still gets a token every `tpotTarget`
    /// seconds: the largest batch whose step time fits the target, capped by memory.
    /// A target below the single-sequence step time cannot be met at any batch; the
    /// throughput of a batch of one is returned then, the best the instance can do.
    public func throughput(atTPOT tpotTarget: Double, meanContext: Double) -> Double {
        let perSequence = stepPerSequenceSeconds + stepPerContextTokenSeconds * max(0, meanContext)
        let fitting = perSequence > 0 ? ((tpotTarget - stepBaseSeconds) / perSequence).rounded(.down) : Double(maxBatch)
        let batch = max(1, min(batchLimit(meanContext: meanContext), fitting))
        return batch / stepTime(batch: batch, meanContext: meanContext)
    }
}

/// Optional priors from a profile. Without them the controller learns capacities online
/// and, until it has, only adds capacity when latency or queues demand it.
public struct PerformancePriors: Sendable, Hashable, Codable {
    public var prefill: PrefillPerformance?
    public var decode: DecodePerformance?
    /// How many saturated samples the prior is worth when blending with measurements.
    public var weightInSamples: Double

    public init(prefill: PrefillPerformance? = nil, decode: DecodePerformance? = nil, weightInSamples: Double = 10) {
        self.prefill = prefill
        self.decode = decode
        self.weightInSamples = weightInSamples
    }
}
