import Foundation
import FulcrumCore
import FulcrumTelemetry
import Testing
@testable import FulcrumEmu

/// `fulcrum-emu` as a user runs it: real processes, real sockets.
@Suite(.timeLimit(.minutes(2))) struct EmuCommandLineTests {
    @Test("Ctrl-C stops the replay, and the report and JSON still cover what was sent, with exit status 130")
    func interruptReportsWhatWasSent() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // 200 requests over 20 s, each about 200 steps of ~7.5 ms: SIGINT lands with some
        // finished, some in flight and most not yet due.
        let trace = try folder.trace((0..<200).map { "\(Double($0) * 0.1),100,200" })
        let worker = try ChildWorker.launch(["worker", "--role", "decode", "--listen", "127.0.0.1:0", "--engine", "vllm", "--time-scale", "1"])
        defer { worker.killIfRunning() }
        let target = "http://127.0.0.1:\(try await worker.listeningPort())"

        let load = try EmuRun(["load", "--target", target, "--trace", trace, "--json", folder.path + "/out/report.json"])
        defer { load.kill() }
        try await TestCluster.withClient { client in
            try await waitUntil {
                let text = try await TestCluster.get(target + "/metrics", client: client).body
                let telemetry = try TelemetryMapper.worker(text, preset: .vllm, scrapedAt: Timestamp(seconds: 0)).telemetry
                return (telemetry?.requestsFinished ?? 0) >= 3 && (telemetry?.requestsRunning ?? 0) >= 2
            }
        }
        load.signal(SIGINT)
        let (status, output, _) = try await load.finish(timeout: .seconds(30))

        #expect(status == 130)
        #expect(output.contains("not sent (interrupted)"), "\(output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.path + "/out/report.json"))) as? [String: Any])
        let sent = try #require(json["sent"] as? Int)
        let notSent = try #require(json["not_sent"] as? Int)
        let failures = try #require(json["failures"] as? [String: Int])
        #expect(json["interrupted"] as? Bool == true)
        #expect(sent + notSent == 200)
        #expect(notSent > 0 && sent >= 5)
        #expect((json["succeeded"] as? Int ?? 0) >= 3)
        // Cut by the load generator itself, not reported as the worker's failures.
        #expect(failures.keys.allSatisfy { $0 == "interrupted" }, "\(failures)")
        #expect(failures["interrupted", default: 0] >= 1)
    }

    @Test("a target nothing listens on fails at once in one sentence, before any replay")
    func deadTargetFailsAtOnce() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let trace = try folder.trace(["0,10,10", "600,10,10"])
        let load = try EmuRun(["load", "--target", "http://127.0.0.1:1", "--trace", trace])
        defer { load.kill() }
        // The second request is due 600 s in: only a check before the replay ends this early.
        let (status, _, errors) = try await load.finish(timeout: .seconds(60))
        #expect(status == 1)
        #expect(errors.contains("nothing answers HTTP at --target http://127.0.0.1:1 (connection refused)"), "\(errors)")
        #expect(!errors.contains("Usage:"), "\(errors)")
    }

    @Test("a --json path that cannot be written is refused before any request")
    func unwritableJSONRefusedFirst() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let trace = try folder.trace(["0,10,10"])
        let load = try EmuRun(["load", "--target", "http://127.0.0.1:1", "--trace", trace, "--json", folder.path])
        defer { load.kill() }
        let (status, _, errors) = try await load.finish(timeout: .seconds(60))
        #expect(status == 1)
        #expect(errors.contains("--json: \(folder.path) cannot be written: it is a directory"), "\(errors)")
    }
}

extension EmuCommandLineTests {
    @Test("a worker or router whose port is taken says which address, in one sentence", arguments: ["worker", "router"])
    func portInUseNamed(_ command: String) async throws {
        let taken = try ListeningSocket()
        defer { taken.close() }
        let address = "127.0.0.1:\(taken.port)"
        let arguments = command == "worker" ? ["worker", "--role", "decode", "--listen", address] : ["router", "--listen", address]
        let run = try EmuRun(arguments)
        defer { run.kill() }
        let (status, _, errors) = try await run.finish(timeout: .seconds(60))
        #expect(status == 1)
        #expect(errors.contains("cannot listen on \(address) (address already in use)"), "\(errors)")
        #expect(!errors.contains("bind(descriptor"), "\(errors)")
    }
}

/// A TCP socket listening on a port the kernel picked, holding it for a test.
private struct ListeningSocket {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && listen(descriptor, 1) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else { throw RequestError("cannot bind a test socket (errno \(errno))") }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() {
        _ = Glibc.close(descriptor)
    }
}

/// A `fulcrum-emu` command run to its end, its output and errors captured.
private final class EmuRun: @unchecked Sendable {
    private let process = Process()
    private let output = Pipe()
    private let errors = Pipe()

    init(_ arguments: [String]) throws {
        process.executableURL = try ChildWorker.executable()
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = errors
        try process.run()
    }

    func signal(_ number: Int32) {
        Foundation.kill(process.processIdentifier, number)
    }

    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits for the exit; the pipes are read as it runs, so a full pipe never blocks it.
    func finish(timeout: Duration) async throws -> (status: Int32, output: String, errors: String) {
        let readOutput = Task.detached { [output] in String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        let readErrors = Task.detached { [errors] in String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill()
                throw RequestError("fulcrum-emu \(process.arguments ?? []) still runs after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return (process.terminationStatus, await readOutput.value, await readErrors.value)
    }
}

/// A folder under the temporary directory, removed by `remove()`.
private struct TemporaryFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("fulcrum-load-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes trace.csv (Fulcrum CSV) with these rows and returns its path.
    func trace(_ rows: [String]) throws -> String {
        let file = path + "/trace.csv"
        try (["arrival_s,input_tokens,output_tokens"] + rows).joined(separator: "\n").appending("\n").write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }
}
