import FulcrumCore

/// What a preset made of one worker's scrape.
public struct WorkerExtraction: Sendable {
    /// The preset used; `nil` when no engine was recognised.
    public var preset: String?
    /// The mapped telemetry; `nil` when it is not `usable` (unless read leniently).
    public var telemetry: WorkerTelemetry?
    /// Whether the controller may use this scrape: every required signal is there and every
    /// queue and counter read is a number it can take.
    public var usable: Bool
    /// The role the engine reports, when it reports one (SGLang's `engine_type`).
    public var roleHint: Role?
    /// The source each signal was read from.
    public var sources: [WorkerSignal: SignalSource]
    /// Required signals with no family in the scrape.
    public var missingRequired: [WorkerSignal]
    /// Optional signals with no family in the scrape.
    public var missingOptional: [WorkerSignal]
    /// Families in the scrape that the preset does not read (excluding `_created` companions).
    public var unusedFamilies: [String]
    /// Data problems; the affected signals are left out.
    public var issues: [TelemetryIssue]
}

/// What a preset made of a frontend's scrape.
public struct FrontendExtraction: Sendable {
    public var preset: String
    public var telemetry: FrontendTelemetry?
    /// As for `WorkerExtraction.usable`.
    public var usable: Bool
    public var sources: [FrontendSignal: SignalSource]
    public var missingRequired: [FrontendSignal]
    public var missingOptional: [FrontendSignal]
    public var unusedFamilies: [String]
    public var issues: [TelemetryIssue]
}

/// Parsing plus preset mapping in one call.
public enum TelemetryMapper {
    /// Parses a worker's scrape and maps it with `preset`, or with the preset detected among
    /// `candidates` when `preset` is nil. Only the candidates' families are materialised.
    public static func worker(
        _ bytes: UnsafeRawBufferPointer,
        format: FormatChoice = .auto,
        preset: EnginePreset? = nil,
        candidates: [EnginePreset] = EnginePreset.builtIn,
        scrapedAt: Timestamp
    ) throws(ExpositionParseError) -> WorkerExtraction {
        let presets = preset.map { [$0] } ?? candidates
        let interest = presets.reduce(into: Set<String>()) { $0.formUnion($1.metricNames) }
        let exposition = try ExpositionParser.parse(bytes, format: format, families: .only(interest))
        guard let chosen = preset ?? EnginePreset.detect(in: exposition, among: candidates) else {
            return WorkerExtraction(
                preset: nil, telemetry: nil, usable: false, roleHint: nil, sources: [:], missingRequired: [], missingOptional: [],
                unusedFamilies: exposition.allFamilies.map(\.name),
                issues: [TelemetryIssue(metric: "*", problem: "no known engine's metrics in the scrape")]
            )
        }
        return chosen.extract(from: exposition, scrapedAt: scrapedAt)
    }

    public static func worker(
        _ text: String,
        format: FormatChoice = .auto,
        preset: EnginePreset? = nil,
        candidates: [EnginePreset] = EnginePreset.builtIn,
        scrapedAt: Timestamp
    ) throws(ExpositionParseError) -> WorkerExtraction {
        var copy = text
        let result: Result<WorkerExtraction, ExpositionParseError> = copy.withUTF8 { buffer in
            do throws(ExpositionParseError) {
                return .success(try worker(UnsafeRawBufferPointer(buffer), format: format, preset: preset, candidates: candidates, scrapedAt: scrapedAt))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    public static func frontend(
        _ text: String,
        format: FormatChoice = .auto,
        preset: FrontendPreset = .dynamo,
        scrapedAt: Timestamp
    ) throws(ExpositionParseError) -> FrontendExtraction {
        let exposition = try ExpositionParser.parse(text, format: format, families: .only(preset.metricNames))
        return preset.extract(from: exposition, scrapedAt: scrapedAt)
    }
}

// MARK: - Resolution

/// The outcome of reading one signal.
enum Resolved {
    case absent
    case scalar(Double?, SignalSource)
    case histogram(CumulativeHistogram?, SignalSource)
}

struct SignalResolver {
    let exposition: Exposition
    /// Every family's name, for `present` (a preset asks for dozens of names per scrape).
    private let familyNames: Set<String>

    init(exposition: Exposition) {
        self.exposition = exposition
        familyNames = Set(exposition.allFamilies.map(\.name))
    }

    /// Whether a family for `metric` is in the scrape (materialised or not): one named `metric`,
    /// `metric` plus a related suffix, or `metric` without one.
    func present(_ metric: String) -> Bool {
        if familyNames.contains(metric) { return true }
        for suffix in relatedSuffixes {
            if familyNames.contains(metric + suffix) { return true }
            if metric.hasSuffix(suffix), familyNames.contains(String(metric.dropLast(suffix.count))) { return true }
        }
        return false
    }

    func resolve(_ candidates: [SignalSource], aggregation: Aggregation, admissible: ClosedRange<Double>,
                 issues: inout [TelemetryIssue]) -> Resolved {
        for source in candidates where source.metricNames.allSatisfy(present) {
            switch aggregation {
            case .histogram:
                let series = HistogramAssembly.series(named: source.metric, in: exposition, matching: source.labels, scale: source.scale, issues: &issues)
                if series.isEmpty { return .histogram(nil, source) }
                guard let merged = HistogramAssembly.merge(series.map(\.histogram)) else {
                    issues.append(TelemetryIssue(metric: source.metric, problem: "series have different bucket bounds; cannot add them"))
                    return .histogram(nil, source)
                }
                return .histogram(merged, source)
            case .sum, .mean:
                return .scalar(combine(source, aggregation: aggregation, admissible: admissible, issues: &issues), source)
            }
        }
        return .absent
    }

    /// The source's series added (or averaged); `nil`, with an issue, when a series repeats
    /// (Prometheus refuses such a scrape: adding both would double-count) or the result is not
    /// a number the signal can take.
    private func combine(_ source: SignalSource, aggregation: Aggregation, admissible: ClosedRange<Double>,
                         issues: inout [TelemetryIssue]) -> Double? {
        var matched: [Sample] = []
        for metric in source.metricNames {
            for family in exposition.families(relatedTo: metric) {
                for sample in family.samples where sample.name == metric || sample.name == metric + "_total" {
                    guard HistogramAssembly.matches(sample, source.labels) else { continue }
                    matched.append(sample)
                }
            }
        }
        if matched.count > 1, let repeated = Self.firstRepeat(in: matched) {
            issues.append(TelemetryIssue(metric: source.metric, problem: "repeats the series \(repeated.name){\(repeated.labels.map(\.description).joined(separator: ","))}; an exposition must give each series once"))
            return nil
        }
        guard !matched.isEmpty || aggregation == .sum else { return nil }
        let total = matched.reduce(0) { $0 + $1.value * source.scale }
        let value = aggregation == .mean ? total / Double(matched.count) : total
        guard admissible.contains(value) else {
            let expected = admissible.upperBound == 1 ? "a fraction from 0 to 1" : "a finite number, 0 or more"
            issues.append(TelemetryIssue(metric: source.metric, problem: "reads \(value) (\(matched.count == 1 ? "one series" : "\(matched.count) series combined")); expected \(expected)"))
            return nil
        }
        return value
    }

    /// The first sample whose name and labels (in any order) an earlier one already had.
    private static func firstRepeat(in samples: [Sample]) -> Sample? {
        var seen: Set<[Label]> = []
        for sample in samples where !seen.insert([Label("__name__", sample.name)] + sample.labels.sorted { $0.name < $1.name }).inserted {
            return sample
        }
        return nil
    }

    /// Families not read by any of `sources`, ignoring `_created` companions of read families.
    func unused(by sources: [SignalSource]) -> [String] {
        let names = Set(sources.flatMap(\.metricNames))
        func read(_ family: String) -> Bool {
            if names.contains(family) { return true }
            return relatedSuffixes.contains { suffix in
                names.contains(family + suffix) || (family.hasSuffix(suffix) && names.contains(String(family.dropLast(suffix.count))))
            }
        }
        return exposition.allFamilies.map(\.name).filter { family in
            if read(family) { return false }
            if family.hasSuffix("_created"), read(String(family.dropLast("_created".count))) { return false }
            return true
        }
    }
}

extension WorkerSignal {
    /// Signals the telemetry cannot go without a number for (a NaN there is refused); the
    /// others are optional fields left empty when unreadable.
    var isCounterOrQueue: Bool {
        switch self {
        case .requestsWaiting, .requestsRunning, .promptTokens, .generationTokens, .requestsFinished: true
        case .kvCacheUsage, .prefixCacheQueries, .prefixCacheHits, .prefixCacheHitRate, .kvTransferSeconds,
             .kvTransfers, .kvTransferSecondsTotal, .timeToFirstToken, .interTokenLatency: false
        }
    }
}

extension EnginePreset {
    /// Maps a parsed scrape (which must have materialised this preset's `metricNames`).
    /// `leniently`: hand the telemetry out even when it is not usable (absent scalars read 0,
    /// refused ones NaN), to show what a mapping found; never for feeding the controller.
    public func extract(from exposition: Exposition, scrapedAt: Timestamp, leniently: Bool = false) -> WorkerExtraction {
        let resolver = SignalResolver(exposition: exposition)
        var issues: [TelemetryIssue] = []
        var sources: [WorkerSignal: SignalSource] = [:]
        var missingRequired: [WorkerSignal] = []
        var missingOptional: [WorkerSignal] = []
        var telemetry = WorkerTelemetry(scrapedAt: scrapedAt)
        var failedRequired = false

        for signal in WorkerSignal.allCases {
            let resolved = resolver.resolve(signals[signal] ?? [], aggregation: signal.aggregation, admissible: signal.admissible, issues: &issues)
            switch resolved {
            case .absent:
                if required.contains(signal) { missingRequired.append(signal) } else { missingOptional.append(signal) }
            case .scalar(let value, let source):
                sources[signal] = source
                telemetry.record(signal, value: value)
                if value == nil, signal.isCounterOrQueue { failedRequired = failedRequired || required.contains(signal) }
            case .histogram(let histogram, let source):
                sources[signal] = source
                telemetry.record(signal, histogram: histogram)
            }
        }

        telemetry.countsTokens = sources[.promptTokens] != nil || sources[.generationTokens] != nil
        // A scalar that could not be read without a wrong number (non-finite) is left at NaN
        // above; never hand such telemetry on.
        let usable = missingRequired.isEmpty && !failedRequired
            && [telemetry.requestsWaiting, telemetry.requestsRunning, telemetry.promptTokens, telemetry.generationTokens, telemetry.requestsFinished].allSatisfy { !$0.isNaN }

        return WorkerExtraction(
            preset: name,
            telemetry: usable || leniently ? telemetry : nil,
            usable: usable,
            roleHint: roleHint.flatMap { roleFrom($0, exposition: exposition, issues: &issues) },
            sources: sources,
            missingRequired: missingRequired,
            missingOptional: missingOptional,
            unusedFamilies: resolver.unused(by: signals.values.flatMap { $0 }),
            issues: issues
        )
    }

    private func roleFrom(_ rule: RoleHintRule, exposition: Exposition, issues: inout [TelemetryIssue]) -> Role? {
        var seen: Set<Role> = []
        for family in exposition.families {
            for sample in family.samples {
                guard let value = sample.label(rule.label) else { continue }
                if rule.prefillValues.contains(value) { seen.insert(.prefill) }
                if rule.decodeValues.contains(value) { seen.insert(.decode) }
            }
        }
        if seen.count > 1 {
            issues.append(TelemetryIssue(metric: rule.label, problem: "both prefill and decode values present"))
            return nil
        }
        return seen.first
    }
}

extension FrontendPreset {
    /// As `EnginePreset.extract`; leniently, absent or refused scalars read 0.
    public func extract(from exposition: Exposition, scrapedAt: Timestamp, leniently: Bool = false) -> FrontendExtraction {
        let resolver = SignalResolver(exposition: exposition)
        var issues: [TelemetryIssue] = []
        var sources: [FrontendSignal: SignalSource] = [:]
        var missingRequired: [FrontendSignal] = []
        var missingOptional: [FrontendSignal] = []
        var scalars: [FrontendSignal: Double] = [:]
        var histograms: [FrontendSignal: CumulativeHistogram] = [:]
        var failed = false
        for signal in FrontendSignal.allCases {
            switch resolver.resolve(signals[signal] ?? [], aggregation: signal.aggregation, admissible: signal.admissible, issues: &issues) {
            case .absent:
                if required.contains(signal) { missingRequired.append(signal) } else { missingOptional.append(signal) }
            case .scalar(let value, let source):
                sources[signal] = source
                if let value { scalars[signal] = value } else if required.contains(signal) { failed = true }
            case .histogram(let histogram, let source):
                sources[signal] = source
                histograms[signal] = histogram
            }
        }
        var telemetry: FrontendTelemetry? = nil
        let usable = missingRequired.isEmpty && !failed
        if usable || leniently {
            telemetry = FrontendTelemetry(
                scrapedAt: scrapedAt,
                requestsArrived: scalars[.requestsArrived] ?? 0,
                inputTokens: scalars[.inputTokens] ?? 0,
                outputTokens: scalars[.outputTokens] ?? 0,
                requestsCompleted: scalars[.requestsCompleted] ?? 0,
                timeToFirstToken: histograms[.timeToFirstToken],
                interTokenLatency: histograms[.interTokenLatency]
            )
        }
        return FrontendExtraction(
            preset: name,
            telemetry: telemetry,
            usable: usable,
            sources: sources,
            missingRequired: missingRequired,
            missingOptional: missingOptional,
            unusedFamilies: resolver.unused(by: signals.values.flatMap { $0 }),
            issues: issues
        )
    }
}

private extension WorkerTelemetry {
    /// Stores a scalar signal in its field; a counter or queue that resolved to no number is
    /// NaN (its field is not optional), which keeps the telemetry from being handed on.
    mutating func record(_ signal: WorkerSignal, value: Double?) {
        switch signal {
        case .requestsWaiting: requestsWaiting = value ?? .nan
        case .requestsRunning: requestsRunning = value ?? .nan
        case .kvCacheUsage: kvCacheUsage = value
        case .promptTokens: promptTokens = value ?? .nan
        case .generationTokens: generationTokens = value ?? .nan
        case .requestsFinished: requestsFinished = value ?? .nan
        case .prefixCacheQueries: prefixCacheQueries = value
        case .prefixCacheHits: prefixCacheHits = value
        case .prefixCacheHitRate: prefixCacheHitRate = value
        case .kvTransferSeconds: kvTransferSeconds = value
        case .kvTransfers: kvTransfers = value
        case .kvTransferSecondsTotal: kvTransferSecondsTotal = value
        case .timeToFirstToken, .interTokenLatency: break
        }
    }

    mutating func record(_ signal: WorkerSignal, histogram: CumulativeHistogram?) {
        if signal == .timeToFirstToken { timeToFirstToken = histogram }
        if signal == .interTokenLatency { interTokenLatency = histogram }
    }
}
