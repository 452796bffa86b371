import FulcrumCore
import FulcrumStrictDecoding

/// A token-length distribution: log-normal with the given mean and coefficient of variation,
/// rounded to whole tokens and clamped to `1...max`.
///
/// Log-normal because real prompt and completion lengths are positive and right-skewed; mean and
/// CV are what trace studies report, so scenarios can be written from published numbers.
/// YAML: `{ mean: 1000, cv: 0.6, max: 32768 }` (`max` optional).
public struct LengthDistribution: Sendable, Equatable, Codable {
    /// Default cap, the context window of common serving configurations.
    public static let defaultMax = 32_768

    /// `mean` in tokens (before clamping).
    public var mean: Double
    /// `cv`: standard deviation / mean; 0 makes every length equal to the mean.
    public var cv: Double
    /// `max`: longest length produced.
    public var max: Int

    public init(mean: Double, cv: Double, max: Int = LengthDistribution.defaultMax) {
        self.mean = mean
        self.cv = cv
        self.max = max
    }

    /// One length in tokens.
    func sample(using random: inout SeededRandomGenerator) -> Int {
        let tokens = random.nextLognormal(mean: mean, cv: cv).rounded()
        return Int(Swift.min(Swift.max(tokens, 1), Double(max)))
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case mean, cv, max
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mean = try container.decode(Double.self, forKey: .mean)
        cv = try container.decode(Double.self, forKey: .cv)
        max = try container.decodeIfPresent(Int.self, forKey: .max) ?? Self.defaultMax
    }
}
