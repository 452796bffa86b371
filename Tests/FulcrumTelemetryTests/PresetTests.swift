import Foundation
import FulcrumCore
import Testing
@testable import FulcrumTelemetry

private let at = Timestamp(seconds: 1000)

private func hist(_ bounds: [Double], _ cumulative: [Double], sum: Double) -> CumulativeHistogram {
    CumulativeHistogram(buckets: zip(bounds, cumulative).map { .init(upperBound: $0, cumulativeCount: $1) }, sum: sum)
}

private func removingLines(containing needles: [String], from text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false)
        .filter { line in !needles.contains { line.contains($0) } }
        .joined(separator: "\n")
}

@Suite struct VLLMPresetTests {
    @Test func twoDataParallelEnginesAggregate() throws {
        let result = try TelemetryMapper.worker(Fixtures.vllmTwoEngines, scrapedAt: at)
        #expect(result.preset == "vllm")
        #expect(result.missingRequired.isEmpty)
        #expect(result.issues.isEmpty)
        let telemetry = try #require(result.telemetry)
        #expect(telemetry.scrapedAt == at)
        #expect(telemetry.requestsWaiting == 4)
        #expect(telemetry.requestsRunning == 22)
        #expect(telemetry.kvCacheUsage == 0.5) // mean of 0.25 and 0.75
        #expect(telemetry.promptTokens == 1500)
        #expect(telemetry.generationTokens == 8000)
        #expect(telemetry.requestsFinished == 67) // every finished_reason, both engines
        #expect(telemetry.timeToFirstToken == hist([0.1, 0.5, 1.0, .infinity], [15, 50, 66, 67], sum: 20))
        #expect(telemetry.interTokenLatency == hist([0.01, 0.025, 0.05, .infinity], [150, 6500, 7850, 7933], sum: 150))
        #expect(result.sources[.interTokenLatency]?.metric == "vllm:inter_token_latency_seconds")
        #expect(result.roleHint == nil)
        #expect(Set(result.unusedFamilies) == [
            "dynamo_component_inflight_requests", "dynamo_component_uptime_seconds",
            "vllm:engine_sleep_state", "vllm:num_preemptions_total",
        ])
    }

    @Test func openMetricsExposition() throws {
        let result = try TelemetryMapper.worker(Fixtures.vllmOpenMetrics, scrapedAt: at)
        let telemetry = try #require(result.telemetry)
        #expect(telemetry.requestsWaiting == 2)
        #expect(telemetry.requestsRunning == 7)
        #expect(telemetry.kvCacheUsage == 0.5)
        #expect(telemetry.promptTokens == 321) // `_created` is not added in
        #expect(telemetry.generationTokens == 654)
        #expect(telemetry.requestsFinished == 9)
        #expect(telemetry.timeToFirstToken == hist([0.5, .infinity], [8, 9], sum: 2.25))
        #expect(telemetry.interTokenLatency == hist([0.025, .infinity], [600, 645], sum: 12.9))
    }

    @Test func v0NamesAreTheFallbacks() throws {
        let result = try TelemetryMapper.worker(Fixtures.vllmV0, scrapedAt: at)
        let telemetry = try #require(result.telemetry)
        #expect(telemetry.kvCacheUsage == 0.125)
        #expect(result.sources[.kvCacheUsage]?.metric == "vllm:gpu_cache_usage_perc")
        #expect(telemetry.interTokenLatency == hist([0.025, .infinity], [15, 18], sum: 0.36))
        #expect(result.sources[.interTokenLatency]?.metric == "vllm:time_per_output_token_seconds")
    }

    @Test func missingRequiredFamiliesAreReportedAndNoTelemetryIsProduced() throws {
        let text = removingLines(containing: ["vllm:num_requests_waiting", "vllm:kv_cache_usage_perc"], from: Fixtures.vllmTwoEngines)
        let result = try TelemetryMapper.worker(text, scrapedAt: at)
        #expect(result.preset == "vllm")
        #expect(result.missingRequired == [.requestsWaiting, .kvCacheUsage])
        #expect(result.telemetry == nil)
    }

    @Test func inconsistentHistogramIsLeftOutNotMisreported() throws {
        // Engine 1's _count disagrees with its +Inf bucket.
        let text = Fixtures.vllmTwoEngines.replacingOccurrences(
            of: #"vllm:time_to_first_token_seconds_count{engine="1",model_name="Qwen/Qwen3-0.6B"} 24.0"#,
            with: #"vllm:time_to_first_token_seconds_count{engine="1",model_name="Qwen/Qwen3-0.6B"} 25.0"#)
        let result = try TelemetryMapper.worker(text, scrapedAt: at)
        #expect(result.issues.count == 1)
        #expect(result.issues.first?.metric == "vllm:time_to_first_token_seconds")
        // The remaining engine's histogram is all that is left; it is not mixed with the broken one.
        #expect(result.telemetry?.timeToFirstToken == hist([0.1, 0.5, 1.0, .infinity], [10, 30, 42, 43], sum: 12.5))
    }

    @Test func differentBucketBoundsAcrossEnginesAreNotAdded() throws {
        let text = Fixtures.vllmTwoEngines.replacingOccurrences(
            of: #"vllm:time_to_first_token_seconds_bucket{engine="1",le="0.5""#,
            with: #"vllm:time_to_first_token_seconds_bucket{engine="1",le="0.25""#)
        let result = try TelemetryMapper.worker(text, scrapedAt: at)
        #expect(result.telemetry?.timeToFirstToken == nil)
        #expect(result.issues.contains { $0.problem.contains("different bucket bounds") })
    }
}

@Suite struct SGLangPresetTests {
    @Test func prefillServerWithTwoDPRanks() throws {
        let result = try TelemetryMapper.worker(Fixtures.sglangPrefillDP, scrapedAt: at)
        #expect(result.preset == "sglang")
        let telemetry = try #require(result.telemetry)
        #expect(telemetry.requestsWaiting == 6)
        #expect(telemetry.requestsRunning == 8)
        #expect(abs(try #require(telemetry.kvCacheUsage) - 0.2) < 1e-12)
        #expect(telemetry.promptTokens == 5000)
        #expect(telemetry.generationTokens == 14)
        #expect(telemetry.requestsFinished == 14)
        #expect(telemetry.timeToFirstToken == hist([0.1, 1.0, .infinity], [3, 13, 14], sum: 4))
        #expect(telemetry.interTokenLatency == hist([0.002, .infinity], [0, 0], sum: 0))
        #expect(result.roleHint == .prefill)
        #expect(result.unusedFamilies == ["sglang:num_used_tokens"])
    }

    @Test func decodeAndUnifiedEngineTypes() throws {
        let decode = Fixtures.sglangPrefillDP.replacingOccurrences(of: "engine_type=\"prefill\"", with: "engine_type=\"decode\"")
        #expect(try TelemetryMapper.worker(decode, scrapedAt: at).roleHint == .decode)
        let unified = Fixtures.sglangPrefillDP.replacingOccurrences(of: "engine_type=\"prefill\"", with: "engine_type=\"unified\"")
        #expect(try TelemetryMapper.worker(unified, scrapedAt: at).roleHint == nil)
    }

    @Test func numRequestsTotalIsOptional() throws {
        let text = removingLines(containing: ["sglang:num_requests_total"], from: Fixtures.sglangPrefillDP)
        let result = try TelemetryMapper.worker(text, scrapedAt: at)
        #expect(result.missingOptional == [.requestsFinished, .prefixCacheHits, .prefixCacheHitRate, .kvTransferSeconds, .kvTransfers, .kvTransferSecondsTotal])
        #expect(result.telemetry?.requestsFinished == 0)
    }
}

@Suite struct TensorRTLLMPresetTests {
    @Test func trtllmServe() throws {
        let result = try TelemetryMapper.worker(Fixtures.trtllm, scrapedAt: at)
        #expect(result.preset == "trtllm")
        let telemetry = try #require(result.telemetry)
        #expect(telemetry.requestsWaiting == 2)
        #expect(telemetry.requestsRunning == 6)
        #expect(telemetry.kvCacheUsage == 0.42)
        #expect(telemetry.promptTokens == 231)
        #expect(telemetry.generationTokens == 2100)
        #expect(telemetry.requestsFinished == 7)
        #expect(telemetry.timeToFirstToken == hist([0.001, 0.04, 0.06, .infinity], [0, 1, 7, 7], sum: 0.35))
        #expect(telemetry.interTokenLatency == hist([0.01, 0.025, .infinity], [6, 7, 7], sum: 0.0555))
        #expect(result.unusedFamilies == ["trtllm_kv_cache_hit_rate"])
    }

    @Test func declaredButNotYetObservedFamiliesArePresent() throws {
        // A labelled Python metric before its first observation: HELP and TYPE, no samples.
        let text = removingLines(containing: ["trtllm_time_to_first_token_seconds_", "trtllm_request_success_total{"], from: Fixtures.trtllm)
        let result = try TelemetryMapper.worker(text, scrapedAt: at)
        #expect(result.missingRequired.isEmpty)
        let telemetry = try #require(result.telemetry)
        #expect(telemetry.timeToFirstToken == nil)
        #expect(telemetry.requestsFinished == 0)
    }
}

@Suite struct DynamoFrontendPresetTests {
    @Test func frontendWithoutStartedCounter() throws {
        let result = try TelemetryMapper.frontend(Fixtures.dynamoFrontend, scrapedAt: at)
        #expect(result.missingRequired.isEmpty)
        let telemetry = try #require(result.telemetry)
        #expect(telemetry.requestsArrived == 6) // 3 completed (any status) + 3 in flight
        #expect(result.sources[.requestsArrived]?.metric == "dynamo_frontend_requests_total")
        #expect(telemetry.inputTokens == 233)
        #expect(telemetry.outputTokens == 600)
        #expect(telemetry.requestsCompleted == 2)
        #expect(telemetry.timeToFirstToken == hist([0, 1, 2.2, .infinity], [0, 0, 2, 2], sum: 3.125))
        #expect(telemetry.interTokenLatency?.count == 299)
        #expect(Set(result.unusedFamilies) == [
            "dynamo_frontend_disconnected_clients", "dynamo_frontend_output_tokens_total", "dynamo_frontend_queued_requests",
        ])
    }

    @Test func startedCounterIsPreferred() throws {
        let text = Fixtures.dynamoFrontend + """
        # HELP dynamo_frontend_requests_started_total Total number of LLM requests started
        # TYPE dynamo_frontend_requests_started_total counter
        dynamo_frontend_requests_started_total{endpoint="chat_completions",model="qwen/qwen3-0.6b",request_type="unary"} 7

        """
        let result = try TelemetryMapper.frontend(text, scrapedAt: at)
        #expect(result.telemetry?.requestsArrived == 7)
    }

    @Test func missingFrontendFamiliesAreReported() throws {
        let text = removingLines(containing: ["dynamo_frontend_input_sequence_tokens"], from: Fixtures.dynamoFrontend)
        let result = try TelemetryMapper.frontend(text, scrapedAt: at)
        #expect(result.missingRequired == [.inputTokens])
        #expect(result.telemetry == nil)
    }
}

@Suite struct DetectionAndCustomMappingTests {
    @Test func detectsEachEngine() throws {
        func detected(_ text: String) throws -> String? {
            EnginePreset.detect(in: try ExpositionParser.parse(text, families: .only([])))?.name
        }
        #expect(try detected(Fixtures.vllmTwoEngines) == "vllm") // a Dynamo worker running vLLM
        #expect(try detected(Fixtures.vllmOpenMetrics) == "vllm")
        #expect(try detected(Fixtures.sglangPrefillDP) == "sglang")
        #expect(try detected(Fixtures.trtllm) == "trtllm")
        #expect(try detected(Fixtures.dynamoFrontend) == nil)
    }

    @Test func unknownEngineIsReported() throws {
        let result = try TelemetryMapper.worker("process_cpu_seconds_total 1\n", scrapedAt: at)
        #expect(result.preset == nil)
        #expect(result.telemetry == nil)
        #expect(result.unusedFamilies == ["process_cpu_seconds_total"])
        #expect(result.issues.count == 1)
    }

    @Test func customMappingFromJSONOverridesAndScales() throws {
        let json = #"""
        { "base": "vllm",
          "signals": {
            "kvCacheUsage": [ { "metric": "my_kv_used_percent", "scale": 0.01 } ],
            "requestsFinished": [ { "metric": "vllm:request_success_total", "labels": { "finished_reason": "stop" } } ]
          } }
        """#
        let mapping = try JSONDecoder().decode(CustomMapping.self, from: Data(json.utf8))
        let preset = try mapping.resolve()
        #expect(preset.signals[.promptTokens] == EnginePreset.vllm.signals[.promptTokens])
        let text = Fixtures.vllmTwoEngines + "# TYPE my_kv_used_percent gauge\nmy_kv_used_percent 40\n"
        let result = try TelemetryMapper.worker(text, preset: preset, scrapedAt: at)
        let telemetry = try #require(result.telemetry)
        #expect(abs(try #require(telemetry.kvCacheUsage) - 0.4) < 1e-12)
        #expect(telemetry.requestsFinished == 60) // only finished_reason="stop": 40 + 20
        #expect(result.unusedFamilies.contains("vllm:kv_cache_usage_perc"))
    }

    @Test func unknownBaseIsAnError() {
        #expect(throws: CustomMapping.ResolutionError.unknownBase("vllm2")) {
            try CustomMapping(base: "vllm2").resolve()
        }
    }

    @Test func presetsRoundTripThroughJSON() throws {
        for preset in EnginePreset.builtIn {
            let data = try JSONEncoder().encode(preset)
            #expect(try JSONDecoder().decode(EnginePreset.self, from: data) == preset)
        }
    }
}
