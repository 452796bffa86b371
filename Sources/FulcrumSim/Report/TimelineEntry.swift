/// One interval `[time, end)` of a run: what was asked of the cluster, what it had, and how
/// the requests resolved in it fared.
public struct TimelineEntry: Sendable, Hashable, Codable {
    public var time: Double
    public var end: Double
    /// Requests arriving in the interval.
    public var arrivals: Int
    public var arrivalRate: Double
    /// Prompt tokens arriving per second: the prefill work offered.
    public var prefillDemandTokensPerSecond: Double
    /// Output tokens of the arriving requests per second: the decode work offered.
    public var decodeDemandTokensPerSecond: Double
    /// Instance counts by lifecycle at the interval's end.
    public var prefillReady: Int
    public var prefillStarting: Int
    public var prefillDraining: Int
    public var decodeReady: Int
    public var decodeStarting: Int
    public var decodeDraining: Int
    /// What the policy last asked for by the interval's end (`nil` before its first tick).
    public var desiredPrefill: Int?
    public var desiredDecode: Int?
    /// GPUs held at the interval's end.
    public var gpusHeld: Int
    /// Requests resolved in the interval (completed, or failed).
    public var resolved: Int
    /// Latency percentiles of the requests completing in the interval.
    public var ttftP50: Double?
    public var ttftP99: Double?
    public var tpotP50: Double?
    public var tpotP99: Double?
    /// Fraction of the requests resolved in the interval that met the SLO (failures miss).
    public var sloAttainment: Double?

    enum CodingKeys: String, CodingKey {
        case time = "time_s"
        case end = "end_s"
        case arrivals
        case arrivalRate = "arrival_rate_rps"
        case prefillDemandTokensPerSecond = "prefill_demand_tokens_per_s"
        case decodeDemandTokensPerSecond = "decode_demand_tokens_per_s"
        case prefillReady = "prefill_ready"
        case prefillStarting = "prefill_starting"
        case prefillDraining = "prefill_draining"
        case decodeReady = "decode_ready"
        case decodeStarting = "decode_starting"
        case decodeDraining = "decode_draining"
        case desiredPrefill = "desired_prefill"
        case desiredDecode = "desired_decode"
        case gpusHeld = "gpus_held"
        case resolved
        case ttftP50 = "ttft_p50_s"
        case ttftP99 = "ttft_p99_s"
        case tpotP50 = "tpot_p50_s"
        case tpotP99 = "tpot_p99_s"
        case sloAttainment = "slo_attainment"
    }

    /// Encodes missing values as `null` rather than omitting the key, so every entry has the
    /// same columns.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(time, forKey: .time)
        try container.encode(end, forKey: .end)
        try container.encode(arrivals, forKey: .arrivals)
        try container.encode(arrivalRate, forKey: .arrivalRate)
        try container.encode(prefillDemandTokensPerSecond, forKey: .prefillDemandTokensPerSecond)
        try container.encode(decodeDemandTokensPerSecond, forKey: .decodeDemandTokensPerSecond)
        try container.encode(prefillReady, forKey: .prefillReady)
        try container.encode(prefillStarting, forKey: .prefillStarting)
        try container.encode(prefillDraining, forKey: .prefillDraining)
        try container.encode(decodeReady, forKey: .decodeReady)
        try container.encode(decodeStarting, forKey: .decodeStarting)
        try container.encode(decodeDraining, forKey: .decodeDraining)
        try container.encode(desiredPrefill, forKey: .desiredPrefill)
        try container.encode(desiredDecode, forKey: .desiredDecode)
        try container.encode(gpusHeld, forKey: .gpusHeld)
        try container.encode(resolved, forKey: .resolved)
        try container.encode(ttftP50, forKey: .ttftP50)
        try container.encode(ttftP99, forKey: .ttftP99)
        try container.encode(tpotP50, forKey: .tpotP50)
        try container.encode(tpotP99, forKey: .tpotP99)
        try container.encode(sloAttainment, forKey: .sloAttainment)
    }
}
