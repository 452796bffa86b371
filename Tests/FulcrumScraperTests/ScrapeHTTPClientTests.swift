import Foundation
import FulcrumCore
@testable import FulcrumTelemetry
import FulcrumTestSupport
import Hummingbird
import NIOSSL
import Testing

/// The scrape client against real loopback servers: connection reuse, servers that drop
/// kept-alive connections, TLS, and cancellation.
@Suite struct ScrapeHTTPClientTests {
    static let exposition = ScrapeFixtures.vllm(waiting: 2, running: 5)

    /// Three rounds against one target; every one must succeed.
    private func scrapeThrice(_ url: String, configuration: ScraperConfiguration, tls: TLSConfiguration = .makeClientConfiguration()) async throws {
        try await withClient(configuration, tls: tls) { client in
            let scraper = Scraper(httpClient: client, configuration: configuration)
            let ticks = TickingClock()
            for round in 1...3 {
                let scrape = try #require(await scraper.scrapeOnce([ScrapeTarget(id: "w", url: url)], now: ticks.now).workers["w"])
                #expect(scrape.error == nil, "round \(round): \(String(describing: scrape.error))")
                #expect(scrape.extraction?.telemetry?.requestsRunning == 5, "round \(round)")
            }
        }
    }

    @Test("kept-alive connections serve every scrape on one connection; per-scrape ones open one each")
    func connectionsAreReusedOnlyWhenKeptAlive() async throws {
        for reuses in [true, false] {
            let server = ConnectionTestServer(body: Self.exposition)
            var configuration = roomyConfiguration
            configuration.reusesConnections = reuses
            try await server.run(answersPerConnection: 100) { port in
                try await scrapeThrice("http://127.0.0.1:\(port)/metrics", configuration: configuration)
            }
            #expect(server.seen.requests == 3, "reuses \(reuses)")
            #expect(server.seen.connections == (reuses ? 1 : 3), "reuses \(reuses): \(server.seen)")
        }
    }

    @Test("a kept-alive connection the server drops as the request goes out is replaced, not reported")
    func droppedKeptAliveConnectionIsRetriedOnANewOne() async throws {
        let server = ConnectionTestServer(body: Self.exposition)
        try await server.run(answersPerConnection: 1) { port in
            try await scrapeThrice("http://127.0.0.1:\(port)/metrics", configuration: roomyConfiguration)
        }
        // Rounds 2 and 3 each went out on the kept connection, were dropped, and went again.
        #expect(server.seen.connections == 3, "\(server.seen)")
        #expect(server.seen.requests == 5, "\(server.seen)")
    }

    @Test("https: a server certificate the trust roots vouch for is scraped; any other is refused, naming TLS")
    func httpsVerifiesTheServer() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fulcrum-scrape-tls-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = try EtcdCluster.TLSFiles.make(in: folder)
        let serverTLS = try NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(files.serverCert).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: files.serverKey, format: .pem))))
        var trusting = TLSConfiguration.makeClientConfiguration()
        trusting.trustRoots = .file(files.ca)

        let server = ConnectionTestServer(body: Self.exposition)
        try await server.run(answersPerConnection: 100, tls: serverTLS) { port in
            // By address (checked against the certificate's IP name) and by name (sent as SNI).
            for host in ["127.0.0.1", "localhost"] {
                try await scrapeThrice("https://\(host):\(port)/metrics", configuration: roomyConfiguration, tls: trusting)
            }
            let url = "https://127.0.0.1:\(port)/metrics"
            let (scrape, _) = try await scrapeSingle(url)
            guard case .connectionFailed(let message) = scrape.error?.reason else {
                Issue.record("expected a TLS failure with the system's roots, got \(String(describing: scrape.error))")
                return
            }
            #expect(message.hasPrefix("TLS: "), "\(message)")
            #expect(scrape.error?.description.hasPrefix("cannot reach \(url) (TLS: ") == true)
            #expect(scrape.error?.description.hasSuffix("); check the worker's certificate against the system's trusted CAs") == true)
        }
    }

    @Test("a cancelled scrape stops at once")
    func cancellationStopsARequestInFlight() async throws {
        let (arrivals, arrived) = AsyncStream.makeStream(of: Void.self)
        try await withLoopbackServer({ router in
            router.get("metrics") { _, _ in
                arrived.yield()
                try await Task.sleep(for: .seconds(120))
                return Response.exposition(Self.exposition)
            }
        }) { port in
            try await withClient(roomyConfiguration) { client in
                let fetcher = ExpositionFetcher(httpClient: client, configuration: roomyConfiguration)
                let started = ContinuousClock.now
                let request = Task { try await fetcher.fetch("http://127.0.0.1:\(port)/metrics") }
                for await _ in arrivals { break }
                request.cancel()
                let result = await request.result
                guard case .failure(let error as ScrapeError) = result else {
                    Issue.record("expected the scrape to be cancelled, got \(result)")
                    return
                }
                #expect(error.reason == .cancelled)
                #expect(ContinuousClock.now - started < .seconds(20))
            }
        }
    }

    @Test(arguments: [
        ("http://10.0.0.7:8000/metrics", "10.0.0.7", 8000, "/metrics", "10.0.0.7:8000"),
        ("https://gpu-a/metrics?x=1#frag", "gpu-a", 443, "/metrics?x=1", "gpu-a"),
        ("http://[fe80::1]:9090", "fe80::1", 9090, "/", "[fe80::1]:9090"),
        ("http://host:80?q", "host", 80, "/?q", "host"),
    ])
    func urlsAreSplitForTheConnection(_ text: String, host: String, port: Int, target: String, hostHeader: String) throws {
        let url = try #require(ScrapeURL(text))
        #expect(url.endpoint.host == host)
        #expect(url.endpoint.port == port)
        #expect(url.target == target)
        #expect(url.hostHeader == hostHeader)
    }

    @Test(arguments: ["ftp://host/metrics", "http://", "http://:80/", "http://host:0/", "http://host:65536/", "http://host:8x/",
                      "http://user@host/", "http://[::1/", "http://::1/", "host:9090/metrics"])
    func badURLsAreRefused(_ text: String) {
        #expect(ScrapeURL(text) == nil)
    }
}
