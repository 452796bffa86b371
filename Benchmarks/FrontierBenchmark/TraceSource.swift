// Where each case's hour of traffic comes from: the bundled look-alikes, the same shapes
// generated with another seed, or trace files a user supplies with `--traces DIR` — the way to
// run the acceptance set (the public Azure LLM inference and Mooncake traces, which the
// controller was never tuned on) through exactly the protocol the look-alikes went through.
import Foundation
import FulcrumTraces

enum TraceSource {
    /// `fulcrum-sim generate NAME --seed 42`, bundled in examples/traces/.
    case bundled
    /// The same scenario generated with another seed (held-out look-alikes).
    case generated(seed: UInt64)
    /// `DIR/chat.*`, `DIR/code.*` and `DIR/long-context.*`, any format `fulcrum-sim` reads; the
    /// first hour of each (t < 3,600 s), since every case is one hour.
    case directory(String)

    /// The look-alike hour of a seed: the bundled one for 42, which it was generated with.
    static func lookAlike(seed: UInt64) -> TraceSource {
        seed == 42 ? .bundled : .generated(seed: seed)
    }

    /// Where the case's report and plot go.
    var outputDirectory: String {
        switch self {
        case .bundled: reportDirectory(seed: 42)
        case .generated(let seed): reportDirectory(seed: seed)
        case .directory(let path): "out/frontier/traces-\(URL(fileURLWithPath: path).lastPathComponent)"
        }
    }

    /// One hour of the shape named `shape` (`chat`, `code` or `long-context`).
    func requests(_ shape: String) throws -> [TraceRequest] {
        switch self {
        case .bundled:
            return try TraceReader.read(path: "examples/traces/\(shape).csv", format: .csv).requests
        case .generated(let seed):
            return try TraceGenerator.generate(scenario: Scenario.builtin(shape), seed: seed)
        case .directory(let path):
            // Times as the file gives them (an Azure file's first request is t = 0, Mooncake's
            // timestamps start at 0): moving a trace by even a fraction of a second moves every
            // control tick against it, and the bundled hours' figures with it.
            let requests = try TraceReader.read(path: try Self.file(shape, in: path)).requests
            return try TraceTransform.slice(from: 0, to: 3_600).apply(to: requests)
        }
    }

    /// Refuses, before any case runs, a directory that lacks the file of a chosen case.
    func check(_ cases: [Case]) throws {
        guard case .directory(let path) = self else { return }
        for benchmarkCase in cases { _ = try Self.file(benchmarkCase.trace, in: path) }
    }

    /// The one file in `directory` whose name before its extension is `shape`.
    static func file(_ shape: String, in directory: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
              let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw BenchmarkError("--traces \(directory) is not a readable directory; give the directory that holds chat.*, code.* and long-context.*.")
        }
        let matching = names.filter { ($0 as NSString).deletingPathExtension == shape }.sorted()
        guard matching.count == 1, let name = matching.first else {
            let found = matching.isEmpty ? "has no file named \(shape).*" : "has \(matching.joined(separator: " and ")), one too many"
            throw BenchmarkError("--traces \(directory) \(found); put exactly one \(shape) trace there (see docs/evaluation.md, \"The acceptance set\"), or run only the cases that have one by naming them (e.g. `FrontierBenchmark --traces \(directory) chat`).")
        }
        return "\(directory)/\(name)"
    }
}
