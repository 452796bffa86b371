import FulcrumCore

extension Profile {
    /// What an operator's offline profiling of this model on this hardware would hand the
    /// controller, at the profile's typical prompt length.
    public var priors: PerformancePriors { priors(typicalPromptTokens: typicalPromptTokens) }

    /// Priors quoting prefill throughput at `typicalPromptTokens`.
    ///
    /// Prefill: with the queue never empty, batches are full (`maxBatchTokens` tokens), so
    /// the batch overhead is paid once per budget of tokens, and each prompt of `P` tokens
    /// costs `perToken·P + attention·P²`. Throughput is therefore
    /// `1 / (overhead/budget + perToken + attention·P)` tokens/s. `PrefillPerformance`'s
    /// separate `batchOverheadSeconds` is then the latency cost of a lone batch.
    /// Decode: the step model is the same shape, copied as is.
    public func priors(typicalPromptTokens: Double) -> PerformancePriors {
        let budget = Double(max(1, prefill.maxBatchTokens))
        let secondsPerToken = prefill.batchOverheadSeconds / budget
            + prefill.perTokenSeconds
            + prefill.attentionPerTokenSquaredSeconds * max(0, typicalPromptTokens)
        return PerformancePriors(
            prefill: PrefillPerformance(
                tokensPerSecond: 1 / secondsPerToken,
                batchOverheadSeconds: prefill.batchOverheadSeconds
            ),
            decode: DecodePerformance(
                stepBaseSeconds: decode.stepBaseSeconds,
                stepPerSequenceSeconds: decode.stepPerSequenceSeconds,
                stepPerContextTokenSeconds: decode.stepPerContextTokenSeconds,
                kvCapacityTokens: Double(decode.kvCapacityTokens),
                maxBatch: decode.maxBatch
            )
        )
    }
}
