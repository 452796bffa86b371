import FulcrumCore

/// Something wrong with otherwise parseable telemetry; the affected signal is left out rather
/// than reported with a wrong number.
public struct TelemetryIssue: Sendable, Hashable, CustomStringConvertible {
    public var metric: String
    public var problem: String

    public init(metric: String, problem: String) {
        self.metric = metric
        self.problem = problem
    }

    public var description: String { "\(metric): \(problem)" }
}

/// Assembles `CumulativeHistogram`s from histogram samples.
public enum HistogramAssembly {
    /// One histogram series: its labels (without `le`) and its buckets.
    public struct Series: Sendable, Equatable {
        public var labels: [Label]
        public var histogram: CumulativeHistogram
    }

    /// The series of histogram `name` in `exposition` whose labels match `matchers`, one per
    /// label set (ignoring `le`). Samples named `name_bucket`, `name_sum` and `name_count` are
    /// collected from every related family, so a histogram exposed without a TYPE line (three
    /// untyped families) is assembled too. `scale` multiplies bounds and sums (e.g. 0.001 for
    /// milliseconds → seconds). Broken series (no `+Inf` bucket, decreasing counts, `_count`
    /// differing from the `+Inf` bucket, repeated bounds, counts that are negative or not finite,
    /// a sum that is not finite) are left out and reported in `issues`.
    public static func series(
        named name: String,
        in exposition: Exposition,
        matching matchers: [String: String] = [:],
        scale: Double = 1,
        issues: inout [TelemetryIssue]
    ) -> [Series] {
        let partials = collect(named: name, in: exposition, matching: matchers, scale: scale, issues: &issues)
        return partials.compactMap { partial in
            do throws(SeriesProblem) {
                return Series(labels: partial.labels, histogram: try partial.histogram())
            } catch {
                let where_ = partial.labels.isEmpty ? "" : " {\(partial.labels.map(\.description).joined(separator: ","))}"
                issues.append(TelemetryIssue(metric: name, problem: "histogram\(where_) \(error.text)"))
                return nil
            }
        }
    }

    /// One label set's `_bucket`, `_sum` and `_count` samples, as read.
    private struct PartialSeries {
        var labels: [Label]
        var buckets: [(bound: Double, count: Double)] = []
        var sum: Double?
        var count: Double?

        /// The series as a histogram, or what makes it none (the text follows "histogram {labels}").
        func histogram() throws(SeriesProblem) -> CumulativeHistogram {
            let buckets = buckets.sorted { $0.bound < $1.bound }
            guard let last = buckets.last, last.bound == .infinity else { throw SeriesProblem(text: "has no +Inf bucket") }
            if let bad = buckets.first(where: { !$0.count.isFinite || $0.count < 0 }) {
                throw SeriesProblem(text: "counts \(bad.count) in a bucket; counts are finite and 0 or more")
            }
            for k in buckets.indices.dropFirst() {
                if buckets[k].bound == buckets[k - 1].bound { throw SeriesProblem(text: "repeats bucket bound \(buckets[k].bound)") }
                if buckets[k].count < buckets[k - 1].count { throw SeriesProblem(text: "has decreasing cumulative counts") }
            }
            if let count, count != last.count { throw SeriesProblem(text: "_count \(count) differs from its +Inf bucket \(last.count)") }
            guard let sum else { throw SeriesProblem(text: "has no _sum") }
            guard sum.isFinite else { throw SeriesProblem(text: "has a _sum of \(sum); it must be a finite number") }
            return CumulativeHistogram(
                buckets: buckets.map { CumulativeHistogram.Bucket(upperBound: $0.bound, cumulativeCount: $0.count) },
                sum: sum
            )
        }
    }

    private struct SeriesProblem: Error {
        var text: String
    }

    /// Every matching label set's samples of histogram `name`, in the order first seen, from
    /// every related family (see `series`).
    private static func collect(named name: String, in exposition: Exposition, matching matchers: [String: String], scale: Double,
                                issues: inout [TelemetryIssue]) -> [PartialSeries] {
        let bucketName = name + "_bucket"
        let sumName = name + "_sum"
        let countName = name + "_count"
        // In the order first seen, each label set's slot made at its first sample; a set whose
        // samples were all unusable is left out at the end.
        var slots: [[Label]: Int] = [:]
        var partials: [PartialSeries] = []
        for family in exposition.families(relatedTo: name) {
            for sample in family.samples {
                let isBucket = sample.name == bucketName
                guard isBucket || sample.name == sumName || sample.name == countName else { continue }
                guard matches(sample, matchers) else { continue }
                let key = sample.labels.filter { $0.name != "le" }.sorted { $0.name < $1.name }
                let slot: Int
                if let known = slots[key] {
                    slot = known
                } else {
                    slot = partials.count
                    slots[key] = slot
                    partials.append(PartialSeries(labels: key))
                }
                if isBucket {
                    guard let raw = sample.label("le"), let bound = NumberParsing.parseDouble(Array(raw.utf8)), !bound.isNaN else {
                        issues.append(TelemetryIssue(metric: name, problem: "bucket without a numeric le label"))
                        continue
                    }
                    partials[slot].buckets.append((bound * (bound.isInfinite ? 1 : scale), sample.value))
                } else if sample.name == sumName {
                    partials[slot].sum = sample.value * scale
                } else {
                    partials[slot].count = sample.value
                }
            }
        }
        return partials.filter { !$0.buckets.isEmpty || $0.sum != nil || $0.count != nil }
    }

    /// Adds histograms bucket by bucket; `nil` when their bounds differ (no exact merge exists).
    public static func merge(_ histograms: [CumulativeHistogram]) -> CumulativeHistogram? {
        guard var merged = histograms.first else { return nil }
        for other in histograms.dropFirst() {
            guard other.buckets.map(\.upperBound) == merged.buckets.map(\.upperBound) else { return nil }
            for k in merged.buckets.indices {
                merged.buckets[k].cumulativeCount += other.buckets[k].cumulativeCount
            }
            merged.sum += other.sum
        }
        return merged
    }

    static func matches(_ sample: Sample, _ matchers: [String: String]) -> Bool {
        for (label, value) in matchers where sample.label(label) != value {
            return false
        }
        return true
    }
}
