/// A Prometheus-style histogram as scraped: cumulative counts at increasing upper bounds.
///
/// The last bound is `+infinity`, so the last cumulative count is the total number of
/// observations. Everything is cumulative since the worker started, exactly as exposed, so the
/// estimator can take deltas between scrapes.
public struct CumulativeHistogram: Sendable, Hashable, Codable {
    public struct Bucket: Sendable, Hashable, Codable {
        public var upperBound: Double
        public var cumulativeCount: Double

        public init(upperBound: Double, cumulativeCount: Double) {
            self.upperBound = upperBound
            self.cumulativeCount = cumulativeCount
        }
    }

    public var buckets: [Bucket]
    public var sum: Double

    public init(buckets: [Bucket], sum: Double) {
        self.buckets = buckets
        self.sum = sum
    }

    /// Builds a histogram from raw observation counts per bucket (not cumulative), appending
    /// the `+Inf` bucket when `bounds` lacks it. Convenient for emulators and tests.
    public init(bounds: [Double], countsPerBucket: [Double], sum: Double) {
        precondition(countsPerBucket.count == bounds.count || countsPerBucket.count == bounds.count + 1)
        var running = 0.0
        var buckets: [Bucket] = []
        for (index, bound) in bounds.enumerated() {
            running += countsPerBucket[index]
            buckets.append(Bucket(upperBound: bound, cumulativeCount: running))
        }
        if bounds.last != .infinity {
            if countsPerBucket.count > bounds.count { running += countsPerBucket[bounds.count] }
            buckets.append(Bucket(upperBound: .infinity, cumulativeCount: running))
        }
        self.init(buckets: buckets, sum: sum)
    }

    /// The number of observations (the `+Inf` bucket, i.e. `_count`).
    public var count: Double { buckets.last?.cumulativeCount ?? 0 }
}
