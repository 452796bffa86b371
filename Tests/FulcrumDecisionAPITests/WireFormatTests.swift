import Foundation
import FulcrumCore
@testable import FulcrumDecisionAPI
import Testing

@Suite("Decision API wire format")
struct WireFormatTests {
    private func line(_ snapshot: ClusterSnapshot, overrides: SnapshotMessage.OverrideSettings? = nil) -> String {
        DecisionSession.encode(SnapshotMessage(snapshot, overrides: overrides))
    }

    @Test("A snapshot survives the wire unchanged, histograms with +Inf included")
    func snapshotRoundTrip() throws {
        for tick in 0..<6 {
            var snapshot = DecisionFixtures.snapshot(tick: tick)
            snapshot.frontend = FrontendTelemetry(scrapedAt: snapshot.time, requestsArrived: 12, inputTokens: 34_000, outputTokens: 5_600,
                                                  requestsCompleted: 11, timeToFirstToken: DecisionFixtures.histogram(observations: 11, below: 1, sum: 4))
            snapshot.traffic = TrafficWindow(durationSeconds: 10, requests: 12, meanInputTokens: 2_833.5, meanOutputTokens: 509, ttftSeconds: 0.7)
            snapshot.nodes.append(NodeSnapshot(name: "gpu-b", gpus: [0, 1], reachable: false))
            snapshot.nodes.append(NodeSnapshot(name: "gpu-c", gpus: [0, 1, 2], backingOff: [1]))
            // Prefix-cache, KV-transfer and token-counting fields (added to schema 1, never breaking it).
            if var telemetry = snapshot.workers[0].telemetry {
                telemetry.prefixCacheQueries = 9_000
                telemetry.prefixCacheHits = 3_500
                telemetry.prefixCacheHitRate = 0.25
                telemetry.kvTransferSeconds = 0.04
                telemetry.kvTransfers = 12
                telemetry.kvTransferSecondsTotal = 0.6
                telemetry.countsTokens = tick % 2 == 0
                if !telemetry.countsTokens { telemetry.promptTokens = 0; telemetry.generationTokens = 0 }
                snapshot.workers[0].telemetry = telemetry
            }
            let text = line(snapshot)
            #expect(text.contains(#""le":"+Inf""#))
            #expect(!text.contains("\n"))
            let decoded = try JSONDecoder().decode(SnapshotMessage.self, from: Data(text.utf8))
            let input = try decoded.coreInput()
            #expect(input.snapshot == snapshot)
            #expect(input.overrides == .none)
        }
    }

    @Test("Overrides on the wire become the core's overrides")
    func overridesRoundTrip() throws {
        let text = line(DecisionFixtures.snapshot(tick: 0), overrides: .init(paused: true, ratio: "1:3", counts: PerRole(prefill: 2, decode: 5)))
        let input = try JSONDecoder().decode(SnapshotMessage.self, from: Data(text.utf8)).coreInput()
        #expect(input.overrides.pause?.value == true)
        #expect(input.overrides.ratio?.value == InstanceRatio(prefill: 1, decode: 3))
        #expect(input.overrides.counts?.value == PerRole(prefill: 2, decode: 5))
    }

    @Test("A reply decodes back to the same message, and omits what is unknown")
    func replyRoundTrip() throws {
        var session = DecisionSession(configuration: DecisionFixtures.configuration)
        let answer = session.respond(to: line(DecisionFixtures.snapshot(tick: 0)))
        let reply = try #require(answer)
        let message = try JSONDecoder().decode(DecisionMessage.self, from: Data(reply.utf8))
        #expect(message.schema == DecisionSchema.version)
        #expect(DecisionSession.encode(message) == reply)
        // The first tick has no interval yet: no observed latency to report.
        #expect(!reply.contains("observed_ttft_s"))
        #expect(reply.contains(#""desired":{"decode":"#))
    }

    @Test("The documented example request is accepted")
    func documentedExample() throws {
        let example = """
        {"schema": 1, "time": 120.0, "nodes": [{"name": "gpu-a", "gpus": [0,1,2,3,4,5,6,7]}], "workers": [{"id": "llm-prefill@g0.service", "role": "prefill", "node": "gpu-a", "gpus": [0], "state": "ready", "started_at": 0, "ready_at": 60, "telemetry": {"scraped_at": 119.5, "requests_waiting": 2, "requests_running": 8, "prompt_tokens": 1250000, "requests_finished": 410, "ttft_seconds": {"buckets": [{"le": 0.25, "count": 300}, {"le": 1, "count": 400}, {"le": "+Inf", "count": 410}], "sum": 120.5}}}, {"id": "llm-decode@g1.service", "role": "decode", "node": "gpu-a", "gpus": [1], "state": "starting", "started_at": 100}], "traffic": {"duration_s": 10, "requests": 50, "mean_input_tokens": 3000, "mean_output_tokens": 200, "ttft_seconds": 0.8, "itl_seconds": 0.03}}
        """
        var session = DecisionSession(configuration: DecisionFixtures.configuration)
        let answer = session.respond(to: example)
        let reply = try #require(answer)
        let message = try JSONDecoder().decode(DecisionMessage.self, from: Data(reply.utf8))
        #expect(message.current == PerRole(prefill: 1, decode: 1))
        #expect(message.estimate.arrivalRate == 5)
        #expect(message.estimate.meanInputTokens == 3_000)
    }
}
