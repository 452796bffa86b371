import FulcrumTelemetry

/// The exposition parser: parses `bytes` in every format choice, with and without an interest
/// set, then formats what was parsed and parses that again. Must never crash; a parse error is
/// a fine outcome.
public func fuzzExposition(_ bytes: [UInt8]) {
    let choices: [FormatChoice] = [.auto, .exactly(.prometheusText), .exactly(.openMetrics)]
    for choice in choices {
        for filter in [FamilyFilter.all, .only(EnginePreset.vllm.metricNames)] {
            guard let exposition = try? ExpositionParser.parse(bytes, format: choice, families: filter) else { continue }
            let text = ExpositionFormatter.format(exposition.families, as: exposition.format)
            if let again = try? ExpositionParser.parse(text, format: .exactly(exposition.format)) {
                _ = EnginePreset.vllm.extract(from: again, scrapedAt: .init(seconds: 0))
            }
        }
    }
}
