import ArgumentParser
import Foundation
import FulcrumEmu
import FulcrumTraces

struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Replay a trace as streaming HTTP requests and report TTFT, TPOT and every failure.",
        discussion: "Exits 1 when any request failed (HTTP error, refused or reset connection, missing [DONE], fewer tokens than max_tokens)."
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
            throw ValidationError("--speedup \(speedup) must be from 0.001 to 1000000; pass e.g. 10.")
        }
        guard concurrency >= 1 else {
            throw ValidationError("--concurrency \(concurrency) is below 1; pass at least 1.")
        }
        var requests = try TraceReader.read(path: trace).requests
        do {
            requests = try TraceTransform.speedup(speedup).apply(to: requests)
            if let duration {
                guard duration.isFinite, duration > 0 else {
                    throw ValidationError("--duration \(duration) is not a positive number of seconds; pass e.g. 60.")
                }
                requests = requests.filter { $0.arrival < duration }
            }
        } catch let error as TraceTransformError {
            throw ValidationError("--speedup \(speedup): \(error); pass a positive factor.")
        }
        let generator = LoadGenerator(target: target, requests: requests, concurrency: concurrency, model: model)
        let client = HTTPClientService.makeClient()
        let report: LoadReport
        do {
            report = try await generator.run(client: client)
        } catch {
            try? await client.shutdown()
            throw ValidationError(error.message)
        }
        try await client.shutdown()
        print(report.text)
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            do {
                try encoder.encode(report).write(to: URL(fileURLWithPath: json))
            } catch {
                throw ValidationError("cannot write the JSON report to \(json) (\(error.localizedDescription)); pass a writable path.")
            }
        }
        if report.failed > 0 { throw ExitCode(1) }
    }
}
