@testable import FulcrumConfiguration
import Foundation
import FulcrumCore
import FulcrumTelemetry
import FulcrumTestSupport
import Testing
@testable import FulcrumDaemon

@Suite("fulcrumd's own metrics")
struct MetricsExpositionTests {
    /// The exposition after one real decision, a scrape, a reload and a drain were recorded.
    static func exposition() async throws -> String {
        let configuration = try DaemonConfiguration.parse(yaml: ConfigurationFixtures.minimal, source: "test.yaml")
        let workers = [
            WorkerSnapshot(id: "gpu-a/llm-prefill@g0.service", role: .prefill, node: "gpu-a", gpus: [0], lifecycle: .ready, startedAt: Timestamp(seconds: 0)),
            WorkerSnapshot(id: "gpu-a/llm-decode@g2-3.service", role: .decode, node: "gpu-a", gpus: [2, 3], lifecycle: .starting, startedAt: Timestamp(seconds: 5)),
        ]
        let fleet = RecordingFleet(nodes: DaemonCoreTests.nodes, workers: workers)
        let core = DaemonCore(configuration: configuration, fleet: fleet, telemetry: NoTelemetry())
        let decision = await core.tick(now: Timestamp(seconds: 10))
        let metrics = DaemonMetrics()
        metrics.record(decision: decision, observation: try #require(await core.lastObservation), outcomes: await core.lastOutcomes,
                       tickDuration: .milliseconds(4), budget: 4)
        metrics.recordScrape(target: "gpu-a/llm-prefill@g0.service", duration: .milliseconds(20), success: false)
        metrics.recordReload(success: false)
        metrics.recordDrain(outcome: "empty")
        metrics.recordWorkerFailure()
        return metrics.exposition()
    }

    @Test("the exposition parses with the project's own parser and carries the documented families")
    func parses() async throws {
        let parsed = try ExpositionParser.parse(try await Self.exposition())
        for family in ["fulcrum_workers", "fulcrum_desired_instances", "fulcrum_instances", "fulcrum_gpus_in_use",
                       "fulcrum_demand_tokens_per_second", "fulcrum_decision_reasons_total", "fulcrum_tick_duration_seconds",
                       "fulcrum_config_reloads_total", "fulcrum_scrape_failures_total", "fulcrum_drains_total"] {
            #expect(parsed.family(named: family) != nil, "missing \(family)")
        }
        let starting = parsed.family(named: "fulcrum_workers")?.samples.first {
            $0.labels.contains { $0.name == "role" && $0.value == "decode" } && $0.labels.contains { $0.name == "state" && $0.value == "starting" }
        }
        #expect(starting?.value == 1)
    }

    @Test("promtool check metrics has no findings")
    func promtool() async throws {
        // promtool comes with Debian's prometheus package, which scripts/setup installs.
        let promtool = "/usr/bin/promtool"
        try #require(FileManager.default.isExecutableFile(atPath: promtool), "promtool is missing; run scripts/setup (apt package prometheus)")
        let file = NSTemporaryDirectory() + "fulcrum-metrics-\(UUID().uuidString).prom"
        try await Self.exposition().write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try SystemdNodes.run("/bin/sh", ["-c", "exec \(promtool) check metrics < '\(file)'"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "promtool findings:\n\(result.output)")
    }
}
