import FulcrumCore

extension Profile {
    /// What an operator's offline profiling of this model on this hardware hands the
    /// controller: prefill throughput for short prompts with the attention term beside it (a
    /// sweep over prompt lengths fits both, as Dynamo's profiler and aiconfigurator do), and
    /// the decode step model as is.
    ///
    /// Prefill: with the queue never empty, batches are full (`maxBatchTokens` tokens), so the
    /// batch overhead is paid once per budget of tokens and a prompt of `P` tokens costs
    /// `perToken·P + attention·P²`: throughput at `P` is
    /// `1 / (overhead/budget + perToken + attention·P)` tokens/s
    /// (`PrefillPerformance.tokensPerSecond(promptTokens:)`). `PrefillPerformance`'s separate
    /// `batchOverheadSeconds` is then the latency cost of a lone batch.
    public var priors: PerformancePriors {
        let budget = Double(max(1, prefill.maxBatchTokens))
        return PerformancePriors(
            prefill: PrefillPerformance(
                tokensPerSecond: 1 / (prefill.batchOverheadSeconds / budget + prefill.perTokenSeconds),
                batchOverheadSeconds: prefill.batchOverheadSeconds,
                attentionSecondsPerTokenSquared: prefill.attentionPerTokenSquaredSeconds
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
