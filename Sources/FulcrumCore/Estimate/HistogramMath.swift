/// Deltas and quantiles of cumulative histograms, with Prometheus semantics.
public enum HistogramMath {
    /// The increase of a counter between two scrapes. A decrease means the worker restarted
    /// and its counter began again at zero, so the whole new value is the increase (the
    /// same rule as Prometheus' `rate()`).
    public static func counterIncrease(from previous: Double, to current: Double) -> Double {
        guard current.isFinite, previous.isFinite else { return 0 }
        return current >= previous ? current - previous : max(0, current)
    }

    /// Observations that landed between two scrapes, as a histogram of its own. Bucket
    /// bounds must match; when they do not (the engine was reconfigured) or the total went
    /// down (a restart), the current histogram is taken whole, as for a counter reset.
    public static func increase(from previous: CumulativeHistogram?, to current: CumulativeHistogram) -> CumulativeHistogram {
        guard let previous, sameBounds(previous, current), current.count >= previous.count
        else { return current }
        var buckets: [CumulativeHistogram.Bucket] = []
        buckets.reserveCapacity(current.buckets.count)
        var floor = 0.0
        for (old, new) in zip(previous.buckets, current.buckets) {
            // Cumulative counts must not decrease across buckets, even if a scrape raced
            // an update between buckets.
            floor = max(floor, max(0, new.cumulativeCount - old.cumulativeCount))
            buckets.append(.init(upperBound: new.upperBound, cumulativeCount: floor))
        }
        return CumulativeHistogram(buckets: buckets, sum: max(0, current.sum - previous.sum))
    }

    /// Whether two histograms have the same bucket bounds, compared in place (mapping each
    /// one's bounds to an array cost two allocations per worker per tick at fleet size).
    static func sameBounds(_ a: CumulativeHistogram, _ b: CumulativeHistogram) -> Bool {
        a.buckets.count == b.buckets.count && zip(a.buckets, b.buckets).allSatisfy { $0.upperBound == $1.upperBound }
    }

    /// Adds histograms from several workers. Identical bounds add bucket by bucket; different
    /// bounds are brought to the union of bounds by linear interpolation inside each bucket,
    /// the same assumption `histogram_quantile` makes.
    public static func merge(_ histograms: [CumulativeHistogram]) -> CumulativeHistogram? {
        guard let first = histograms.first else { return nil }
        if histograms.allSatisfy({ sameBounds($0, first) }) {
            var buckets = first.buckets
            var sum = first.sum
            for histogram in histograms.dropFirst() {
                for index in buckets.indices { buckets[index].cumulativeCount += histogram.buckets[index].cumulativeCount }
                sum += histogram.sum
            }
            return CumulativeHistogram(buckets: buckets, sum: sum)
        }
        var bounds = Set<Double>()
        for histogram in histograms { for bucket in histogram.buckets { bounds.insert(bucket.upperBound) } }
        bounds.insert(.infinity)
        let sortedBounds = bounds.sorted()
        let buckets = sortedBounds.map { bound in
            CumulativeHistogram.Bucket(
                upperBound: bound,
                cumulativeCount: histograms.reduce(0) { $0 + cumulativeCount(of: $1, atOrBelow: bound) }
            )
        }
        return CumulativeHistogram(buckets: buckets, sum: histograms.reduce(0) { $0 + $1.sum })
    }

    /// The `q`-quantile (0…1) of a histogram, exactly as Prometheus' `histogram_quantile`:
    /// find the bucket holding rank `q·count`, interpolate linearly inside it (the first
    /// bucket starts at 0 when its bound is positive), and answer the highest finite bound
    /// when the rank falls in the `+Inf` bucket. `nil` when there are no observations.
    public static func quantile(_ q: Double, of histogram: CumulativeHistogram) -> Double? {
        let buckets = histogram.buckets.filter { !$0.upperBound.isNaN }
        guard q.isFinite, let total = buckets.last?.cumulativeCount, total > 0 else { return nil }
        let clampedQ = min(1, max(0, q))
        let rank = clampedQ * total
        guard let index = buckets.firstIndex(where: { $0.cumulativeCount >= rank }) else { return nil }
        let bucket = buckets[index]
        if bucket.upperBound == .infinity {
            return index > 0 ? buckets[index - 1].upperBound : nil
        }
        let lowerBound: Double
        let countBelow: Double
        if index == 0 {
            lowerBound = bucket.upperBound > 0 ? 0 : bucket.upperBound
            countBelow = 0
        } else {
            lowerBound = buckets[index - 1].upperBound
            countBelow = buckets[index - 1].cumulativeCount
        }
        let inBucket = bucket.cumulativeCount - countBelow
        guard inBucket > 0 else { return bucket.upperBound }
        return lowerBound + (bucket.upperBound - lowerBound) * (rank - countBelow) / inBucket
    }

    /// Cumulative count at `bound`, interpolating linearly inside the bucket that contains it.
    static func cumulativeCount(of histogram: CumulativeHistogram, atOrBelow bound: Double) -> Double {
        var lower = 0.0
        var countBelow = 0.0
        for bucket in histogram.buckets {
            if bound >= bucket.upperBound {
                lower = bucket.upperBound
                countBelow = bucket.cumulativeCount
                continue
            }
            guard bucket.upperBound.isFinite, bucket.upperBound > lower else { return countBelow }
            let fraction = (bound - lower) / (bucket.upperBound - lower)
            return countBelow + max(0, min(1, fraction)) * (bucket.cumulativeCount - countBelow)
        }
        return countBelow
    }
}

/// Many workers' histogram increases over one interval, summed as they come: the same result
/// as materialising each increase and `merge`-ing them, without an array per worker. When a
/// histogram's bounds differ from the first one's, its increase is kept apart and merged at
/// the end by interpolation (equal to merging them one by one up to rounding).
struct HistogramIncreaseSum {
    private var running: CumulativeHistogram?
    private var otherBounds: [CumulativeHistogram] = []

    /// Adds `HistogramMath.increase(from: previous, to: current)`.
    mutating func add(from previous: CumulativeHistogram?, to current: CumulativeHistogram) {
        guard var total = running else {
            running = HistogramMath.increase(from: previous, to: current)
            return
        }
        guard HistogramMath.sameBounds(total, current) else {
            otherBounds.append(HistogramMath.increase(from: previous, to: current))
            return
        }
        running = nil // `total` is now the only reference: added to in place
        if let previous, HistogramMath.sameBounds(previous, current), current.count >= previous.count {
            var floor = 0.0
            for index in total.buckets.indices {
                floor = max(floor, max(0, current.buckets[index].cumulativeCount - previous.buckets[index].cumulativeCount))
                total.buckets[index].cumulativeCount += floor
            }
            total.sum += max(0, current.sum - previous.sum)
        } else {
            for index in total.buckets.indices { total.buckets[index].cumulativeCount += current.buckets[index].cumulativeCount }
            total.sum += current.sum
        }
        running = total
    }

    /// The sum; nil when nothing was added.
    var total: CumulativeHistogram? {
        guard let running else { return nil }
        return otherBounds.isEmpty ? running : HistogramMath.merge([running] + otherBounds)
    }
}
