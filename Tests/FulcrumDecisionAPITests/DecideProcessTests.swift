import Foundation
import FulcrumCore
@testable import FulcrumDecisionAPI
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `fulcrum-sim decide` as a caller in another language uses it: a long-lived child process,
/// one line written, one line read back before the next is written.
@Suite("fulcrum-sim decide process")
struct DecideProcessTests {
    static var binary: URL {
        get throws {
            var candidates: [URL] = []
            if let test = Bundle.main.executableURL {
                candidates.append(test.deletingLastPathComponent().appendingPathComponent("fulcrum-sim"))
            }
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            candidates.append(root.appendingPathComponent(".build/debug/fulcrum-sim"))
            let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
            return try #require(found, "fulcrum-sim is not built next to the tests; run swift build first")
        }
    }

    /// Reads one line from `fd`, waiting at most `seconds` in total.
    private static func readLine(_ fd: Int32, buffer: inout [UInt8], seconds: Double) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let remaining = deadline.timeIntervalSinceNow
            try #require(remaining > 0, "no reply line within \(seconds) s")
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining, 1) * 1000))
            if ready > 0 {
                var chunk = [UInt8](repeating: 0, count: 65_536)
                let count = read(fd, &chunk, chunk.count)
                try #require(count > 0, "fulcrum-sim closed its output early")
                buffer.append(contentsOf: chunk[..<count])
            }
        }
    }

    @Test("Replies arrive line by line, an error does not stop the process, EOF ends it cleanly")
    func interactive() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("decide-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // DecisionFixtures.configuration written as a daemon configuration file, except the TTFT
        // target, which the flag must override.
        let config = directory.appendingPathComponent("decide.yaml")
        try Data("""
            slo: {ttft: 3s, tpot: 50ms, percentile: 0.9}
            budget: {max_gpus: 8}
            priors:
              prefill: {tokens_per_s: 8000, batch_overhead: 0.01}
              decode: {step_base: 0.01, step_per_sequence: 0.0002, step_per_context_token: 0.00000002, kv_capacity_tokens: 400000, max_batch: 128}
            """.utf8).write(to: config)
        let process = Process()
        process.executableURL = try Self.binary
        process.arguments = ["decide", "--config", config.path, "--ttft", "1"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        var buffer: [UInt8] = []
        let fd = output.fileHandleForReading.fileDescriptor
        func send(_ line: String) throws -> String {
            input.fileHandleForWriting.write(Data((line + "\n").utf8))
            return try Self.readLine(fd, buffer: &buffer, seconds: 60)
        }

        var session = DecisionSession(configuration: DecisionFixtures.configuration)
        let first = DecisionSession.encode(SnapshotMessage(DecisionFixtures.windowSnapshot(time: 0, requests: 40)))
        let expectedFirst = session.respond(to: first)
        #expect(try send(first) == expectedFirst)
        let refused = try send(#"{"schema": 1, "time": 10, "nodes": [], "workers": []}"#)
        #expect(refused.contains(#""field":"nodes""#))
        #expect(refused.contains(#""line":2"#))
        let third = DecisionSession.encode(SnapshotMessage(DecisionFixtures.windowSnapshot(time: 10, requests: 60)))
        _ = session.respond(to: "") // keep line numbers aligned with the process's
        let expectedThird = session.respond(to: third)
        #expect(try send(third) == expectedThird)

        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    /// Runs fulcrum-sim with no input to completion; its exit status, standard output and error.
    static func runToCompletion(_ arguments: [String]) throws -> (status: Int32, errors: String, output: String) {
        let process = Process()
        process.executableURL = try Self.binary
        process.arguments = arguments
        // Standard error goes to a file, so neither pipe can fill while the other is read.
        let errorsFile = FileManager.default.temporaryDirectory.appendingPathComponent("sim-errors-\(UUID().uuidString)")
        try #require(FileManager.default.createFile(atPath: errorsFile.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: errorsFile) }
        let output = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorsFile)
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: errorsFile, encoding: .utf8), printed)
    }

    /// A fresh directory holding `name` with `contents`, removed by `body`'s end.
    static func withFile<T>(_ name: String, _ contents: String, _ body: (URL) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent(name)
        try Data(contents.utf8).write(to: file)
        return try body(file)
    }

    @Test("A bad configuration file stops decide before it reads anything, naming the key")
    func badConfiguration() throws {
        let run = try Self.withFile("decide.yaml", "slo: {ttft: 2s, tpot: 50ms}\nbudget: {max_gpus: lots}\n") { config in
            try Self.runToCompletion(["decide", "--config", config.path])
        }
        #expect(run.status == 64)
        #expect(run.errors.contains("budget.max_gpus"))
        #expect(run.errors.contains("line 2"))
    }

    @Test("decide's flags obey the configuration file's limits, and the budget is checked once file, profile and flags all apply",
          arguments: [
              (["--ttft", "inf"], "--ttft inf must be a number of seconds above 0 and at most 1000000000."),
              (["--startup", "1e300"], "--startup 1e+300 must be a number of seconds above 0"),
              (["--max-gpus", "1"], "need 2 GPUs, more than --max-gpus 1; raise the budget."),
              (["--max-gpus", "4", "--profile", "llama3-70b-h100-tp4"], "(1 × 4 GPUs + 1 × 4 GPUs, sizes from --profile llama3-70b-h100-tp4) need 8 GPUs"),
              (["--min-gpus", "9", "--max-gpus", "8"], "--min-gpus 9 exceeds --max-gpus 8; lower the one or raise the other."),
              (["--profile", "nosuch"], "nosuch: no bundled profile has this name (llama3-405b-h200-tp8, llama3-70b-h100-tp4, llama3-8b-h100) and no file has this path"),
          ])
    func flagsObeyTheFileLimits(arguments: [String], message: String) throws {
        let run = try Self.runToCompletion(["decide"] + arguments)
        #expect(run.status == 64)
        #expect(run.errors.contains(message), "\(run.errors)")
    }

    @Test("a flag's minimum above the file's budget is named with the file")
    func flagAgainstFileBudget() throws {
        let run = try Self.withFile("decide.yaml", "slo: {ttft: 2s, tpot: 50ms}\nbudget: {max_gpus: 2}\n") { config in
            try Self.runToCompletion(["decide", "--config", config.path, "--min-gpus", "4"])
        }
        #expect(run.status == 64)
        #expect(run.errors.contains("--min-gpus 4 exceeds budget.max_gpus 2 in "), "\(run.errors)")
        #expect(!run.errors.contains("Usage:"), "a conflict is not a usage mistake")
    }

    /// The simulator's SLO flags default to the one SLO default the daemon and decide use.
    @Test("fulcrum-sim's SLO defaults are ServiceLevelObjective.default")
    func simulatorDefaults() throws {
        let help = try Self.runToCompletion(["run", "--help"]).output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let slo = ServiceLevelObjective.default
        for (flag, value) in [("--ttft", slo.ttftSeconds), ("--tpot", slo.tpotSeconds), ("--slo-percentile", slo.percentile)] {
            let section = try #require(help.range(of: "\(flag) <").map { String(help[$0.lowerBound...].prefix(220)) })
            #expect(section.contains("(default: \(value))"), "\(flag): \(section)")
        }
    }

    @Test("fulcrum-sim refuses a host KV tier it cannot model, naming the option and what it needs")
    func badHostTierOptions() throws {
        try Self.withFile("trace.csv", "arrival_s,input_tokens,output_tokens\n0,100,10\n") { trace in
            for (option, value, needs) in [("--host-kv-cache-gb", "-5", "must be a number from 0 to 1000000"), ("--host-kv-load-gbps", "0", "must be a number above 0 and at most 10000")] {
                let run = try Self.runToCompletion(["run", "--trace", trace.path, "\(option)=\(value)"])
                #expect(run.status != 0)
                #expect(run.errors.contains("\(option) \(value)") && run.errors.contains(needs), "\(run.errors)")
            }
        }
    }
}
