@testable import FulcrumConfiguration
import FulcrumCore
import FulcrumTelemetry
import InMemoryLogging
import Logging
import Testing
@testable import FulcrumDaemon

/// The scrape loop against real (refused) HTTP connections.
@Suite("Scrape service")
struct ScrapeServiceTests {
    /// A scrape service over `workers`, logging to memory, with its client (shut it down after).
    static func service(_ configuration: DaemonConfiguration, workers: [WorkerSnapshot])
        -> (ScrapeService, ScrapeHTTPClient, DaemonMetrics, InMemoryLogHandler) {
        let log = InMemoryLogHandler()
        let metrics = DaemonMetrics()
        let scraperConfiguration = ScraperConfiguration(timeout: .seconds(2), interval: .seconds(5))
        let client = ScrapeHTTPClient(configuration: scraperConfiguration)
        let service = ScrapeService(scraper: Scraper(httpClient: client, configuration: scraperConfiguration),
                                    fleet: RecordingFleet(nodes: DaemonCoreTests.nodes, workers: workers), configuration: configuration,
                                    metrics: metrics, logger: Logger(label: "test.scrape") { _ in log }, now: { Timestamp(seconds: 10) })
        return (service, client, metrics, log)
    }

    @Test("a starting worker that does not answer yet is not a scrape failure; a ready one is")
    func startingWorkersAreNotFailures() async throws {
        var configuration = try DaemonCoreTests.configuration()
        // Port 1 on loopback refuses connections: nothing listens there.
        configuration.roles.prefill.metricsURL = "http://127.0.0.1:1/metrics"
        configuration.roles.decode.metricsURL = "http://127.0.0.1:1/metrics"
        let workers = [
            WorkerSnapshot(id: "gpu-a/llm-prefill@g0.service", role: .prefill, node: "gpu-a", gpus: [0], lifecycle: .starting,
                           startedAt: Timestamp(seconds: 0)),
            WorkerSnapshot(id: "gpu-a/llm-decode@g2-3.service", role: .decode, node: "gpu-a", gpus: [2, 3], lifecycle: .ready,
                           startedAt: Timestamp(seconds: 0)),
        ]
        let (service, client, metrics, log) = Self.service(configuration, workers: workers)
        await service.scrapeOnce()
        await client.shutdown()

        let exposition = metrics.exposition()
        #expect(exposition.contains(#"fulcrum_scrape_failures_total{target="gpu-a/llm-decode@g2-3.service"} 1"#), "\(exposition)")
        #expect(!exposition.contains(#"fulcrum_scrape_failures_total{target="gpu-a/llm-prefill@g0.service"}"#))
        #expect(exposition.contains(#"fulcrum_scrape_starting_unanswered_total{target="gpu-a/llm-prefill@g0.service"} 1"#))
        let warnings = log.entries.filter { $0.level == .warning }
        #expect(warnings.count == 1)
        #expect(warnings.first.map { "\($0.metadata["worker"] ?? "")" } == "gpu-a/llm-decode@g2-3.service")
    }

    @Test("a frontend that cannot be scraped is counted and logged once, like a worker")
    func frontendFailuresAreVisible() async throws {
        var configuration = try DaemonCoreTests.configuration()
        configuration.frontend = FrontendConfiguration(metricsURL: "http://127.0.0.1:1/metrics")
        let (service, client, metrics, log) = Self.service(configuration, workers: [])
        await service.scrapeOnce()
        await service.scrapeOnce()
        await client.shutdown()

        let exposition = metrics.exposition()
        #expect(exposition.contains(#"fulcrum_scrape_failures_total{target="frontend"} 2"#), "\(exposition)")
        let warnings = log.entries.filter { $0.level == .warning }
        #expect(warnings.count == 1, "one line per change of error, not per scrape")
        #expect(warnings.first.map { "\($0.metadata["frontend"] ?? "")" } == "frontend")
        #expect(warnings.first.map { "\($0.message)" }?.contains("arrivals are read from the workers") == true)
    }
}
