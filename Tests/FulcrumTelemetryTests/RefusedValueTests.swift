import FulcrumCore
import Testing
@testable import FulcrumTelemetry

private let at = Timestamp(seconds: 1000)

/// `Fixtures.vllmTwoEngines` with one line replaced.
private func vllm(replacing line: String, with replacement: String) -> String {
    precondition(Fixtures.vllmTwoEngines.contains(line), "the fixture has no line \(line)")
    return Fixtures.vllmTwoEngines.replacingOccurrences(of: line, with: replacement)
}

private let waitingEngine0 = #"vllm:num_requests_waiting{engine="0",model_name="Qwen/Qwen3-0.6B"} 3.0"#
private let waitingEngine1 = #"vllm:num_requests_waiting{engine="1",model_name="Qwen/Qwen3-0.6B"} 1.0"#

/// Values no engine can report are refused with an issue naming the metric, and a scrape
/// whose queues or counters are refused is not handed to the controller.
@Suite("Refused telemetry values")
struct RefusedValueTests {
    @Test("a sum of series that overflows to +Inf is refused, not stored", arguments: ["1e308", "+Inf", "NaN", "-5"])
    func unusableQueue(value: String) throws {
        var text = vllm(replacing: waitingEngine0, with: #"vllm:num_requests_waiting{engine="0",model_name="Qwen/Qwen3-0.6B"} "# + value)
        text = text.replacingOccurrences(of: waitingEngine1, with: #"vllm:num_requests_waiting{engine="1",model_name="Qwen/Qwen3-0.6B"} "# + (value == "1e308" ? "1e308" : "1"))
        let result = try TelemetryMapper.worker(text, scrapedAt: at)
        #expect(result.telemetry == nil)
        #expect(!result.usable)
        #expect(result.missingRequired.isEmpty)
        let issue = try #require(result.issues.first { $0.metric == "vllm:num_requests_waiting" })
        #expect(issue.problem.hasSuffix("expected a finite number, 0 or more"), "\(issue)")
        // Shown leniently: the other readings stay visible, the refused one is NaN.
        let exposition = try ExpositionParser.parse(text, families: .only(EnginePreset.vllm.metricNames))
        let lenient = try #require(EnginePreset.vllm.extractLeniently(from: exposition, scrapedAt: at).telemetry)
        #expect(lenient.requestsWaiting.isNaN)
        #expect(lenient.requestsRunning == 22)
    }

    @Test("a series given twice is refused rather than counted twice")
    func duplicateSeries() throws {
        let text = vllm(replacing: waitingEngine0, with: waitingEngine0 + "\n" + waitingEngine0)
        let result = try TelemetryMapper.worker(text, scrapedAt: at)
        #expect(result.telemetry == nil)
        let issue = try #require(result.issues.first)
        #expect(issue.problem.hasPrefix("repeats the series vllm:num_requests_waiting{"), "\(issue)")
        // The same labels in another order are the same series.
        let reordered = vllm(replacing: waitingEngine0, with: waitingEngine0 + "\n" + #"vllm:num_requests_waiting{model_name="Qwen/Qwen3-0.6B",engine="0"} 3.0"#)
        #expect(try TelemetryMapper.worker(reordered, scrapedAt: at).telemetry == nil)
    }

    @Test("a KV use outside 0–1 is left out with an issue; the scrape is still used")
    func kvOutsideAFraction() throws {
        let text = vllm(replacing: #"vllm:kv_cache_usage_perc{engine="0",model_name="Qwen/Qwen3-0.6B"} 0.25"#,
                        with: #"vllm:kv_cache_usage_perc{engine="0",model_name="Qwen/Qwen3-0.6B"} 42"#)
        let result = try TelemetryMapper.worker(text, scrapedAt: at)
        let telemetry = try #require(result.telemetry)
        #expect(telemetry.kvCacheUsage == nil)
        #expect(telemetry.requestsWaiting == 4)
        #expect(result.issues.map(\.description) == ["vllm:kv_cache_usage_perc: reads 21.375 (2 series combined); expected a fraction from 0 to 1"])
    }

    @Test("a histogram series with a negative count, or a sum that is not a number, is left out; the other engine's stays", arguments: [
        (#"vllm:time_to_first_token_seconds_bucket{engine="0",le="0.1",model_name="Qwen/Qwen3-0.6B"} 10.0"#, "-1", "counts -1.0 in a bucket"),
        (#"vllm:time_to_first_token_seconds_sum{engine="0",model_name="Qwen/Qwen3-0.6B"} 12.5"#, "NaN", "has a _sum of nan"),
    ])
    func brokenHistogram(line: String, value: String, problem: String) throws {
        let replaced = line.split(separator: " ").dropLast().joined(separator: " ") + " " + value
        let result = try TelemetryMapper.worker(vllm(replacing: line, with: replaced), scrapedAt: at)
        #expect(result.issues.contains { $0.metric == "vllm:time_to_first_token_seconds" && $0.problem.contains(problem) }, "\(result.issues)")
        #expect(try #require(result.telemetry).timeToFirstToken?.count == 24, "engine 1's series alone")
    }

    @Test("the daemon's refusal names the values, not missing signals")
    func scrapeErrorWording() {
        let error = ScrapeError(url: "http://w:8000/metrics", reason: .unusableValues(["vllm:num_requests_waiting: reads -5.0 (one series); expected a finite number, 0 or more"]))
        #expect(error.description == "http://w:8000/metrics gives values that cannot be used (vllm:num_requests_waiting: reads -5.0 (one series); expected a finite number, 0 or more); fix the engine's metrics or the custom mapping, the last good reading stands meanwhile")
    }
}
