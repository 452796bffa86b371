import FulcrumCore

/// How requests arrive within a phase. Rates are the phase's base rate; a ramp and a daily cycle
/// scale them over time.
///
/// YAML: `{ process: poisson, rate_rps: 5 }`, `{ process: gamma, rate_rps: 5, cv: 3 }`,
/// `{ process: onoff, on_rate_rps: 20, on_s: 30, off_s: 90 }`.
public enum ArrivalProcess: Sendable, Equatable, Codable {
    /// Independent arrivals at `rate_rps` requests per second.
    case poisson(rateRPS: Double)
    /// A renewal process whose gaps are gamma distributed with coefficient of variation `cv`:
    /// `cv` 1 is Poisson, larger values cluster requests into bursts separated by lulls.
    case gamma(rateRPS: Double, cv: Double)
    /// Poisson arrivals at `on_rate_rps` for `on_s` seconds, then silence for `off_s` seconds,
    /// repeating; every phase starts in the on state.
    case onOff(onRateRPS: Double, onSeconds: Double, offSeconds: Double)

    /// The rate at the start of the phase (during on periods, for on/off).
    var baseRateRPS: Double {
        switch self {
        case .poisson(let rate), .gamma(let rate, _), .onOff(let rate, _, _): rate
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case process
        case rateRPS = "rate_rps"
        case cv
        case onRateRPS = "on_rate_rps"
        case onSeconds = "on_s"
        case offSeconds = "off_s"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let process = try container.decode(String.self, forKey: .process)
        switch process {
        case "poisson":
            try decoder.rejectUnknownKeys(allowed: [CodingKeys.process, .rateRPS], context: "a poisson process")
            self = .poisson(rateRPS: try container.decode(Double.self, forKey: .rateRPS))
        case "gamma":
            try decoder.rejectUnknownKeys(allowed: [CodingKeys.process, .rateRPS, .cv], context: "a gamma process")
            self = .gamma(rateRPS: try container.decode(Double.self, forKey: .rateRPS),
                          cv: try container.decode(Double.self, forKey: .cv))
        case "onoff":
            try decoder.rejectUnknownKeys(allowed: [CodingKeys.process, .onRateRPS, .onSeconds, .offSeconds], context: "an onoff process")
            self = .onOff(onRateRPS: try container.decode(Double.self, forKey: .onRateRPS),
                          onSeconds: try container.decode(Double.self, forKey: .onSeconds),
                          offSeconds: try container.decode(Double.self, forKey: .offSeconds))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .process, in: container,
                debugDescription: "expected process to be one of poisson, gamma, onoff, found \"\(process)\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .poisson(let rate):
            try container.encode("poisson", forKey: .process)
            try container.encode(rate, forKey: .rateRPS)
        case .gamma(let rate, let cv):
            try container.encode("gamma", forKey: .process)
            try container.encode(rate, forKey: .rateRPS)
            try container.encode(cv, forKey: .cv)
        case .onOff(let rate, let on, let off):
            try container.encode("onoff", forKey: .process)
            try container.encode(rate, forKey: .onRateRPS)
            try container.encode(on, forKey: .onSeconds)
            try container.encode(off, forKey: .offSeconds)
        }
    }
}
