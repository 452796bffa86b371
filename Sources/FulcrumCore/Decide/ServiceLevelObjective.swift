/// The latency targets the deployment is sized for.
public struct ServiceLevelObjective: Sendable, Hashable, Codable {
    /// Time to first token target, seconds.
    public var ttftSeconds: Double
    /// Time per output token (inter-token latency) target, seconds.
    public var tpotSeconds: Double
    /// The percentile of requests that must meet the targets, 0…1 (0.9 means p90).
    public var percentile: Double

    public init(ttftSeconds: Double, tpotSeconds: Double, percentile: Double = 0.9) {
        self.ttftSeconds = ttftSeconds
        self.tpotSeconds = tpotSeconds
        self.percentile = percentile
    }
}
