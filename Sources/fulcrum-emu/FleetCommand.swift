import ArgumentParser
import Foundation
import FulcrumCore
import FulcrumEmu

struct FleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Serve a whole fleet's worker metrics from one process, for running fulcrumd (and Prometheus) at fleet size.",
        discussion: """
            Every port in --prefill-ports and --decode-ports answers GET /metrics as a vLLM worker of that role. Fleet-wide \
            demand swings between the two levels of each --*-tokens-per-s range over --period seconds, and is divided among \
            the ports of a role scraped within --active-window seconds (the workers that exist), so scaling the fleet does \
            not change the demand it sees.
            """
    )

    @Option(help: "Ports answering as prefill workers, FIRST-LAST (e.g. 20000-20999).")
    var prefillPorts: String

    @Option(help: "Ports answering as decode workers, FIRST-LAST.")
    var decodePorts: String

    @Option(help: "Fleet-wide prompt tokens per second, TROUGH:PEAK.")
    var promptTokensPerS: String

    @Option(help: "Fleet-wide generated tokens per second, TROUGH:PEAK.")
    var generatedTokensPerS: String

    @Option(help: "Seconds from trough to trough.")
    var period: Double = 300

    @Option(help: "A port scraped within this many seconds counts as a live worker (about two scrape intervals).")
    var activeWindow: Double = 12

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    func run() async throws {
        var ports: [Int: Role] = [:]
        for port in try Self.range(prefillPorts, option: "--prefill-ports") { ports[port] = .prefill }
        for port in try Self.range(decodePorts, option: "--decode-ports") {
            guard ports[port] == nil else { throw CommandFailure("port \(port) is in both --prefill-ports and --decode-ports; give the roles disjoint ranges.") }
            ports[port] = .decode
        }
        guard period.isFinite, period > 0, activeWindow.isFinite, activeWindow > 0 else {
            throw CommandFailure("--period and --active-window must be positive numbers of seconds.")
        }
        let schedule = SyntheticFleet.Schedule(promptTokens: try Self.levels(promptTokensPerS, option: "--prompt-tokens-per-s"),
                                               generatedTokens: try Self.levels(generatedTokensPerS, option: "--generated-tokens-per-s"),
                                               periodSeconds: period)
        let fleet = SyntheticFleet(schedule: schedule, activeWindowSeconds: activeWindow)
        let count = ports.count
        try await FleetServer.run(fleet: fleet, ports: ports, host: host) {
            FileHandle.standardOutput.write(Data("fulcrum-emu fleet: \(count) ports listening\n".utf8))
        }
    }

    static func range(_ text: String, option: String) throws -> ClosedRange<Int> {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2, parts[0] > 0, parts[0] <= parts[1], parts[1] < 65536 else {
            throw CommandFailure("\(option) \(text) is not a port range FIRST-LAST like 20000-20999; pass one.")
        }
        return parts[0]...parts[1]
    }

    static func levels(_ text: String, option: String) throws -> ClosedRange<Double> {
        let parts = text.split(separator: ":").compactMap { Double($0) }
        // Bounded: a rate of 1e300 trapped on the first scrape.
        guard parts.count == 2, parts.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1e9 }), parts[0] <= parts[1] else {
            throw CommandFailure("\(option) \(text) is not TROUGH:PEAK tokens per second up to 1e9, like 200000:600000; pass one.")
        }
        return parts[0]...parts[1]
    }
}
