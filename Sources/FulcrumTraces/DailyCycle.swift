import FulcrumCore
import FulcrumStrictDecoding

/// Periodic modulation of the arrival rate, e.g. a day of traffic compressed into an hour.
///
/// The rate is multiplied by `1 − amplitude · cos(2π t / period)`, with `t` measured from the start
/// of the scenario (not of the phase) so the cycle runs on across phase boundaries. The cycle
/// starts at its trough ("midnight"), peaks at half a period, and averages to the base rate.
/// YAML: `{ amplitude: 0.8, period_s: 3600 }`.
public struct DailyCycle: Sendable, Equatable, Codable {
    /// `amplitude`, 0...1: 0 is flat, 1 drops to zero traffic at the trough.
    public var amplitude: Double
    /// `period_s`: length of one cycle in seconds.
    public var periodSeconds: Double

    public init(amplitude: Double, periodSeconds: Double) {
        self.amplitude = amplitude
        self.periodSeconds = periodSeconds
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case amplitude
        case periodSeconds = "period_s"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        amplitude = try container.decode(Double.self, forKey: .amplitude)
        periodSeconds = try container.decode(Double.self, forKey: .periodSeconds)
    }
}
