/// What arrived during the interval that ends at the snapshot's time, summarised by the caller.
///
/// Orchestrators that embed the controller (a trace replay, a Kubernetes operator, a script in
/// front of a router's logs) often know "50 requests, mean prompt 3,000 tokens, p90 TTFT
/// 0.8 s over the last 10 s" but have no cumulative Prometheus counters to difference. The
/// estimator takes such a window as a direct measurement: after the frontend's counters, before
/// inferring arrivals from worker counters.
public struct TrafficWindow: Sendable, Hashable, Codable {
    /// Length of the window, seconds (> 0).
    public var durationSeconds: Double
    /// Requests that arrived in the window.
    public var requests: Double
    /// Mean prompt length of those requests, tokens.
    public var meanInputTokens: Double?
    /// Mean output length of the requests, tokens.
    public var meanOutputTokens: Double?
    /// Time to first token at the SLO percentile over the window, seconds, if measured.
    public var ttftSeconds: Double?
    /// Inter-token latency at the SLO percentile over the window, seconds, if measured.
    public var interTokenLatencySeconds: Double?

    public init(
        durationSeconds: Double,
        requests: Double,
        meanInputTokens: Double? = nil,
        meanOutputTokens: Double? = nil,
        ttftSeconds: Double? = nil,
        interTokenLatencySeconds: Double? = nil
    ) {
        self.durationSeconds = durationSeconds
        self.requests = requests
        self.meanInputTokens = meanInputTokens
        self.meanOutputTokens = meanOutputTokens
        self.ttftSeconds = ttftSeconds
        self.interTokenLatencySeconds = interTokenLatencySeconds
    }
}
