import Foundation
import FulcrumTestSupport
import FuzzEntries
import Testing

/// Every fuzz target over its seed corpus (and the findings kept as regression inputs), once:
/// what CI runs of the fuzzers. `scripts/fuzz` runs the same entries under libFuzzer.
@Suite("Fuzz corpora")
struct FuzzCorpusTests {
    static let corpus = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../../Fuzz/Corpus").standardized

    static func inputs(_ target: FuzzTarget) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: corpus.appending(path: target.rawValue), includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.path < $1.path }
    }

    /// Runs `inputs` through `target` on a thread of its own, as libFuzzer does: the control
    /// target waits for async work synchronously, which must not block Swift's cooperative pool.
    static func run(_ target: FuzzTarget, _ inputs: [[UInt8]]) async throws {
        try await onOwnThread { for input in inputs { target.run(input) } }
    }

    @Test("every target has a seed corpus and runs each input without crashing", arguments: FuzzTarget.allCases)
    func corpus(target: FuzzTarget) async throws {
        let files = try Self.inputs(target)
        #expect(files.count >= 3, "Fuzz/Corpus/\(target.rawValue) needs seed inputs")
        try await Self.run(target, try files.map { Array(try Data(contentsOf: $0)) })
    }

    @Test("empty and tiny inputs are handled", arguments: FuzzTarget.allCases)
    func degenerateInputs(target: FuzzTarget) async throws {
        try await Self.run(target, [[], [0], [0x0A], [0xFF, 0xFE], Array("{".utf8), Array("\"".utf8)])
    }
}
