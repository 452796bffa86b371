import FulcrumCore
import FulcrumStrictDecoding

/// How requests arrive within a phase. Rates are the phase's base rate; a ramp and a daily cycle
/// scale them over time.
///
/// YAML: `{ process: poisson, rate_rps: 5 }`, `{ process: gamma, rate_rps: 5, cv: 3 }`,
/// `{ process: onoff, on_rate_rps: 20, on_s: 30, off_s: 90 }`,
/// `{ process: bursts, rate_rps: 2.5, on_fraction: 0.15, mean_on_s: 20, off_tail: 3, batch_mean: 3 }`.
public enum ArrivalProcess: Sendable, Equatable, Codable {
    /// Independent arrivals at `rate_rps` requests per second.
    case poisson(rateRPS: Double)
    /// A renewal process whose gaps are gamma distributed with coefficient of variation `cv`:
    /// `cv` 1 is Poisson, larger values cluster requests into bursts separated by lulls.
    case gamma(rateRPS: Double, cv: Double)
    /// Poisson arrivals at `on_rate_rps` for `on_s` seconds, then silence for `off_s` seconds,
    /// repeating; every phase starts in the on state.
    case onOff(onRateRPS: Double, onSeconds: Double, offSeconds: Double)
    /// Bursts of use separated by idle stretches, as in code-completion traffic (one developer's
    /// editor fires many requests, then nothing for minutes). On periods last an exponential time
    /// of mean `mean_on_s`; off periods are Lomax (heavy-tailed) with tail index `off_tail` (> 1)
    /// and the mean that makes on periods `on_fraction` of the time. Each burst gets an
    /// exponentially distributed intensity, so some bursts are much busier than others. Within a
    /// burst, batches of a geometric number of requests (mean `batch_mean`) arrive as a Poisson
    /// process, each batch spread over `batchWindowSeconds`. The rates are normalised to the drawn
    /// schedule so that `rate_rps` is the phase's mean rate.
    case bursts(rateRPS: Double, onFraction: Double, meanOnSeconds: Double, offTail: Double, batchMean: Double)

    /// How far apart the requests of one batch of `bursts` may arrive: one editor action (or
    /// one agent step) fires its requests within about 100 ms.
    public static let batchWindowSeconds = 0.1

    /// The rate at the start of the phase (during on periods, for on/off; the mean, for bursts).
    var baseRateRPS: Double {
        switch self {
        case .poisson(let rate), .gamma(let rate, _), .onOff(let rate, _, _), .bursts(let rate, _, _, _, _): rate
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case process
        case rateRPS = "rate_rps"
        case cv
        case onRateRPS = "on_rate_rps"
        case onSeconds = "on_s"
        case offSeconds = "off_s"
        case onFraction = "on_fraction"
        case meanOnSeconds = "mean_on_s"
        case offTail = "off_tail"
        case batchMean = "batch_mean"
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
        case "bursts":
            try decoder.rejectUnknownKeys(allowed: [CodingKeys.process, .rateRPS, .onFraction, .meanOnSeconds, .offTail, .batchMean],
                                          context: "a bursts process")
            self = .bursts(rateRPS: try container.decode(Double.self, forKey: .rateRPS),
                           onFraction: try container.decode(Double.self, forKey: .onFraction),
                           meanOnSeconds: try container.decode(Double.self, forKey: .meanOnSeconds),
                           offTail: try container.decode(Double.self, forKey: .offTail),
                           batchMean: try container.decode(Double.self, forKey: .batchMean))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .process, in: container,
                debugDescription: "is \"\(process)\"; expected one of poisson, gamma, onoff, bursts")
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
        case .bursts(let rate, let onFraction, let meanOn, let offTail, let batchMean):
            try container.encode("bursts", forKey: .process)
            try container.encode(rate, forKey: .rateRPS)
            try container.encode(onFraction, forKey: .onFraction)
            try container.encode(meanOn, forKey: .meanOnSeconds)
            try container.encode(offTail, forKey: .offTail)
            try container.encode(batchMean, forKey: .batchMean)
        }
    }
}
