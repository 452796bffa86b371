// The parsed form of a Prometheus / OpenMetrics exposition.
//
// Only the families a caller asked for are materialised (see `FamilyFilter`); every other family
// is still validated by the parser and is listed, by name, type and sample count, in
// `Exposition.allFamilies` so that presets can detect the engine and report unused families.

/// The two text formats the parser understands.
public enum ExpositionFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// Prometheus text exposition format 0.0.4 (`text/plain; version=0.0.4`), including the
    /// Prometheus 3 quoted-name extension (`{"my.metric", label="x"}`). Timestamps are integer
    /// milliseconds.
    case prometheusText
    /// OpenMetrics 1.0 text (`application/openmetrics-text`). Must end with `# EOF`; timestamps
    /// are float seconds; exemplars may follow a sample after ` # `.
    case openMetrics

    /// Picks the format from an HTTP `Content-Type` header value; `nil` if it names neither.
    public init?(contentType: String) {
        let lower = contentType.lowercased()
        if lower.hasPrefix("application/openmetrics-text") {
            self = .openMetrics
        } else if lower.hasPrefix("text/plain") {
            self = .prometheusText
        } else {
            return nil
        }
    }
}

/// Which format to parse as. `.auto` means OpenMetrics exactly when the input ends with a
/// `# EOF` line (trailing whitespace allowed), otherwise the Prometheus text format.
public enum FormatChoice: Sendable, Hashable {
    case auto
    case exactly(ExpositionFormat)
}

/// A metric family's type, as declared by its `# TYPE` line (`unknown` when there is none, or
/// for `untyped` in the Prometheus text format).
public enum MetricType: String, Sendable, Hashable, Codable, CaseIterable {
    case counter
    case gauge
    case histogram
    case gaugeHistogram = "gaugehistogram"
    case summary
    case info
    case stateSet = "stateset"
    case unknown

    var allowedSuffixBytes: [[UInt8]] {
        switch self {
        case .counter: return counterSuffixBytes
        case .gauge, .stateSet, .unknown: return plainSuffixBytes
        case .histogram: return histogramSuffixBytes
        case .gaugeHistogram: return gaugeHistogramSuffixBytes
        case .summary: return summarySuffixBytes
        case .info: return infoSuffixBytes
        }
    }

    /// The sample-name suffixes a family of this type may carry (OpenMetrics 1.0 §"Metric types",
    /// plus the Prometheus text format's bare counter / summary names).
    var allowedSuffixes: [String] {
        switch self {
        case .counter: return ["", "_total", "_created"]
        case .gauge, .stateSet, .unknown: return [""]
        case .histogram: return ["_bucket", "_sum", "_count", "_created"]
        case .gaugeHistogram: return ["_bucket", "_gsum", "_gcount"]
        case .summary: return ["", "_sum", "_count", "_created"]
        case .info: return ["_info"]
        }
    }
}

/// One label pair of a sample.
public struct Label: Sendable, Hashable, Codable, CustomStringConvertible {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name)=\(value.debugDescription)" }
}

/// An OpenMetrics exemplar attached to a sample.
public struct Exemplar: Sendable, Codable, CustomStringConvertible {
    public var labels: [Label]
    public var value: Double
    /// Seconds, as written.
    public var timestamp: Double?

    public init(labels: [Label], value: Double, timestamp: Double? = nil) {
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }

    public var description: String { "# {\(labels.map(\.description).joined(separator: ","))} \(value)" }
}

extension Exemplar: Equatable {
    public static func == (lhs: Exemplar, rhs: Exemplar) -> Bool {
        lhs.labels == rhs.labels && sameNumber(lhs.value, rhs.value) && lhs.timestamp == rhs.timestamp
    }
}

/// One sample line.
///
/// `name` is the full sample name as exposed (`vllm:prompt_tokens_total`,
/// `vllm:time_to_first_token_seconds_bucket`); `labels` keep the exposition's order (including
/// `le` / `quantile`). `timestamp` is in seconds in both formats (the text format's integer
/// milliseconds are divided by 1000).
public struct Sample: Sendable, Codable, CustomStringConvertible {
    public var name: String
    public var labels: Labels
    public var value: Double
    public var timestamp: Double?
    public var exemplar: Exemplar?

    public init(name: String, labels: Labels = [], value: Double, timestamp: Double? = nil, exemplar: Exemplar? = nil) {
        self.name = name
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
        self.exemplar = exemplar
    }

    public init(name: String, labels: [Label], value: Double, timestamp: Double? = nil, exemplar: Exemplar? = nil) {
        self.init(name: name, labels: Labels(labels), value: value, timestamp: timestamp, exemplar: exemplar)
    }

    /// The value of label `name`, if the sample has it.
    public func label(_ name: String) -> String? {
        labels.first { $0.name == name }?.value
    }

    public var description: String {
        "\(name){\(labels.map(\.description).joined(separator: ","))} \(value)"
    }
}

extension Sample: Equatable {
    /// Values compare equal when both are NaN, so that round trips can be checked with `==`.
    public static func == (lhs: Sample, rhs: Sample) -> Bool {
        lhs.name == rhs.name && lhs.labels == rhs.labels && sameNumber(lhs.value, rhs.value)
            && lhs.timestamp == rhs.timestamp && lhs.exemplar == rhs.exemplar
    }
}

@inline(__always)
func sameNumber(_ a: Double, _ b: Double) -> Bool {
    a == b || (a.isNaN && b.isNaN)
}

/// A metric family: its metadata and its samples in exposition order.
///
/// `name` is the name on the family's `# TYPE` / `# HELP` line, or the sample name for a family
/// without metadata. Note that counters are named with `_total` in the Prometheus text format as
/// the Python and Rust clients write it (`# TYPE vllm:prompt_tokens_total counter`) and without
/// it in OpenMetrics (`# TYPE vllm:prompt_tokens counter`); `Exposition.family(named:)` finds
/// either spelling.
public struct MetricFamily: Sendable, Equatable, Codable, CustomStringConvertible {
    public var name: String
    public var type: MetricType
    public var help: String?
    public var unit: String?
    public var samples: Samples

    public init(name: String, type: MetricType = .unknown, help: String? = nil, unit: String? = nil, samples: Samples = []) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
        self.samples = samples
    }

    public init(name: String, type: MetricType = .unknown, help: String? = nil, unit: String? = nil, samples: [Sample]) {
        self.init(name: name, type: type, help: help, unit: unit, samples: Samples(samples))
    }

    /// The suffix of `sample`'s name after the family name (`"_bucket"`, `"_total"`, `""`...).
    public func suffix(of sample: Sample) -> String {
        sample.name.hasPrefix(name) ? String(sample.name.dropFirst(name.count)) : sample.name
    }

    public var description: String { "\(name) (\(type.rawValue), \(samples.count) samples)" }
}

/// A family seen in the exposition, materialised or not.
public struct FamilySummary: Sendable, Hashable, Codable {
    public var name: String
    public var type: MetricType
    public var sampleCount: Int
}

/// Which families to materialise.
public enum FamilyFilter: Sendable {
    /// Every family.
    case all
    /// Only families related to one of these names: a family `F` is kept for name `N` when
    /// `F == N`, or one of them is the other plus `_total`, `_bucket`, `_sum` or `_count`. So
    /// `vllm:prompt_tokens_total` keeps both the text format's `vllm:prompt_tokens_total`
    /// family and OpenMetrics' `vllm:prompt_tokens`, and `x_sum` keeps histogram `x`.
    case only(Set<String>)
}

/// The result of parsing one exposition.
public struct Exposition: Sendable {
    /// The format the input was parsed as.
    public var format: ExpositionFormat
    /// The materialised families, in order of first appearance.
    public var families: [MetricFamily]
    /// Every family in the input, materialised or not, in order of first appearance.
    public var allFamilies: [FamilySummary]

    public init(format: ExpositionFormat, families: [MetricFamily], allFamilies: [FamilySummary]) {
        self.format = format
        self.families = families
        self.allFamilies = allFamilies
    }

    /// The materialised families related to `name` (see `FamilyFilter.only`), exact match first.
    public func families(relatedTo name: String) -> [MetricFamily] {
        let exact = families.filter { $0.name == name }
        let related = families.filter { $0.name != name && namesRelated($0.name, name) }
        return exact + related
    }

    /// The materialised family named `name`, or the counter family that is `name` with or without
    /// `_total`.
    public func family(named name: String) -> MetricFamily? {
        if let exact = families.first(where: { $0.name == name }) { return exact }
        return families.first { family in
            family.type == .counter && (family.name + "_total" == name || name + "_total" == family.name)
        }
    }

    /// Whether a family related to `name` was present in the input (materialised or not).
    public func contains(familyRelatedTo name: String) -> Bool {
        allFamilies.contains { namesRelated($0.name, name) }
    }
}

/// Suffixes under which a family name and a wanted metric name are considered related.
let relatedSuffixes = ["_total", "_bucket", "_sum", "_count"]

/// Whether `a` and `b` are equal or one is the other plus a related suffix. Compares UTF-8
/// bytes without building strings: presets ask this hundreds of times per scrape.
func namesRelated(_ a: String, _ b: String) -> Bool {
    if a == b { return true }
    let (short, long) = a.utf8.count < b.utf8.count ? (a.utf8, b.utf8) : (b.utf8, a.utf8)
    let extra = long.count - short.count
    guard relatedSuffixLengths.contains(extra), long.starts(with: short) else { return false }
    let rest = long.dropFirst(short.count)
    return relatedSuffixes.contains { rest.elementsEqual($0.utf8) }
}

private let relatedSuffixLengths = Set(relatedSuffixes.map(\.utf8.count))

private let counterSuffixBytes = MetricType.counter.allowedSuffixes.map { Array($0.utf8) }
private let plainSuffixBytes = MetricType.gauge.allowedSuffixes.map { Array($0.utf8) }
private let histogramSuffixBytes = MetricType.histogram.allowedSuffixes.map { Array($0.utf8) }
private let gaugeHistogramSuffixBytes = MetricType.gaugeHistogram.allowedSuffixes.map { Array($0.utf8) }
private let summarySuffixBytes = MetricType.summary.allowedSuffixes.map { Array($0.utf8) }
private let infoSuffixBytes = MetricType.info.allowedSuffixes.map { Array($0.utf8) }
