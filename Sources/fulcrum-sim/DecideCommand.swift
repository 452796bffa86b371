import ArgumentParser
import Foundation
import FulcrumConfiguration
import FulcrumCore
import FulcrumDecisionAPI
import FulcrumSim

/// `fulcrum-sim decide`: the controller as a filter, for orchestrators that are not fulcrumd.
struct DecideCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide",
        abstract: "Read cluster snapshots as JSON lines on stdin; write one decision per line on stdout.",
        discussion: """
            Each input line is one snapshot in schema version \(DecisionSchema.version) (docs/decision-api.md); \
            each output line is the decision for it, or {"error": ...} naming the field at fault, after which \
            the next line is served as usual. The controller's memory carries from line to line. \
            Settings come from a fulcrumd configuration file (--config; nodes and worker templates may be \
            left out), then --profile, then the flags below, later ones winning.
            """
    )

    @Option(help: "A fulcrumd configuration file (YAML); its slo, budget, workers.*.gpus_per_instance, stabilisation, estimation and priors apply.")
    var config: String?

    @Option(help: "Take the performance priors and the start-up time from this simulator profile (see 'fulcrum-sim profiles').")
    var profile: String?

    @Option(name: .customLong("ttft"), help: "TTFT target, seconds.")
    var ttftSeconds: Double?

    @Option(name: .customLong("tpot"), help: "TPOT (inter-token latency) target, seconds.")
    var tpotSeconds: Double?

    @Option(name: .customLong("slo-percentile"), help: "Share of requests that must meet both targets (0.5–0.9999).")
    var sloPercentile: Double?

    @Option(name: .customLong("max-gpus"), help: "GPU budget; default all GPUs of the snapshot's nodes.")
    var maxGPUs: Int?

    @Option(name: .customLong("min-gpus"), help: "Never shrink below this many GPUs.")
    var minGPUs: Int?

    @Option(name: .customLong("startup"), help: "Worker start-up time assumed until one is observed, seconds.")
    var startupSeconds: Double?

    func validate() throws {
        if let ttftSeconds, !(ttftSeconds > 0) { throw ValidationError("--ttft \(ttftSeconds) must be above 0 seconds, e.g. --ttft 2.") }
        if let tpotSeconds, !(tpotSeconds > 0) { throw ValidationError("--tpot \(tpotSeconds) must be above 0 seconds, e.g. --tpot 0.05.") }
        if let sloPercentile, !(0.5...0.9999).contains(sloPercentile) {
            throw ValidationError("--slo-percentile \(sloPercentile) must lie between 0.5 and 0.9999, e.g. 0.9.")
        }
        if let maxGPUs, maxGPUs < 1 { throw ValidationError("--max-gpus \(maxGPUs) must be at least 1.") }
        if let minGPUs, minGPUs < 0 { throw ValidationError("--min-gpus \(minGPUs) must be 0 or more.") }
        if let minGPUs, let maxGPUs, minGPUs > maxGPUs { throw ValidationError("--min-gpus \(minGPUs) exceeds --max-gpus \(maxGPUs); lower one of them.") }
        if let startupSeconds, !(startupSeconds > 0) { throw ValidationError("--startup \(startupSeconds) must be above 0 seconds, e.g. --startup 180.") }
    }

    func makeConfiguration() throws -> (controller: ControllerConfiguration, tickSeconds: Double) {
        var file = ControllerConfigurationFile.standard
        if let config {
            do {
                file = try ControllerConfigurationFile.load(path: config)
            } catch let error as ConfigurationError {
                throw ValidationError(error.description)
            }
        }
        var configuration = file.controller
        if let profile {
            let chosen = try Profile.named(profile)
            configuration.priors = chosen.priors
            configuration.placement.gpusPerInstance = chosen.gpusPerInstance
            configuration.estimation.startupPriorSeconds = chosen.startupSeconds
        }
        if let ttftSeconds { configuration.slo.ttftSeconds = ttftSeconds }
        if let tpotSeconds { configuration.slo.tpotSeconds = tpotSeconds }
        if let sloPercentile { configuration.slo.percentile = sloPercentile }
        if let maxGPUs { configuration.placement.maxTotalGPUs = maxGPUs }
        if let minGPUs { configuration.minTotalGPUs = minGPUs }
        if let startupSeconds { configuration.estimation.startupPriorSeconds = startupSeconds }
        return (configuration, file.tick.inSeconds)
    }

    func run() throws {
        let settings = try makeConfiguration()
        var session = DecisionSession(configuration: settings.controller, tickSeconds: settings.tickSeconds)
        let output = FileHandle.standardOutput
        while let line = readLine(strippingNewline: true) {
            guard let reply = session.respond(to: line) else { continue }
            // One write per reply and no buffering, so a caller blocked on reading the answer
            // gets it at once.
            output.write(Data((reply + "\n").utf8))
        }
    }
}
