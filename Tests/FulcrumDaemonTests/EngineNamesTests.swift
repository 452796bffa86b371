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
}
