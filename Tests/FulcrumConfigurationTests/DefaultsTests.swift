@testable import FulcrumConfiguration
import Foundation
import FulcrumCore
import Testing

/// Every default has one source; the daemon's reader, `decide` without a file and the
/// documentation must all say the same.
@Suite("Defaults agree")
struct DefaultsTests {
    static let withoutPercentile = """
    nodes:
      - {name: gpu-a, gpus: [0, 1]}
    workers:
      prefill: {template: llm-prefill@.service}
      decode: {template: llm-decode@.service}
    slo: {ttft: 2s, tpot: 50ms}
    """

    @Test func sloPercentileIsTheDocumentedOne() throws {
        let daemon = try DaemonConfiguration.parse(yaml: Self.withoutPercentile, source: "fulcrum.yaml")
        let decideFile = try ControllerConfigurationFile.parse(yaml: "slo: {ttft: 2s, tpot: 50ms}\n", source: "decide.yaml")
        let decideDefault = ControllerConfigurationFile.standard
        #expect(daemon.controller.slo == .default)
        #expect(decideFile.controller.slo == .default)
        #expect(decideDefault.controller.slo == .default)
        #expect(ServiceLevelObjective.default.percentile == 0.99)

        let docs = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../../docs/configuration.md").standardized
        let row = try String(contentsOf: docs, encoding: .utf8).split(separator: "\n").first { $0.hasPrefix("| `percentile` |") }
        #expect(row?.contains("| \(ServiceLevelObjective.default.percentile) |") == true, "docs/configuration.md: \(row ?? "no percentile row")")
    }

    @Test func intervalsAndRoleKeysDefaultOnce() throws {
        let daemon = try DaemonConfiguration.parse(yaml: Self.withoutPercentile, source: "fulcrum.yaml")
        #expect(daemon.intervals == Intervals())
        #expect(ControllerConfigurationFile.standard.tick == daemon.intervals.tick)
        #expect(daemon.roles.prefill.portBase == WorkerPort.defaultBases.prefill)
        #expect(daemon.roles.decode.portBase == WorkerPort.defaultBases.decode)
        #expect(daemon.roles.decode.drainTimeout == RoleConfiguration.Defaults.drainTimeout.decode)
        #expect(daemon.roles.prefill.drainTimeout == RoleConfiguration.Defaults.drainTimeout.prefill)
        #expect(daemon.roles.decode.metricsURL == RoleConfiguration.Defaults.metricsURL)
    }

    @Test func decideWithoutNodesHasAnOpenBudget() throws {
        let file = try ControllerConfigurationFile.parse(yaml: "slo: {ttft: 1s, tpot: 40ms}\n", source: "decide.yaml")
        #expect(file.controller.placement.maxTotalGPUs == PlacementConstraints.openBudgetGPUs)
        #expect(ControllerConfigurationFile.standard.controller.placement.maxTotalGPUs == PlacementConstraints.openBudgetGPUs)
    }

    @Test func durationsAreCarriedAsDurations() throws {
        let yaml = Self.withoutPercentile + "\nintervals: {tick: 1500ms, scrape: 2s, scrape_timeout: 250ms}\n"
        let daemon = try DaemonConfiguration.parse(yaml: yaml, source: "fulcrum.yaml")
        #expect(daemon.intervals == Intervals(tick: .milliseconds(1500), scrape: .seconds(2), scrapeTimeout: .milliseconds(250)))
    }
}

@Suite("Configuration errors point at files that exist")
struct ConfigurationAdviceTests {
    @Test func anEmptyFileNamesTheShippedExamples() throws {
        let error = try #require(throws: ConfigurationError.self) { try DaemonConfiguration.parse(yaml: "", source: "empty.yaml") }
        #expect(error.description.contains("examples/config/"))
        let examples = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../../examples/config").standardized
        for name in ["vllm.yaml", "sglang.yaml"] where error.description.contains(name) {
            #expect(FileManager.default.fileExists(atPath: examples.appending(path: name).path), "\(name) is named but missing")
        }
    }
}
