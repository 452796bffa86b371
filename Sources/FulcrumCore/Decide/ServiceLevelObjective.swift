/// The latency targets the deployment is sized for.
public struct ServiceLevelObjective: Sendable, Hashable, Codable {
    /// Time to first token target, seconds.
    public var ttftSeconds: Double
    /// Time per output token (inter-token latency) target, seconds.
    public var tpotSeconds: Double
    /// The percentile of requests that must meet the targets, 0…1 (0.9 means p90).
    public var percentile: Double

    public init(ttftSeconds: Double, tpotSeconds: Double, percentile: Double) {
        self.ttftSeconds = ttftSeconds
        self.tpotSeconds = tpotSeconds
        self.percentile = percentile
    }

    /// What an operator gets for every SLO key left out, in the daemon's configuration, in
    /// `fulcrum-sim` and in `decide` alike (docs/configuration.md): TTFT 2 s, TPOT 50 ms, p99.
    public static let `default` = ServiceLevelObjective(ttftSeconds: 2, tpotSeconds: 0.05, percentile: 0.99)
}
