import Foundation
import FulcrumCore
import FulcrumStrictDecoding

/// A smooth random wander of the arrival rate, as in conversation traffic whose per-minute volume
/// swings several-fold within an hour while arrivals stay Poisson within each minute.
///
/// The log-rate is a Gaussian random walk with one step every `step_s` seconds (interpolated
/// linearly in between), rescaled so that the busiest instant is exactly `ratio` times the
/// quietest: a seed changes the shape of the wander, never its size. The result multiplies the
/// phase's rate (ramp and daily cycle included) and is normalised so the expected number of
/// requests in the phase is unchanged.
/// YAML: `{ ratio: 10, step_s: 60 }`.
public struct RateDrift: Sendable, Equatable, Codable {
    /// `ratio` (≥ 1): fastest over slowest rate; 1 is no drift.
    public var ratio: Double
    /// `step_s` (> 0): seconds between steps of the walk; shorter steps wander faster.
    public var stepSeconds: Double

    public init(ratio: Double, stepSeconds: Double) {
        self.ratio = ratio
        self.stepSeconds = stepSeconds
    }

    /// The log of the rate multiplier (before normalisation) at each step, 0 at the quietest
    /// step and ln(ratio) at the busiest; enough steps to cover `durationSeconds`.
    func logMultipliers(durationSeconds: Double, using random: inout SeededRandomGenerator) -> [Double] {
        let steps = Int((durationSeconds / stepSeconds).rounded(.up))
        var walk = [0.0]
        for _ in 0..<steps {
            walk.append(walk[walk.count - 1] + random.nextStandardNormal())
        }
        let low = walk.min() ?? 0
        let range = (walk.max() ?? 0) - low
        guard range > 0 else { return walk.map { _ in 0 } }
        return walk.map { ($0 - low) / range * log(ratio) }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case ratio
        case stepSeconds = "step_s"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ratio = try container.decode(Double.self, forKey: .ratio)
        stepSeconds = try container.decode(Double.self, forKey: .stepSeconds)
    }
}
