import ArgumentParser
import Foundation
import AsyncHTTPClient
import FulcrumEmu
import FulcrumFileInput
import FulcrumTraces
import UnixSignals

struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Replay a trace as streaming HTTP requests and report TTFT, TPOT and every failure.",
        discussion: "Exits 1 when any request failed (HTTP error, refused or reset connection, missing [DONE], fewer tokens than max_tokens). Ctrl-C (or SIGTERM) stops the replay: the requests in flight are cut and counted as interrupted, the report (and --json) covers what was sent, and the exit status is 130."
    )

    @Option(help: "Base URL of the router or a worker, e.g. http://127.0.0.1:8000.")
    var target: String

    @Option(help: "Trace file (azure, mooncake, burstgpt or Fulcrum CSV; detected from its first line).")
    var trace: String

    @Option(help: "Replay this many times faster (arrivals divided by K).")
    var speedup: Double = 1

    @Option(help: "Send only requests due in the first S seconds of the (sped-up) replay.")
    var duration: Double?

    @Option(help: "Most requests in flight; later ones queue and their wait counts in TTFT.")
    var concurrency: Int = 256

    @Option(help: "Model name to send.")
    var model: String?

    @Option(help: "Write the report as JSON here.")
    var json: String?

    func run() async throws {
        guard speedup.isFinite, (0.001...1_000_000).contains(speedup) else {
            throw CommandFailure("--speedup \(speedup) must be from 0.001 to 1000000; pass e.g. 10.")
        }
        guard concurrency >= 1 else {
            throw CommandFailure("--concurrency \(concurrency) is below 1; pass at least 1.")
        }
        var requests = try TraceReader.read(path: trace).requests
        do {
            requests = try TraceTransform.speedup(speedup).apply(to: requests)
            if let duration {
                guard duration.isFinite, duration > 0 else {
                    throw CommandFailure("--duration \(duration) is not a positive number of seconds; pass e.g. 60.")
                }
                requests = requests.filter { $0.arrival < duration }
            }
        } catch let error as TraceTransformError {
            throw CommandFailure("--speedup \(speedup): \(error); pass a positive factor.")
        }
        if let json {
            do { try OutputFile.checkWritable(json) } catch { throw CommandFailure("--json: \(error); pass a writable path.") }
        }
        let generator = LoadGenerator(target: target, requests: requests, concurrency: concurrency, model: model)
        let client = HTTPClientService.makeClient()
        let report: LoadReport
        do {
            try await generator.checkReachable(client: client)
            report = await Self.replayUntilInterrupted(generator, client: client)
        } catch {
            try? await client.shutdown()
            throw CommandFailure(error.message)
        }
        try await client.shutdown()
        print(report.text)
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            do {
                try OutputFile.write(try encoder.encode(report), to: json)
            } catch {
                throw CommandFailure("--json: \(error); pass a writable path.")
            }
        }
        if report.interrupted { throw ExitCode(130) }
        if report.failed > 0 { throw ExitCode(1) }
    }

    /// The replay, stopped by the first SIGINT or SIGTERM: what was sent is still reported.
    private static func replayUntilInterrupted(_ generator: LoadGenerator, client: HTTPClient) async -> LoadReport {
        await withTaskGroup(of: LoadReport?.self) { group in
            group.addTask { try? await generator.run(client: client) }
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) { break }
                return nil
            }
            var report: LoadReport?
            while report == nil, let finished = await group.next() {
                report = finished
                group.cancelAll()
            }
            return report ?? LoadReport(target: generator.target, outcomes: [], notSent: generator.requests.count, durationSeconds: 0)
        }
    }
}
