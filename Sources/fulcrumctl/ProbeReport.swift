import FulcrumCore
import FulcrumTelemetry

/// Everything `probe` found, in the shape `--json` prints.
struct ProbeReport: Codable {
    struct Signal: Codable {
        var name: String
        /// Gauges and counters.
        var value: Double?
        /// Histograms.
        var histogram: Histogram?
        /// `metric{labels} × scale`, as the preset read it.
        var source: String
    }

    struct Histogram: Codable {
        var count: Double
        var sum: Double
        var buckets: Int
    }

    struct ParseFailure: Codable {
        var line: Int
        var column: Int
        var message: String
    }

    var input: String
    var contentType: String?
    var contentEncoding: String?
    /// `prometheus-text` or `openmetrics`.
    var format: String?
    var bytes: Int?
    var families: Int?
    var samples: Int?
    /// `worker` or `frontend`.
    var kind: String?
    var preset: String?
    var presetDetected: Bool?
    var roleHint: String?
    /// Whether fulcrumd would take this scrape (every required signal there and readable).
    var usable: Bool?
    var signals: [Signal] = []
    var missingRequired: [String] = []
    var missingOptional: [String] = []
    var issues: [String] = []
    var unusedFamilies: [String] = []
    var parseError: ParseFailure?
    /// The one-sentence reason for a non-zero exit status.
    var error: String?

    init(input: String, error: String? = nil) {
        self.input = input
        self.error = error
    }

    static func build(input: String, loaded: LoadedExposition, target: ProbeTarget) -> ProbeReport {
        var report = ProbeReport(input: input)
        report.contentType = loaded.contentType
        report.contentEncoding = loaded.contentEncoding
        report.bytes = loaded.bytes.count

        let exposition: Exposition
        do {
            exposition = try ExpositionParser.parse(loaded.bytes, format: loaded.format, families: .only(target.metricNames))
        } catch {
            report.parseError = ParseFailure(line: error.line, column: error.column, message: error.reason.description)
            report.error = "\(input) is not a valid Prometheus exposition: \(error); check that it is a metrics endpoint or file."
            return report
        }
        report.format = exposition.format == .openMetrics ? "openmetrics" : "prometheus-text"
        report.families = exposition.allFamilies.count
        report.samples = exposition.allFamilies.reduce(0) { $0 + $1.sampleCount }

        switch target.applicablePreset(in: exposition) {
        case .engine(let preset, let detected):
            report.fill(preset, exposition: exposition, detected: detected)
        case .frontend(let preset, let detected):
            report.fill(preset, exposition: exposition, detected: detected)
        case nil:
            report.unusedFamilies = exposition.allFamilies.map(\.name)
            report.error = "\(input) exposes no vLLM, SGLang, TensorRT-LLM, TGI, Dynamo worker or Dynamo frontend metrics; name a preset with --preset."
            return report
        }
        if !report.missingRequired.isEmpty {
            report.error = "\(input) lacks the \(report.preset ?? "given") preset's required signals \(report.missingRequired.joined(separator: ", ")); check the engine version or use a custom mapping."
        } else if report.usable == false {
            report.error = "fulcrumd cannot use \(input)'s metrics as they are (\(report.issues.joined(separator: "; "))); fix the engine's metrics or the custom mapping."
        }
        return report
    }

    private mutating func fill(_ enginePreset: EnginePreset, exposition: Exposition, detected: Bool) {
        // Leniently: someone fixing a mapping wants to see the signals found even when a
        // required one is missing.
        let extraction = enginePreset.extractLeniently(from: exposition, scrapedAt: Timestamp(seconds: 0))
        let telemetry = extraction.telemetry
        kind = "worker"
        usable = extraction.usable
        preset = extraction.preset
        presetDetected = detected
        roleHint = extraction.roleHint?.rawValue
        record(sources: extraction.sources, missingRequired: extraction.missingRequired, missingOptional: extraction.missingOptional,
               issues: extraction.issues, unusedFamilies: extraction.unusedFamilies) { signal -> Reading in
            switch signal {
            case .requestsWaiting: .value(telemetry?.requestsWaiting)
            case .requestsRunning: .value(telemetry?.requestsRunning)
            case .kvCacheUsage: .value(telemetry?.kvCacheUsage)
            case .promptTokens: .value(telemetry?.promptTokens)
            case .generationTokens: .value(telemetry?.generationTokens)
            case .requestsFinished: .value(telemetry?.requestsFinished)
            case .prefixCacheQueries: .value(telemetry?.prefixCacheQueries)
            case .prefixCacheHits: .value(telemetry?.prefixCacheHits)
            case .prefixCacheHitRate: .value(telemetry?.prefixCacheHitRate)
            case .kvTransferSeconds: .value(telemetry?.kvTransferSeconds)
            case .kvTransfers: .value(telemetry?.kvTransfers)
            case .kvTransferSecondsTotal: .value(telemetry?.kvTransferSecondsTotal)
            case .timeToFirstToken: .histogram(telemetry?.timeToFirstToken)
            case .interTokenLatency: .histogram(telemetry?.interTokenLatency)
            }
        }
    }

    private mutating func fill(_ frontendPreset: FrontendPreset, exposition: Exposition, detected: Bool) {
        let extraction = frontendPreset.extractLeniently(from: exposition, scrapedAt: Timestamp(seconds: 0))
        let telemetry = extraction.telemetry
        kind = "frontend"
        usable = extraction.usable
        preset = extraction.preset
        presetDetected = detected
        record(sources: extraction.sources, missingRequired: extraction.missingRequired, missingOptional: extraction.missingOptional,
               issues: extraction.issues, unusedFamilies: extraction.unusedFamilies) { signal -> Reading in
            switch signal {
            case .requestsArrived: .value(telemetry?.requestsArrived)
            case .inputTokens: .value(telemetry?.inputTokens)
            case .outputTokens: .value(telemetry?.outputTokens)
            case .requestsCompleted: .value(telemetry?.requestsCompleted)
            case .timeToFirstToken: .histogram(telemetry?.timeToFirstToken)
            case .interTokenLatency: .histogram(telemetry?.interTokenLatency)
            }
        }
    }

    /// What one signal read as: a number or a histogram (absent when the preset gave none).
    private enum Reading {
        case value(Double?)
        case histogram(CumulativeHistogram?)
    }

    /// The part of a report both kinds of preset share: each signal found with its source and
    /// reading (in the preset's order), then what was missing, odd or unused.
    private mutating func record<Kind: CaseIterable & Hashable & RawRepresentable<String>>(
        sources: [Kind: SignalSource], missingRequired: [Kind], missingOptional: [Kind],
        issues: [TelemetryIssue], unusedFamilies: [String], reading: (Kind) -> Reading
    ) {
        for signal in Kind.allCases {
            guard let source = sources[signal] else { continue }
            var entry = Signal(name: signal.rawValue, source: source.description)
            switch reading(signal) {
            // A refused reading (NaN) shows as absent; `issues` says why.
            case let .value(value): entry.value = value.flatMap { $0.isFinite ? $0 : nil }
            case let .histogram(histogram): entry.histogram = histogram.map(Histogram.init)
            }
            signals.append(entry)
        }
        self.missingRequired = missingRequired.map(\.rawValue)
        self.missingOptional = missingOptional.map(\.rawValue)
        self.issues = issues.map(\.description)
        self.unusedFamilies = unusedFamilies
    }
}

extension ProbeReport.Histogram {
    init(_ histogram: CumulativeHistogram) {
        self.init(count: histogram.count, sum: histogram.sum, buckets: histogram.buckets.count)
    }
}
