import AsyncHTTPClient
import FulcrumCore
import FulcrumTelemetry
import Testing
@testable import FulcrumEmu

/// A worker's `/metrics`, read back with the project's own parser and presets.
@Suite(.timeLimit(.minutes(2))) struct WorkerMetricsTests {
    @Test(arguments: [EngineFlavor.vllm, .sglang], [Role.prefill, .decode])
    func presetReadsTheCountersOfTheRequestsServed(flavor: EngineFlavor, role: Role) async throws {
        let worker = try await TestCluster.worker(role, flavor: flavor, timeScale: 20)
        do {
            let requests = TestCluster.trace(count: 6, spacing: 0.005, input: { _ in 40 }, output: { _ in 5 })
            let (report, scrape) = try await TestCluster.withClient { client in
                // A prefill worker answers one token, so ask it for one.
                let trace = role == .prefill ? requests.map { var r = $0; r.outputTokens = 1; return r } : requests
                let report = try await LoadGenerator(target: worker.url, requests: trace, concurrency: 8).run(client: client)
                return (report, try await TestCluster.get(worker.url + "/metrics", client: client))
            }
            #expect(report.succeeded == 6, "\(report.text)")
            #expect(scrape.status == 200)

            let preset: EnginePreset = flavor == .vllm ? .vllm : .sglang
            let extraction = try TelemetryMapper.worker(scrape.body, preset: preset, scrapedAt: Timestamp(seconds: 0))
            #expect(extraction.missingRequired.isEmpty)
            #expect(extraction.issues.isEmpty, "\(extraction.issues)")
            #expect(extraction.unusedFamilies.isEmpty, "\(extraction.unusedFamilies)")
            let telemetry = try #require(extraction.telemetry)
            #expect(telemetry.requestsFinished == 6)
            #expect(telemetry.promptTokens == 240)
            // The prefill worker makes each request's first token; the decode worker the other 4.
            #expect(telemetry.generationTokens == (role == .prefill ? 6 : 24))
            #expect(telemetry.requestsWaiting == 0)
            #expect(telemetry.requestsRunning == 0)
            #expect(telemetry.kvCacheUsage == 0)
            #expect(telemetry.timeToFirstToken?.count == 6)
            #expect(telemetry.interTokenLatency?.count == (role == .prefill ? 0 : 24))
            if flavor == .sglang { #expect(extraction.roleHint == role) }
        } catch {
            await worker.stop()
            throw error
        }
        await worker.stop()
    }

    @Test func vllmExpositionHasTheEngineLabelsBucketsAndCreatedSeries() async throws {
        let worker = try await TestCluster.worker(.decode, flavor: .vllm, timeScale: 20)
        let scrape = try await TestCluster.withClient { try await TestCluster.get(worker.url + "/metrics", client: $0) }
        await worker.stop()
        let exposition = try ExpositionParser.parse(scrape.body)
        let success = try #require(exposition.family(named: "vllm:request_success_total"))
        #expect(Set(success.samples.compactMap { $0.label("finished_reason") }) == ["stop", "length", "abort"])
        #expect(success.samples.allSatisfy { $0.label("engine") == "0" && $0.label("model_name") == "meta-llama/Llama-3.1-8B-Instruct" })
        let ttft = try #require(exposition.family(named: "vllm:time_to_first_token_seconds"))
        let bounds = ttft.samples.filter { $0.name.hasSuffix("_bucket") }.compactMap { $0.label("le") }
        #expect(bounds.count == 23 && bounds.first == "0.001" && bounds.last == "+Inf")
        #expect(exposition.family(named: "vllm:prompt_tokens_created")?.type == .gauge)
        #expect(exposition.family(named: "vllm:time_to_first_token_seconds_created") != nil)
    }

    @Test func healthAnswersAndBadRequestsGetOneSentenceErrors() async throws {
        let worker = try await TestCluster.worker(.decode, timeScale: 20)
        let (health, noPrompt, badMax, hugeMax) = try await TestCluster.withClient { client in
            (
                try await TestCluster.get(worker.url + "/health", client: client),
                try await TestCluster.send("POST", worker.url + "/v1/completions", json: "{\"max_tokens\": 3}", client: client),
                try await TestCluster.send("POST", worker.url + "/v1/completions", json: "{\"prompt\": \"a b\", \"max_tokens\": 0}", client: client),
                // Int.max: the worker trapped adding it to the prompt's tokens.
                try await TestCluster.send("POST", worker.url + "/v1/completions", json: "{\"prompt\": \"a\", \"max_tokens\": 9223372036854775807}", client: client)
            )
        }
        let stillServing = try await TestCluster.withClient { client in try await TestCluster.get(worker.url + "/health", client: client) }
        await worker.stop()
        #expect(health.status == 200)
        #expect(noPrompt.status == 400 && noPrompt.body.contains("no prompt"))
        #expect(badMax.status == 400 && badMax.body.contains("max_tokens"))
        #expect(hugeMax.status == 400 && hugeMax.body.contains("max_tokens must be a whole number from 1 to 1000000000"), "\(hugeMax.body)")
        #expect(stillServing.status == 200)
    }
}
