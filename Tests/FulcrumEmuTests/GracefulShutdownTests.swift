import AsyncHTTPClient
import Foundation
import FulcrumCore
import FulcrumTelemetry
import FulcrumTraces
import Testing
@testable import FulcrumEmu

/// SIGTERM to a real `fulcrum-emu worker` process in the middle of a load.
@Suite(.timeLimit(.minutes(2))) struct GracefulShutdownTests {
    @Test func sigtermFinishesEveryAcceptedRequestThenExitsZero() async throws {
        let worker = try ChildWorker.launch(["worker", "--role", "decode", "--listen", "127.0.0.1:0", "--engine", "vllm", "--time-scale", "1"])
        defer { worker.killIfRunning() }
        let port = try await worker.listeningPort()
        let target = "http://127.0.0.1:\(port)"

        // 40 requests over 2 s, each about 60 steps of ~7.5 ms: SIGTERM lands with several in
        // flight and more still to come.
        let requests = TestCluster.trace(count: 40, spacing: 0.05, input: { _ in 100 }, output: { _ in 60 })
        let (report, exitStatus) = try await TestCluster.withClient { client in
            let load = Task { try await LoadGenerator(target: target, requests: requests, concurrency: 64).run(client: client) }
            try await waitUntil {
                let text = try await TestCluster.get(target + "/metrics", client: client).body
                let telemetry = try TelemetryMapper.worker(text, preset: .vllm, scrapedAt: Timestamp(seconds: 0)).telemetry
                return (telemetry?.requestsRunning ?? 0) >= 3
            }
            worker.terminate()
            let status = try await worker.exitStatus(timeout: .seconds(30))
            return (try await load.value, status)
        }

        #expect(exitStatus == 0)
        #expect(report.sent == 40)
        #expect(report.succeeded + report.failed == 40)
        // Every request the worker accepted streamed all its tokens; nothing was cut off.
        for outcome in report.outcomes {
            switch outcome.failure {
            case nil: #expect(outcome.tokens == 60)
            case .http(503)?, .connection?: break
            case let other?: Issue.record("request \(outcome.index) failed with \(other)")
            }
        }
        #expect(report.succeeded >= 3, "\(report.text)")
        // Requests due after SIGTERM were refused (503 while draining, then connection refused)
        // and reported as failed.
        #expect(report.failed >= 1, "\(report.text)")
        #expect(report.failures.keys.allSatisfy { $0 == "http_503" || $0 == "connection" })
    }
}

/// The `fulcrum-emu` binary built next to the test bundle, run as a child process.
// `Process` is not marked Sendable; the calls made on it here (isRunning, pid, status) are
// safe from any thread.
final class ChildWorker: @unchecked Sendable {
    let process: Process
    let output: Pipe

    static func executable() throws -> URL {
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL,
        ].map { $0.appendingPathComponent("fulcrum-emu") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw RequestError("no fulcrum-emu binary next to the tests (looked at \(candidates.map(\.path))); run swift build before swift test")
        }
        return found
    }

    static func launch(_ arguments: [String]) throws -> ChildWorker {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        return ChildWorker(process: process, output: output)
    }

    private init(process: Process, output: Pipe) {
        self.process = process
        self.output = output
    }

    /// Reads the start-up line, `... listening on http://HOST:PORT`.
    func listeningPort() async throws -> Int {
        let handle = output.fileHandleForReading
        let line = await Task.detached { () -> String in
            var bytes: [UInt8] = []
            while !bytes.contains(UInt8(ascii: "\n")) {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                bytes.append(contentsOf: chunk)
            }
            return String(decoding: bytes, as: UTF8.self)
        }.value
        guard let colon = line.split(separator: "\n").first?.lastIndex(of: ":"),
              let port = Int(line[line.index(after: colon)...].prefix { $0.isNumber })
        else {
            throw RequestError("fulcrum-emu worker printed \(line.debugDescription) instead of its listening address")
        }
        return port
    }

    func terminate() {
        kill(process.processIdentifier, SIGTERM)
    }

    func exitStatus(timeout: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                throw RequestError("fulcrum-emu worker still runs \(timeout) after SIGTERM")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(process.terminationReason == .exit)
        return process.terminationStatus
    }

    func killIfRunning() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
