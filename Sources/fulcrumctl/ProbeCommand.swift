import ArgumentParser
import Foundation
import FulcrumTelemetry

struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Fetch a worker's or frontend's metrics (or read a file) and show what Fulcrum reads from it.",
        discussion: """
            Exit status: 0 when every required signal was found, 1 when the input could not be \
            read or parsed, no engine was recognised, or a required signal is missing.
            """
    )

    @Argument(help: "An http:// or https:// metrics URL, a file with an exposition, or - for standard input.")
    var input: String

    @Option(help: "auto, \(EnginePreset.builtIn.map(\.name).joined(separator: ", ")), dynamo-frontend, or a custom mapping JSON file.")
    var preset: String = "auto"

    /// `--json` and `--timeout` (here: for a URL, body included; default 10 s) are the shared
    /// options, so they may also stand before the verb.
    @OptionGroup var options: DaemonOptions

    var json: Bool { options.json }
    var timeout: Double { options.timeout ?? 10 }

    func validate() throws {
        _ = try ProbeTarget(preset)
    }

    func run() async throws {
        let target = try ProbeTarget(preset)
        let report: ProbeReport
        // Messages name the input; "-" alone would read oddly in a sentence.
        let name = input == "-" ? "standard input" : input
        switch await ProbeSource.load(input, timeout: timeout) {
        case .success(let loaded):
            report = ProbeReport.build(input: name, loaded: loaded, target: target)
        case .failure(let failure):
            report = ProbeReport(input: name, error: failure.message)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(ProbeReportRenderer.render(report), terminator: "")
        }
        if let error = report.error {
            FileHandle.standardError.write(Data("fulcrumctl: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
