import Testing
@testable import FulcrumCore

@Suite("Histogram and counter math")
struct HistogramMathTests {
    @Test("increases summed as they come equal merging each materialised increase, resets and other bounds included")
    func increaseSum() {
        let bounds = [0.1, 0.5, 1.0]
        func h(_ counts: [Double], _ sum: Double, bounds: [Double] = bounds) -> CumulativeHistogram {
            CumulativeHistogram(bounds: bounds, countsPerBucket: counts, sum: sum)
        }
        let pairs: [(CumulativeHistogram?, CumulativeHistogram)] = [
            (h([1, 2, 3, 0], 2), h([3, 2, 5, 1], 5)),
            (nil, h([0, 1, 0, 0], 0.3)),
            (h([5, 5, 5, 5], 9), h([1, 1, 1, 1], 2)), // reset: the new histogram counts whole
            (h([0, 0, 1, 0], 1), h([2, 0, 1, 0], 1.1)),
        ]
        var sum = HistogramIncreaseSum()
        for (previous, current) in pairs { sum.add(from: previous, to: current) }
        #expect(sum.total == HistogramMath.merge(pairs.map { HistogramMath.increase(from: $0.0, to: $0.1) }))

        let other = h([1, 1, 0], 0.4, bounds: [0.2, 2.0])
        sum.add(from: nil, to: other)
        let merged = HistogramMath.merge(pairs.map { HistogramMath.increase(from: $0.0, to: $0.1) } + [other])
        let total = sum.total
        #expect(total?.buckets.map(\.upperBound) == merged?.buckets.map(\.upperBound))
        for (a, b) in zip(total?.buckets ?? [], merged?.buckets ?? []) { #expect(abs(a.cumulativeCount - b.cumulativeCount) < 1e-9) }
        #expect(HistogramIncreaseSum().total == nil)
    }

    @Test("counter increase is the difference, and the new value after a reset")
    func counterIncrease() {
        #expect(HistogramMath.counterIncrease(from: 100, to: 150) == 50)
        #expect(HistogramMath.counterIncrease(from: 100, to: 30) == 30)
        #expect(HistogramMath.counterIncrease(from: .nan, to: 30) == 0)
    }

    // Buckets le=0.1:10, le=0.5:30, le=1:40, +Inf:40 (10, 20, 10 observations per bucket).
    let known = CumulativeHistogram(bounds: [0.1, 0.5, 1], countsPerBucket: [10, 20, 10, 0], sum: 15)

    @Test("quantiles interpolate linearly inside the bucket, as histogram_quantile does")
    func quantileOnKnownBuckets() throws {
        // p50: rank 20 is in (0.1, 0.5] with 10 below and 20 inside: 0.1 + 0.4 * 10/20 = 0.3.
        #expect(abs(try #require(HistogramMath.quantile(0.5, of: known)) - 0.3) < 1e-12)
        // p90: rank 36 is in (0.5, 1] with 30 below and 10 inside: 0.5 + 0.5 * 6/10 = 0.8.
        #expect(abs(try #require(HistogramMath.quantile(0.9, of: known)) - 0.8) < 1e-12)
        // p10: rank 4 in the first bucket, starting at 0: 0.1 * 4/10 = 0.04.
        #expect(abs(try #require(HistogramMath.quantile(0.1, of: known)) - 0.04) < 1e-12)
    }

    @Test("a rank in the +Inf bucket answers the highest finite bound; an empty histogram answers nil")
    func quantileEdges() {
        let tail = CumulativeHistogram(bounds: [0.1, 0.5], countsPerBucket: [1, 1, 8], sum: 50)
        #expect(HistogramMath.quantile(0.99, of: tail) == 0.5)
        let empty = CumulativeHistogram(bounds: [0.1], countsPerBucket: [0, 0], sum: 0)
        #expect(HistogramMath.quantile(0.5, of: empty) == nil)
    }

    @Test("the increase between scrapes subtracts bucket by bucket; a restart takes the new histogram whole")
    func histogramIncrease() {
        let later = CumulativeHistogram(bounds: [0.1, 0.5, 1], countsPerBucket: [15, 25, 10, 5], sum: 30)
        let delta = HistogramMath.increase(from: known, to: later)
        #expect(delta.buckets.map(\.cumulativeCount) == [5, 10, 10, 15])
        #expect(delta.sum == 15)
        let restarted = CumulativeHistogram(bounds: [0.1, 0.5, 1], countsPerBucket: [1, 0, 0, 0], sum: 0.05)
        #expect(HistogramMath.increase(from: known, to: restarted) == restarted)
    }

    @Test("merging histograms with the same bounds adds them; different bounds interpolate")
    func merge() throws {
        let merged = try #require(HistogramMath.merge([known, known]))
        #expect(merged.buckets.map(\.cumulativeCount) == [20, 60, 80, 80])
        let coarse = CumulativeHistogram(bounds: [1], countsPerBucket: [10, 0], sum: 5)
        let mixed = try #require(HistogramMath.merge([known, coarse]))
        // At 0.5 the coarse histogram contributes half its single (0, 1] bucket.
        let atHalf = try #require(mixed.buckets.first { $0.upperBound == 0.5 })
        #expect(atHalf.cumulativeCount == 35)
        #expect(mixed.count == 50)
    }
}
