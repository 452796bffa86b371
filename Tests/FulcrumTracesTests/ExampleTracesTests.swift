import FulcrumTraces
import Foundation
import Testing

/// The committed traces under `examples/traces/` must stay exactly what the generator produces, so
/// experiments that cite them are reproducible from the scenario name and seed alone.
@Suite("Committed example traces")
struct ExampleTracesTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("examples/traces")

    @Test("each file equals generate(scenario: .builtin(name), seed: 42) written as CSV",
          arguments: ["steady", "mix-shift", "mix-step", "ramp", "bursty", "code", "chat", "long-context"])
    func matchesGenerator(name: String) throws {
        let path = Self.directory.appendingPathComponent("\(name).csv").path
        let committed = try String(contentsOfFile: path, encoding: .utf8)
        let expected = try TraceWriter.csvText(TraceGenerator.generate(scenario: .builtin(name), seed: 42))
        #expect(committed == expected, "\(path) is stale: regenerate it with TraceGenerator.generate(scenario: .builtin(\"\(name)\"), seed: 42) and TraceWriter.write")
        #expect(committed.utf8.count < 400_000)
        #expect(try TraceReader.read(path: path).format == .csv)
    }
}
