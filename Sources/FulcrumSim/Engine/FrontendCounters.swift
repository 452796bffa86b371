import FulcrumCore

/// The router/frontend's own metrics: it sees every request once, whatever happens to it later.
struct FrontendCounters {
    var requestsArrived = 0.0
    var inputTokens = 0.0
    var outputTokens = 0.0
    var requestsCompleted = 0.0
    /// Client-side TTFT: arrival → first token, including router waits and the KV transfer.
    var timeToFirstToken = HistogramAccumulator(bounds: VLLMHistogramBounds.timeToFirstToken)
    /// One observation per completed multi-token request: its mean time per output token.
    var interTokenLatency = HistogramAccumulator(bounds: VLLMHistogramBounds.interTokenLatency)

    func telemetry(at time: Double) -> FrontendTelemetry {
        FrontendTelemetry(
            scrapedAt: Timestamp(seconds: time),
            requestsArrived: requestsArrived,
            inputTokens: inputTokens,
            outputTokens: outputTokens,
            requestsCompleted: requestsCompleted,
            timeToFirstToken: timeToFirstToken.cumulative,
            interTokenLatency: interTokenLatency.cumulative
        )
    }
}
