import FulcrumCore

/// A histogram being filled, as an engine's Prometheus client holds it: counts per bucket
/// and a running sum, exported as a cumulative `CumulativeHistogram` on scrape.
struct HistogramAccumulator: Sendable {
    let bounds: [Double]
    /// Observations per bucket (not cumulative); the last entry is the `+Inf` bucket.
    private(set) var counts: [Double]
    private(set) var sum = 0.0

    init(bounds: [Double]) {
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count + 1)
    }

    /// Records `count` observations of `value` (a decode step gives every sequence in the batch
    /// the same inter-token latency, so they are recorded at once).
    mutating func observe(_ value: Double, count: Int = 1) {
        guard count > 0 else { return }
        // Prometheus buckets are `le` (less or equal): the first bound ≥ value.
        var low = 0
        var high = bounds.count
        while low < high {
            let mid = (low + high) / 2
            if bounds[mid] >= value { high = mid } else { low = mid + 1 }
        }
        counts[low] += Double(count)
        sum += value * Double(count)
    }

    var total: Double { counts.reduce(0, +) }

    var cumulative: CumulativeHistogram {
        CumulativeHistogram(bounds: bounds, countsPerBucket: counts, sum: sum)
    }
}
