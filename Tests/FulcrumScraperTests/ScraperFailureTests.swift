import FulcrumTestSupport
import FulcrumCore
import FulcrumTelemetry
import Hummingbird
import NIOCore
import Testing

/// Scrapes one target once with `configuration` and returns its part of the round.
func scrapeSingle(_ url: String, configuration: ScraperConfiguration = roomyConfiguration, preset: PresetChoice = .auto) async throws -> (WorkerScrape, TargetHealth?) {
    try await withClient(configuration) { client in
        let scraper = Scraper(httpClient: client, configuration: configuration)
        let round = await scraper.scrapeOnce([ScrapeTarget(id: "w", url: url, preset: preset)], now: TickingClock().now)
        let scrape = try #require(round.workers["w"])
        #expect(round.telemetry["w"] == nil, "a failed first scrape must not invent telemetry")
        return (scrape, await scraper.health()["w"])
    }
}

@Suite struct ScraperFailureTests {
    /// A budget the failing handlers exceed by far, while a healthy loopback request on a loaded
    /// machine still fits in it.
    static let shortBudget = ScraperConfiguration(timeout: .seconds(2), jitterFraction: 0)

    @Test func slowResponseHeadTimesOut() async throws {
        try await withLoopbackServer({ router in
            router.get("metrics") { _, _ in
                try await Task.sleep(for: .seconds(120))
                return Response.exposition(ScrapeFixtures.vllm())
            }
        }) { port in
            let url = "http://127.0.0.1:\(port)/metrics"
            let started = ContinuousClock.now
            let (scrape, health) = try await scrapeSingle(url, configuration: Self.shortBudget)
            #expect(scrape.error?.reason == .timedOut(after: .seconds(2)))
            #expect(ContinuousClock.now - started < .seconds(60))
            #expect(scrape.error?.description.contains(url) == true)
            #expect(health?.consecutiveFailures == 1)
        }
    }

    @Test func slowBodyTimesOut() async throws {
        try await withLoopbackServer({ router in
            router.get("metrics") { _, _ in
                Response(
                    status: .ok,
                    headers: [.contentType: "text/plain; version=0.0.4"],
                    body: ResponseBody { writer in
                        // Head and a first chunk at once, then a trickle far slower than the budget.
                        try await writer.write(ByteBuffer(string: "# TYPE vllm:num_requests_running gauge\n"))
                        for _ in 0..<120 {
                            try await Task.sleep(for: .seconds(1))
                            try await writer.write(ByteBuffer(string: "# still here\n"))
                        }
                        try await writer.finish(nil)
                    }
                )
            }
        }) { port in
            let started = ContinuousClock.now
            let (scrape, _) = try await scrapeSingle("http://127.0.0.1:\(port)/metrics", configuration: Self.shortBudget)
            #expect(scrape.error?.reason == .timedOut(after: .seconds(2)))
            #expect(ContinuousClock.now - started < .seconds(60))
        }
    }

    @Test func refusedConnectionFailsFast() async throws {
        let url = "http://127.0.0.1:\(try unusedPort())/metrics"
        let (scrape, health) = try await scrapeSingle(url)
        guard case .connectionFailed(let message) = scrape.error?.reason else {
            Issue.record("expected a connection failure, got \(String(describing: scrape.error))")
            return
        }
        #expect(message == "connection refused")
        #expect(scrape.error?.description.contains(url) == true)
        // No connection retries: refused is known long before the 30 s budget.
        #expect(scrape.duration < .seconds(15))
        #expect(health?.lastError?.description == scrape.error?.description)
    }

    @Test func serverErrorIsReportedWithItsStatus() async throws {
        try await withLoopbackServer({ router in
            router.get("metrics") { _, _ in Response(status: .internalServerError) }
        }) { port in
            let url = "http://127.0.0.1:\(port)/metrics"
            let (scrape, _) = try await scrapeSingle(url)
            #expect(scrape.error?.reason == .httpStatus(500))
            #expect(scrape.error?.description == "\(url) answered HTTP 500 instead of 200; check the metrics path and the worker's logs")
        }
    }

    @Test(arguments: ["length", "chunked", "gzip"])
    func oversizeBodyIsAnError(variant: String) async throws {
        let limit = 1 << 20
        // Plausible lines, so that only the size is wrong.
        let line = "vllm:num_requests_running{engine=\"0\",model_name=\"padding-padding-padding\"} 1.0\n"
        let big = String(repeating: line, count: (4 * limit) / line.utf8.count)
        let compressed = variant == "gzip" ? try gzipped(Array(big.utf8)) : []
        try await withLoopbackServer({ router in
            router.get("metrics") { _, _ in
                switch variant {
                case "length":
                    return Response.exposition(big)
                case "chunked":
                    return Response(status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody { writer in
                        for _ in 0..<4 { try await writer.write(ByteBuffer(string: String(big.prefix(limit)))) }
                        try await writer.finish(nil)
                    })
                default:
                    return Response(
                        status: .ok,
                        headers: [.contentType: "text/plain", .contentEncoding: "gzip"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: compressed))
                    )
                }
            }
        }) { port in
            var configuration = roomyConfiguration
            configuration.maxBodyBytes = limit
            let (scrape, _) = try await scrapeSingle("http://127.0.0.1:\(port)/metrics", configuration: configuration)
            #expect(scrape.error?.reason == .bodyTooLarge(limit: limit), "\(String(describing: scrape.error))")
        }
    }

    @Test("a declared Content-Length over the limit fails at the head, not after the body")
    func declaredOversizeBodyFailsBeforeItIsRead() async throws {
        let limit = 1 << 20
        try await withLoopbackServer({ router in
            router.get("metrics") { _, _ in
                // Declares 8 MiB, then sends a line and stalls far past the 30 s budget.
                Response(status: .ok, headers: [.contentType: "text/plain", .contentLength: "\(8 * limit)"], body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "vllm:num_requests_running 1\n"))
                    try await Task.sleep(for: .seconds(120))
                    try await writer.finish(nil)
                })
            }
        }) { port in
            var configuration = roomyConfiguration
            configuration.maxBodyBytes = limit
            let (scrape, _) = try await scrapeSingle("http://127.0.0.1:\(port)/metrics", configuration: configuration)
            #expect(scrape.error?.reason == .bodyTooLarge(limit: limit), "\(String(describing: scrape.error))")
            #expect(scrape.duration < .seconds(20), "it must not wait for the body: \(scrape.duration)")
        }
    }

    @Test func compressedBodyThatDoesNotSaySoIsExplained() async throws {
        let compressed = try gzipped(Array(ScrapeFixtures.vllm().utf8))
        try await withLoopbackServer({ router in
            // A proxy that compresses but drops the Content-Encoding header.
            router.get("metrics") { _, _ in
                Response(status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: compressed)))
            }
        }) { port in
            let url = "http://127.0.0.1:\(port)/metrics"
            let (scrape, _) = try await scrapeSingle(url)
            #expect(scrape.error?.reason == .compressedBody)
            #expect(scrape.error?.description == "\(url) sent a gzip-compressed body without saying so in Content-Encoding; fix the worker's metrics server or the proxy in front of it")
        }
    }

    @Test("a body that does not decompress as declared is the worker's broken answer, not an unreachable worker")
    func declaredCompressionThatIsNotThere() async throws {
        try await withLoopbackServer({ router in
            router.get("metrics") { _, _ in
                Response(status: .ok, headers: [.contentType: "text/plain", .contentEncoding: "gzip"],
                         body: ResponseBody(byteBuffer: ByteBuffer(string: ScrapeFixtures.vllm())))
            }
        }) { port in
            let url = "http://127.0.0.1:\(port)/metrics"
            let (scrape, _) = try await scrapeSingle(url)
            #expect(scrape.error?.description == "\(url) answered, but its body does not decompress as its Content-Encoding says; check the worker's metrics server or the proxy in front of it")
        }
    }

    @Test("a host name that does not resolve says so, without NIO's error dump")
    func unknownHostIsNamed() async throws {
        // RFC 6761: .invalid never resolves, and resolvers answer so at once.
        let url = "http://fulcrum-worker.invalid:8000/metrics"
        let (scrape, _) = try await scrapeSingle(url)
        #expect(scrape.error?.reason == .unknownHost, "\(String(describing: scrape.error))")
        #expect(scrape.error?.description == "the host of \(url) does not resolve; check the node's host in the configuration and the head node's DNS or /etc/hosts")
    }

    @Test func parseErrorsCarryLineAndColumn() async throws {
        try await withLoopbackServer({ router in
            router.get("metrics") { _, _ in Response.exposition(ScrapeFixtures.broken) }
        }) { port in
            let (scrape, _) = try await scrapeSingle("http://127.0.0.1:\(port)/metrics")
            guard case .parse(let error) = scrape.error?.reason else {
                Issue.record("expected a parse error, got \(String(describing: scrape.error))")
                return
            }
            #expect(error.line == 3)
            #expect(scrape.error?.description.contains("line 3, column") == true)
        }
    }

    @Test func unknownEngineAndMissingSignalsAreFailures() async throws {
        try await withLoopbackServer({ router in
            router.get("plain") { _, _ in Response.exposition(ScrapeFixtures.unrelated) }
            router.get("trtllm") { _, _ in Response.exposition(ScrapeFixtures.trtllmWithoutIterationStats) }
        }) { port in
            let (plain, _) = try await scrapeSingle("http://127.0.0.1:\(port)/plain")
            #expect(plain.error?.reason == .noEngineDetected)
            let (trtllm, _) = try await scrapeSingle("http://127.0.0.1:\(port)/trtllm")
            #expect(trtllm.error?.reason == .missingSignals(["requestsRunning", "timeToFirstToken", "interTokenLatency"]))
            #expect(trtllm.extraction?.preset == "trtllm")
        }
    }

    @Test func badTargetsFailWithoutARequest() async throws {
        let (invalid, _) = try await scrapeSingle("ftp://127.0.0.1/metrics")
        #expect(invalid.error?.reason == .invalidURL)
        let (unknown, _) = try await scrapeSingle("http://127.0.0.1:\(try unusedPort())/metrics", preset: .named("llamacpp"))
        #expect(unknown.error?.reason == .unknownPreset("llamacpp"))
    }
}
