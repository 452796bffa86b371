import Foundation
import Testing

/// `fulcrum-sim`'s commands on inputs a user can get wrong: each is refused in one sentence
/// naming the flag, key or file, with a non-zero status, and never traps, hangs or writes half
/// a file. (Each case here trapped, hung or misled before it was fixed.)
@Suite("fulcrum-sim on bad input")
struct SimCommandLineTests {
    static let trace = "arrival_s,input_tokens,output_tokens\n0,100,10\n1,100,10\n2,100,10\n"

    func run(_ arguments: [String], files: [String: String] = [:]) throws -> (status: Int32, errors: String, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sim-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
        let resolved = arguments.map { $0.replacingOccurrences(of: "$DIR", with: folder.path) }
        let run = try DecideProcessTests.runToCompletion(resolved)
        return (run.status, run.errors, folder)
    }

    @Test("numbers on the command line are checked before anything runs", arguments: [
        (["--load-scale", "1e300"], "--load-scale 1e+300 must be a number from 0 to 1000."),
        (["--tpot", "nan"], "--tpot nan must be a number of seconds above 0"),
        (["--ttft", "-1"], "--ttft -1.0 must be a number of seconds above 0"),
        (["--slo-percentile", "7"], "--slo-percentile 7.0 must lie between 0.5 and 0.9999"),
        (["--timeline-interval", "1e-7"], "--timeline-interval 1e-07 must be a number from 1 to 86400."),
        (["--budget-gpus", "64"], "--budget-gpus 64 exceeds the 32 GPUs of the default cluster (4 nodes × 8 GPUs)"),
        (["--policies", "static:1000:1000"], "static:1000:1000 needs 2000 GPUs (1 per prefill and 1 per decode instance with profile llama3-8b-h100), more than the budget of 32"),
    ])
    func flags(arguments: [String], message: String) throws {
        try expectRefused(["compare", "--trace", "$DIR/t.csv"] + arguments, files: ["t.csv": Self.trace], saying: message)
    }

    /// Runs the command and expects a failure whose standard error contains `message`.
    func expectRefused(_ arguments: [String], files: [String: String], saying message: String) throws {
        let outcome = try run(arguments, files: files)
        defer { try? FileManager.default.removeItem(at: outcome.folder) }
        #expect(outcome.status != 0)
        #expect(outcome.errors.contains(message), "\(outcome.errors)")
        // The top-level usage names no subcommand and says nothing about the problem.
        #expect(!outcome.errors.contains("fulcrum-sim <subcommand>"), "\(outcome.errors)")
    }

    @Test("--from alone slices to the end of the trace")
    func fromAlone() throws {
        let outcome = try run(["run", "--trace", "$DIR/t.csv", "--from", "1", "--policy", "static:1:1"], files: ["t.csv": Self.trace])
        defer { try? FileManager.default.removeItem(at: outcome.folder) }
        #expect(outcome.status == 0, "\(outcome.errors)")
    }

    @Test("a trace whose times span years is refused, not replayed for hours")
    func strayTimestamp() throws {
        try expectRefused(["run", "--trace", "$DIR/t.csv", "--policy", "static:1:1"], files: ["t.csv": Self.trace + "1e300,5,10\n"],
                          saying: "more than the 31 days a replay takes; check the latest rows' times")
    }

    @Test("profile and cluster files refuse unknown keys and values no hardware has", arguments: [
        ("profile", "name: p\nmodel: m\ngpus_per_instance: {prefill: 1, decode: 1}\nprefill: {batch_overhead_s: 0.01, per_token_s: 1.0e-5, attention_per_token_squared_s: 0, max_batch_tokens: 8192}\ndecode: {step_base_s: 0.01, step_per_sequence_s: 0, step_per_context_token_s: 0, kv_capacity_tokens: 100000, max_bacth: 64, max_batch: 64}\nkv_bytes_per_token: 1000\nkv_transfer_bytes_per_s: 1.0e9\nstartup_s: 90\n",
         "decode.max_bacth is not a known key (did you mean max_batch?); allowed here:"),
        ("profile", "name: p\nmodel: m\ngpus_per_instance: {prefill: 1, decode: 1}\nprefill: {batch_overhead_s: 0.01, per_token_s: 1.0e300, attention_per_token_squared_s: 0, max_batch_tokens: 8192}\ndecode: {step_base_s: 0.01, step_per_sequence_s: 0, step_per_context_token_s: 0, kv_capacity_tokens: 100000, max_batch: 64}\nkv_bytes_per_token: 1000\nkv_transfer_bytes_per_s: 1.0e9\nstartup_s: 90\n",
         "prefill.per_token_s must be a number from 0.0 to 1.0, found 1e+300."),
        ("cluster", "nodes:\n  - {name: a, gpus: 9223372036854775807}\n  - {name: b, gpus: 1}\n",
         "nodes[0].gpus must be a whole number from 1 to 1024, found 9223372036854775807."),
    ])
    func files(flag: String, text: String, message: String) throws {
        try expectRefused(["run", "--trace", "$DIR/t.csv", "--\(flag)", "$DIR/f.yaml"], files: ["t.csv": Self.trace, "f.yaml": text], saying: message)
    }

    @Test("an output path that cannot be written says why, without Foundation's error codes or the usage text")
    func unwritableOutput() throws {
        let outcome = try run(["run", "--trace", "$DIR/t.csv", "--policy", "static:1:1", "--json", "$DIR"], files: ["t.csv": Self.trace])
        defer { try? FileManager.default.removeItem(at: outcome.folder) }
        #expect(outcome.status == 1)
        #expect(outcome.errors.contains("cannot be written: it is a directory, not a file name; choose another path."), "\(outcome.errors)")
        #expect(!outcome.errors.contains("NSCocoaErrorDomain") && !outcome.errors.contains("Usage:"))
    }

    @Test("an output that cannot be written is refused before the simulations, not after them")
    func outputCheckedFirst() throws {
        let outcome = try run(["frontier", "--trace", "$DIR/t.csv", "--max-total", "2", "--svg", "/proc/fulcrum.svg"], files: ["t.csv": Self.trace])
        defer { try? FileManager.default.removeItem(at: outcome.folder) }
        #expect(outcome.status == 1)
        #expect(outcome.errors.contains("/proc/fulcrum.svg cannot be written: nothing can be written in /proc"), "\(outcome.errors)")
        #expect(!outcome.errors.contains("fulcrum-sim: running"), "no simulation ran")
    }

    @Test("generate --print-scenario alone prints the scenario, which loads back")
    func printScenario() throws {
        let printed = try DecideProcessTests.runToCompletion(["generate", "steady", "--print-scenario"])
        let yaml = printed.output
        #expect(printed.status == 0)
        #expect(yaml.hasPrefix("name: \"steady\"\n"), "\(yaml)")
        #expect(!yaml.contains("wrote "))
    }

    @Test("a Mooncake block hash that is not a whole number is named, not called invalid JSON")
    func mooncakeHash() throws {
        try expectRefused(["run", "--trace", "$DIR/m.jsonl"], files: ["m.jsonl": #"{"timestamp": 0, "input_length": 10, "output_length": 5, "hash_ids": [1.5]}"# + "\n"],
                          saying: "m.jsonl line 1: expected whole non-negative numbers below 9e15 in \"hash_ids\", found 1.5.")
    }
}
