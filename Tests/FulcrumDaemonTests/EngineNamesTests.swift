import FulcrumConfiguration
import FulcrumTelemetry
import FulcrumTestSupport
import Foundation
import Testing

@Suite("Engine names")
struct EngineNamesTests {
    @Test("workers.engine accepts auto and exactly the built-in presets, and the docs list them")
    func configurationMatchesPresets() throws {
        #expect(DaemonConfiguration.engineNames == ["auto"] + EnginePreset.builtIn.map(\.name))
        let docs = try String(contentsOf: SystemdNodes.repository.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        let row = docs.split(separator: "\n").first { $0.hasPrefix("| `engine` |") } ?? ""
        for name in DaemonConfiguration.engineNames { #expect(row.contains("`\(name)`"), "docs/configuration.md's engine row lacks \(name)") }
    }

    @Test("frontend.preset accepts exactly the frontend presets' configuration names, and the docs list them")
    func frontendPresetNamesMatchPresets() throws {
        #expect(DaemonConfiguration.frontendPresetNames == FrontendPreset.byConfigurationName.keys.sorted())
        #expect(DaemonConfiguration.frontendPresetNames.contains(FrontendConfiguration.defaultPreset))
        let refused = #expect(throws: ConfigurationError.self) {
            _ = try ControllerConfigurationFile.parse(yaml: "slo: {ttft: 2s, tpot: 50ms}\nfrontend: {metrics_url: 'http://r/metrics', preset: sglang}\n", source: "f.yaml")
        }
        #expect(refused?.problems.map(\.key) == ["frontend.preset"])
        let docs = try String(contentsOf: SystemdNodes.repository.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        let row = docs.split(separator: "\n").first { $0.hasPrefix("| `preset` |") } ?? ""
        for name in DaemonConfiguration.frontendPresetNames { #expect(row.contains("`\(name)`"), "docs/configuration.md's frontend preset row lacks \(name)") }
    }

    @Test("docs/metrics-presets.md names every signal a custom mapping may set")
    func customMappingSignalsAreDocumented() throws {
        let docs = try String(contentsOf: SystemdNodes.repository.appendingPathComponent("docs/metrics-presets.md"), encoding: .utf8)
        let paragraph = try #require(docs.range(of: "Signal names:").map { String(docs[$0.upperBound...].prefix(600)) })
        for signal in WorkerSignal.allCases { #expect(paragraph.contains("`\(signal.rawValue)`"), "\(signal.rawValue) is not listed") }
    }
}
