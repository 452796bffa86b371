import Foundation
import FulcrumCore
import Testing
@testable import FulcrumTelemetry

/// Whole engine pages (Tests/Expositions, see its README for where each comes from) through
/// the presets: what each engine's page yields, signal by signal.
@Suite struct EngineExpositionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Expositions")
    let at = Timestamp(seconds: 100)

    static func page(_ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }

    @Test("A TensorRT-LLM worker served through Dynamo yields every required signal from the dynamo_component families")
    func tensorRTThroughDynamo() throws {
        for name in ["dynamo-trtllm.prom", "dynamo-trtllm-loaded.prom"] {
            let result = try TelemetryMapper.worker(try Self.page(name), scrapedAt: at)
            #expect(result.preset == "trtllm", "\(name)")
            #expect(result.missingRequired.isEmpty, "\(name): \(result.missingRequired)")
            #expect(result.telemetry != nil, "\(name): \(result.issues)")
        }
        let loaded = try TelemetryMapper.worker(try Self.page("dynamo-trtllm-loaded.prom"), scrapedAt: at)
        let telemetry = try #require(loaded.telemetry)
        #expect(loaded.sources[.requestsRunning]?.metric == "dynamo_component_inflight_requests")
        #expect(telemetry.requestsRunning == 23)
        #expect(abs((telemetry.kvCacheUsage ?? 0) - 0.26547395758187853) < 1e-12)
        #expect(telemetry.requestsFinished == 371 + 41)
        #expect(telemetry.timeToFirstToken?.count == 412)
        #expect(abs((telemetry.prefixCacheHitRate ?? 0) - 0.6218905472636815) < 1e-12)
        // No token counters on this page: its zeros must not read as zero-token prompts.
        #expect(!telemetry.countsTokens)
        #expect(loaded.missingOptional.contains(.promptTokens))
    }

    @Test("TGI: queue and batch gauges, counters without _total, token counts from the length histograms' sums")
    func textGenerationInference() throws {
        for name in ["tgi.prom", "tgi-full.prom"] {
            let result = try TelemetryMapper.worker(try Self.page(name), scrapedAt: at)
            #expect(result.preset == "tgi", "\(name)")
            let telemetry = try #require(result.telemetry, "\(name): missing \(result.missingRequired), \(result.issues)")
            #expect(telemetry.requestsWaiting == 3)
            #expect(telemetry.requestsRunning == 14)
            #expect(telemetry.requestsFinished == 120)
            #expect(telemetry.promptTokens == 199_495)
            #expect(telemetry.generationTokens == 29_988)
            #expect(telemetry.interTokenLatency?.count == 120)
            #expect(telemetry.timeToFirstToken == nil)
            #expect(telemetry.countsTokens)
        }
    }

    @Test("vLLM: prefix-cache queries and hits in tokens, a KV connector's hits added; NIXL transfer time as counters")
    func vllmPrefixCache() throws {
        // The page shows the cache and connector families only; read leniently.
        let exposition = try ExpositionParser.parse(try Self.page("vllm-prefix-cache.prom"), families: .only(EnginePreset.vllm.metricNames))
        let result = EnginePreset.vllm.extractLeniently(from: exposition, scrapedAt: at)
        let telemetry = try #require(result.telemetry, "\(result.missingRequired)")
        #expect(telemetry.prefixCacheQueries == 1_341_177)
        #expect(telemetry.prefixCacheHits == Double(1_020_544 + 118_784))
        #expect(result.sources[.prefixCacheHits]?.plus == ["vllm:external_prefix_cache_hits_total"])
        #expect(telemetry.kvTransfers == 40)
        #expect(abs((telemetry.kvTransferSecondsTotal ?? 0) - 1.3371724691271192) < 1e-12)
        #expect(telemetry.prefixCacheHitRate == nil)
    }

    @Test("SGLang PD prefill: cached prompt tokens from realtime_tokens, KV transfer latency as a histogram or a gauge, in seconds")
    func sglangDisaggregatedPrefill() throws {
        let parse = { (name: String) throws -> WorkerExtraction in
            let exposition = try ExpositionParser.parse(try Self.page(name), families: .only(EnginePreset.sglang.metricNames))
            return EnginePreset.sglang.extractLeniently(from: exposition, scrapedAt: self.at)
        }
        let newer = try parse("sglang-pd-prefill-histograms.prom")
        #expect(newer.roleHint == .prefill)
        #expect(newer.telemetry?.prefixCacheHits == 1_960_448)
        #expect(newer.telemetry?.kvTransfers == 50)
        #expect(abs((newer.telemetry?.kvTransferSecondsTotal ?? 0) - 2.619249970311275) < 1e-12)
        let older = try parse("sglang-pd-prefill-gauges.prom")
        #expect(abs((older.telemetry?.kvTransferSeconds ?? 0) - 0.0384) < 1e-12)
        // The gauge's family answers for `_count` too, with no samples: no transfers counted.
        #expect((older.telemetry?.kvTransfers ?? 0) == 0)
    }

    @Test("Engines without cache or transfer metrics read as today: the new fields stay empty")
    func noCacheSignalsNoChange() throws {
        let result = try TelemetryMapper.worker(Fixtures.vllmTwoEngines, scrapedAt: at)
        let telemetry = try #require(result.telemetry)
        #expect(telemetry.prefixCacheQueries == nil && telemetry.prefixCacheHits == nil && telemetry.kvTransfers == nil)
        #expect(telemetry.countsTokens)
    }
}
