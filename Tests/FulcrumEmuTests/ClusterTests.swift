import Foundation
import AsyncHTTPClient
import FulcrumCore
import FulcrumTelemetry
import Testing
@testable import FulcrumEmu

/// Router → prefill → decode over real sockets.
@Suite(.timeLimit(.minutes(3))) struct ClusterTests {
    @Test func shortLoadThroughTheRouterCompletesEveryRequest() async throws {
        let prefill = try await TestCluster.worker(.prefill, timeScale: 50)
        let decodeA = try await TestCluster.worker(.decode, timeScale: 50)
        let decodeB = try await TestCluster.worker(.decode, timeScale: 50)
        let workers = [prefill, decodeA, decodeB]
        let router: RunningServer
        do {
            router = try await TestCluster.router(workers: [
                WorkerRegistration(url: prefill.url, role: .prefill),
                WorkerRegistration(url: decodeA.url, role: .decode),
                WorkerRegistration(url: decodeB.url, role: .decode),
            ])
        } catch {
            for worker in workers { await worker.stop() }
            throw error
        }
        let requests = TestCluster.trace(count: 40, spacing: 0.01, input: { 50 + 40 * ($0 % 5) }, output: { 2 + 3 * ($0 % 7) })
        let result: (LoadReport, String, [String])
        do {
            result = try await TestCluster.withClient { client in
                let report = try await LoadGenerator(target: router.url, requests: requests, concurrency: 16).run(client: client)
                let frontend = try await TestCluster.get(router.url + "/metrics", client: client).body
                var decodes: [String] = []
                for worker in [decodeA, decodeB] { decodes.append(try await TestCluster.get(worker.url + "/metrics", client: client).body) }
                return (report, frontend, decodes)
            }
        } catch {
            await router.stop()
            for worker in workers { await worker.stop() }
            throw error
        }
        await router.stop()
        for worker in workers { await worker.stop() }

        let (report, frontendText, decodeTexts) = result
        #expect(report.sent == 40)
        #expect(report.succeeded == 40, "\(report.text)")
        #expect(report.failed == 0)
        #expect(report.outcomes.allSatisfy { $0.tokens == $0.expectedTokens })
        #expect(report.ttft != nil && report.tpot != nil)

        let frontend = try #require(try TelemetryMapper.frontend(frontendText, scrapedAt: Timestamp(seconds: 0)).telemetry)
        #expect(frontend.requestsArrived == 40)
        #expect(frontend.requestsCompleted == 40)
        #expect(frontend.inputTokens == Double(requests.reduce(0) { $0 + $1.inputTokens }))
        #expect(frontend.outputTokens == Double(requests.reduce(0) { $0 + $1.outputTokens }))
        #expect(frontend.timeToFirstToken?.count == 40)

        var decodeFinished = 0.0
        for text in decodeTexts {
            let telemetry = try #require(try TelemetryMapper.worker(text, preset: .vllm, scrapedAt: Timestamp(seconds: 0)).telemetry)
            decodeFinished += telemetry.requestsFinished
            // Least outstanding work spreads 40 requests over both decode workers.
            #expect(telemetry.requestsFinished > 0)
        }
        #expect(decodeFinished == 40)
    }

    @Test func aWorkerRemovedMidRequestFinishesItsRequestsAndGetsNoNewOnes() async throws {
        let prefill = try await TestCluster.worker(.prefill, timeScale: 10)
        let decode = try await TestCluster.worker(.decode, timeScale: 2)
        let router = try await TestCluster.router(workers: [
            WorkerRegistration(url: prefill.url, role: .prefill),
            WorkerRegistration(url: decode.url, role: .decode),
        ], workerWait: .milliseconds(300))
        let outcome: (LoadReport, (status: Int, body: String), (status: Int, body: String))
        do {
            outcome = try await TestCluster.withClient { client in
                // 200 tokens at ~3.7 ms a step (time scale 2): about 0.75 s each.
                let requests = TestCluster.trace(count: 4, spacing: 0, input: { _ in 100 }, output: { _ in 200 })
                let load = Task { try await LoadGenerator(target: router.url, requests: requests).run(client: client) }
                try await waitUntil { try await TestCluster.get(router.url + "/metrics", client: client).body.contains("fulcrum_emu_router_worker_requests_total{worker=\"\(decode.url)\",worker_type=\"decode\"} 4") }
                let encoded = decode.url.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? decode.url
                let removed = try await TestCluster.send("DELETE", router.url + "/workers/" + encoded, client: client)
                let report = try await load.value
                let later = try await TestCluster.send("POST", router.url + "/v1/completions", json: "{\"prompt\": \"one two\", \"max_tokens\": 4}", client: client)
                return (report, removed, later)
            }
        } catch {
            for server in [router, prefill, decode] { await server.stop() }
            throw error
        }
        for server in [router, prefill, decode] { await server.stop() }
        let (report, removed, later) = outcome
        #expect(removed.status == 200)
        #expect(report.succeeded == 4, "\(report.text)")
        #expect(later.status == 503)
        #expect(later.body.contains("no decode worker"))
    }
}

/// Polls `condition` until it holds; fails the test after `timeout`.
func waitUntil(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw RequestError("condition not met within \(timeout)")
}
