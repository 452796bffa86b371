/// A histogram being filled, as a Prometheus client holds it: observations per `le` bucket
/// (the last is `+Inf`) and a running sum.
public struct LatencyHistogram: Sendable, Hashable {
    public let bounds: [Double]
    public private(set) var countsPerBucket: [Double]
    public private(set) var sum = 0.0

    public init(bounds: [Double]) {
        self.bounds = bounds
        countsPerBucket = Array(repeating: 0, count: bounds.count + 1)
    }

    /// Records `count` observations of `value` at once (a decode step gives every sequence in
    /// the batch the same latency).
    public mutating func observe(_ value: Double, count: Int = 1) {
        guard count > 0 else { return }
        let bucket = bounds.firstIndex { value <= $0 } ?? bounds.count
        countsPerBucket[bucket] += Double(count)
        sum += value * Double(count)
    }

    public var count: Double { countsPerBucket.reduce(0, +) }

    /// Cumulative counts for each bound, then for `+Inf`.
    public var cumulativeCounts: [Double] {
        var running = 0.0
        return countsPerBucket.map { running += $0; return running }
    }
}
