import FulcrumTestSupport
import FulcrumCore
import FulcrumTelemetry
import Hummingbird
import NIOCore
import Testing

// Generous budgets throughout: these run on a loaded 2-core machine, and only the failure tests
// rely on a budget running out.
let roomyConfiguration = ScraperConfiguration(timeout: .seconds(30), jitterFraction: 0)

@Suite struct ScraperSuccessTests {
    /// A loopback worker serving `exposition` at /metrics and logging each request, and a
    /// scraper built with `configuration` whose target `w1` is that worker.
    private func withScrapedWorker(_ exposition: String, configuration: ScraperConfiguration = roomyConfiguration, log: RequestLog,
                                   _ body: (Scraper, ScrapeTarget) async throws -> Void) async throws {
        try await withLoopbackServer({ router in
            router.get("metrics") { request, _ in
                log.record(request)
                return Response.exposition(exposition)
            }
        }) { port in
            try await withClient(configuration) { client in
                try await body(Scraper(httpClient: client, configuration: configuration),
                               ScrapeTarget(id: "w1", url: "http://127.0.0.1:\(port)/metrics"))
            }
        }
    }

    @Test func parsesSignalsAndReportsHealth() async throws {
        let log = RequestLog()
        try await withScrapedWorker(ScrapeFixtures.vllm(waiting: 3, running: 12, kv: 0.25, promptTokens: 1000), log: log) { scraper, target in
            let ticks = TickingClock()
            let round = await scraper.scrapeOnce([target], now: ticks.now)

            let scrape = try #require(round.workers["w1"])
            #expect(scrape.error == nil)
            let telemetry = try #require(round.telemetry["w1"])
            #expect(telemetry.requestsWaiting == 3)
            #expect(telemetry.requestsRunning == 12)
            #expect(telemetry.kvCacheUsage == 0.25)
            #expect(telemetry.promptTokens == 1000)
            #expect(telemetry.requestsFinished == 42)
            #expect(telemetry.timeToFirstToken?.count == 43)
            #expect(round.stale.isEmpty)

            let health = try #require(await scraper.health()["w1"])
            #expect(health.consecutiveFailures == 0)
            #expect(health.lastError == nil)
            #expect(health.lastSuccess != nil)
            #expect(health.lastBytes == ScrapeFixtures.vllm().utf8.count)
            #expect(health.preset == "vllm")
            #expect((health.lastDuration ?? .zero) > .zero)
            #expect(await scraper.latest("w1") == telemetry)

            let headers = try #require(log.all.first?.headers)
            #expect(headers["accept"] == ScraperConfiguration.acceptHeader)
            #expect(headers["x-prometheus-scrape-timeout-seconds"] == "30.0")
        }
    }

    @Test("Per-scrape connections ask the worker to close each after its scrape; kept-alive ones never do")
    func connectionReuseIsChosen() async throws {
        for reuses in [true, false] {
            let log = RequestLog()
            var configuration = roomyConfiguration
            configuration.reusesConnections = reuses
            try await withScrapedWorker(ScrapeFixtures.vllm(waiting: 1, running: 2, kv: 0.5, promptTokens: 10),
                                        configuration: configuration, log: log) { scraper, target in
                let ticks = TickingClock()
                for _ in 0..<3 {
                    let round = await scraper.scrapeOnce([target], now: ticks.now)
                    #expect(round.workers["w1"]?.error == nil, "reuses \(reuses)")
                }
            }
            let connections = log.all.map { $0.headers["connection"]?.lowercased() }
            #expect(connections.count == 3)
            #expect(connections.allSatisfy { reuses ? $0 != "close" : $0 == "close" }, "reuses \(reuses): \(connections)")
        }
    }

    @Test func openMetricsContentTypeSelectsTheOpenMetricsParser() async throws {
        try await withLoopbackServer({ router in
            router.get("metrics") { _, _ in
                Response.exposition(ScrapeFixtures.vllmOpenMetrics, contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8")
            }
        }) { port in
            try await withClient(roomyConfiguration) { client in
                let scraper = Scraper(httpClient: client, configuration: roomyConfiguration)
                let round = await scraper.scrapeOnce([ScrapeTarget(id: "om", url: "http://127.0.0.1:\(port)/metrics")], now: TickingClock().now)
                let scrape = try #require(round.workers["om"])
                #expect(scrape.error == nil)
                #expect(round.telemetry["om"]?.promptTokens == 321)
                #expect(round.telemetry["om"]?.requestsFinished == 9)
            }
        }
    }

    @Test func gzipIsNegotiatedAndDecompressed() async throws {
        let body = ScrapeFixtures.vllm(waiting: 5)
        let compressed = try gzipped(Array(body.utf8))
        let log = RequestLog()
        try await withLoopbackServer({ router in
            router.get("metrics") { request, _ in
                log.record(request)
                // Like prometheus_client: gzip only when the client asked for it.
                guard request.headers[.acceptEncoding]?.contains("gzip") == true else {
                    return Response.exposition(body)
                }
                return Response(
                    status: .ok,
                    headers: [.contentType: "text/plain; version=0.0.4", .contentEncoding: "gzip"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: compressed))
                )
            }
        }) { port in
            try await withClient(roomyConfiguration) { client in
                let scraper = Scraper(httpClient: client, configuration: roomyConfiguration)
                let round = await scraper.scrapeOnce([ScrapeTarget(id: "gz", url: "http://127.0.0.1:\(port)/metrics")], now: TickingClock().now)
                #expect(round.workers["gz"]?.error == nil)
                #expect(round.telemetry["gz"]?.requestsWaiting == 5)
                // The byte count is the decompressed body, which is what the limit guards.
                #expect(round.workers["gz"]?.bytes == body.utf8.count)
                #expect(compressed.count < body.utf8.count / 2)
                #expect(log.all.first?.headers["accept-encoding"]?.contains("gzip") == true)
            }
        }
    }

    @Test func frontendTargetsYieldFrontendTelemetry() async throws {
        try await withLoopbackServer({ router in
            router.get("metrics") { _, _ in Response.exposition(ScrapeFixtures.dynamoFrontend) }
        }) { port in
            try await withClient(roomyConfiguration) { client in
                let scraper = Scraper(httpClient: client, configuration: roomyConfiguration)
                let frontend = FrontendTarget(name: "frontend", url: "http://127.0.0.1:\(port)/metrics")
                let round = await scraper.scrapeOnce([], frontends: [frontend], now: TickingClock().now)
                #expect(round.frontends["frontend"]?.error == nil)
                let telemetry = try #require(round.frontendTelemetry["frontend"])
                #expect(telemetry.requestsArrived == 6)
                #expect(telemetry.inputTokens == 233)
                #expect(telemetry.outputTokens == 600)
                #expect(telemetry.requestsCompleted == 2)
                #expect(await scraper.frontendHealth()["frontend"]?.preset == "dynamo-frontend")
            }
        }
    }

    @Test func namedAndCustomPresetsAreUsedAsGiven() async throws {
        try await withLoopbackServer({ router in
            router.get("metrics") { _, _ in Response.exposition(ScrapeFixtures.vllm(kv: 0.5)) }
        }) { port in
            try await withClient(roomyConfiguration) { client in
                let scraper = Scraper(httpClient: client, configuration: roomyConfiguration)
                let url = "http://127.0.0.1:\(port)/metrics"
                let custom = CustomMapping(base: "vllm", signals: [.kvCacheUsage: [SignalSource("vllm:kv_cache_usage_perc", scale: 2)]])
                let round = await scraper.scrapeOnce(
                    [
                        ScrapeTarget(id: "named", url: url, preset: .named("vllm")),
                        ScrapeTarget(id: "custom", url: url, preset: .custom(custom)),
                        ScrapeTarget(id: "wrong", url: url, preset: .named("sglang")),
                    ],
                    now: TickingClock().now
                )
                #expect(round.telemetry["named"]?.kvCacheUsage == 0.5)
                #expect(round.telemetry["custom"]?.kvCacheUsage == 1.0)
                let wrong = try #require(round.workers["wrong"]?.error)
                guard case .missingSignals(let missing) = wrong.reason else {
                    Issue.record("expected missing signals, got \(wrong)")
                    return
                }
                #expect(missing.contains("requestsWaiting"))
                #expect(wrong.description.contains(url))
            }
        }
    }
}
