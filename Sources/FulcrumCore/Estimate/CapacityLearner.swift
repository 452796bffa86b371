/// Learns one role's saturated per-instance throughput online, blended with a prior.
///
/// Only samples taken while the instance's queue stayed non-empty measure capacity; an idle
/// instance's throughput measures demand. With a prior, the learner tracks the ratio
/// measured / predicted (so a changing mix moves the prediction and the ratio carries what
/// the profile got wrong); without one, it tracks the throughput itself.
public struct CapacityLearner: Sendable, Hashable, Codable {
    /// Exponentially forgotten sum of samples (ratios when a prior exists) and of weights.
    public private(set) var weightedSum: Double = 0
    public private(set) var weight: Double = 0
    public private(set) var samples: Int = 0

    public init() {}

    public mutating func add(_ sample: Double, retention: Double) {
        guard sample.isFinite, sample > 0 else { return }
        weightedSum = weightedSum * retention + sample
        weight = weight * retention + 1
        samples += 1
    }

    /// measured / predicted, blended with the prior's own 1.0 worth `priorWeight` samples.
    public func ratioToPrior(priorWeight: Double) -> Double {
        (priorWeight * 1 + weightedSum) / (priorWeight + weight)
    }

    /// The mean of the samples, when there are any and no prior exists.
    public var mean: Double? { weight > 0 ? weightedSum / weight : nil }
}
