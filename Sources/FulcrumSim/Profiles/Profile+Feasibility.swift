import FulcrumCore

/// Which requests any configuration could serve within the SLO: the one place the rule lives.
///
/// A request is *feasible* when, alone on idle instances of this profile, it meets both
/// targets: its TTFT (its prompt prefilled alone, chunked by the token budget, plus moving its
/// KV cache to a decode instance on an idle link) is within the TTFT target, and its TPOT (decode
/// steps with a batch of one, at the context it actually has at each step) is within the TPOT
/// target. A request whose decode reservation (prompt + output) exceeds one instance's KV cache
/// can never be admitted and is infeasible too. No number of instances makes a lone request
/// faster, so no policy can serve an infeasible request in time; attainment over feasible
/// requests measures only what scaling can influence.
///
/// The latencies are exactly what the engine produces for a lone request (lengths clamped to at
/// least one token as the engine does; a one-token output has no KV transfer and no TPOT).
extension Profile {
    /// Latencies of one request alone on idle instances: TTFT, and TPOT (`nil` for one token).
    public func idleLatency(inputTokens: Int, outputTokens: Int) -> (ttft: Double, tpot: Double?) {
        let input = max(1, inputTokens)
        let output = max(1, outputTokens)
        let prefillSeconds = prefill.soloSeconds(promptTokens: input)
        guard output > 1 else { return (prefillSeconds, nil) }
        // Decode step k (k = 0 … output − 2) runs with a context of input + 1 + k tokens, so the
        // mean step, which is the TPOT, has a context of input + output / 2.
        let meanContext = Double(input) + Double(output) / 2
        let tpot = decode.stepBaseSeconds + decode.stepPerSequenceSeconds + decode.stepPerContextTokenSeconds * meanContext
        return (prefillSeconds + kvTransferSeconds(tokens: input), tpot)
    }

    /// Whether a decode instance can ever admit the request (it reserves prompt + output).
    public func canAdmit(inputTokens: Int, outputTokens: Int) -> Bool {
        max(1, inputTokens) + max(1, outputTokens) <= decode.kvCapacityTokens
    }

    /// Whether the request could meet `slo` at all: admissible, and within both targets alone.
    public func isFeasible(inputTokens: Int, outputTokens: Int, slo: ServiceLevelObjective) -> Bool {
        guard canAdmit(inputTokens: inputTokens, outputTokens: outputTokens) else { return false }
        let latency = idleLatency(inputTokens: inputTokens, outputTokens: outputTokens)
        return latency.ttft <= slo.ttftSeconds && (latency.tpot ?? 0) <= slo.tpotSeconds
    }
}
