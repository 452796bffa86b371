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

    @Option(name: .customLong("slo-percentile"), help: "Share of requests that must meet both targets (\(SettingRules.sloPercentile.lowerBound) to \(SettingRules.sloPercentile.upperBound)).")
    var sloPercentile: Double?

    @Option(name: .customLong("max-gpus"), help: "GPU budget; default all GPUs of the snapshot's nodes.")
    var maxGPUs: Int?

    @Option(name: .customLong("min-gpus"), help: "Never shrink below this many GPUs.")
    var minGPUs: Int?

    @Option(name: .customLong("startup"), help: "Worker start-up time assumed until one is observed, seconds.")
    var startupSeconds: Double?

    func validate() throws {
        try SettingFlags.checkSeconds(ttftSeconds, flag: "--ttft")
        try SettingFlags.checkSeconds(tpotSeconds, flag: "--tpot")
        try SettingFlags.checkSeconds(startupSeconds, flag: "--startup")
        try SettingFlags.checkPercentile(sloPercentile)
        try SettingFlags.checkGPUs(maxGPUs, flag: "--max-gpus", within: SettingRules.maxGPUs)
        try SettingFlags.checkGPUs(minGPUs, flag: "--min-gpus", within: SettingRules.minGPUs)
    }

    /// The file, then the profile, then the flags; the budget is checked once all three apply,
    /// since any of them may have set one side of a conflict.
    func makeConfiguration() throws -> (controller: ControllerConfiguration, tickSeconds: Double) {
        let file = try config.map { try ControllerConfigurationFile.load(path: $0) } ?? .standard
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
        if let conflict = SettingRules.budgetConflicts(of: configuration).first {
            throw CommandFailure(description: describe(conflict, in: configuration))
        }
        return (configuration, file.tick.inSeconds)
    }

    private func describe(_ conflict: SettingRules.BudgetConflict, in configuration: ControllerConfiguration) -> String {
        let budget = maxGPUs.map { "--max-gpus \($0)" } ?? "budget.max_gpus \(configuration.placement.maxTotalGPUs) in \(config ?? "the configuration")"
        switch conflict {
        case let .minimumAboveBudget(minimum, _):
            let floor = minGPUs.map { "--min-gpus \($0)" } ?? "budget.min_gpus \(minimum) in \(config ?? "the configuration")"
            return "\(floor) exceeds \(budget); lower the one or raise the other."
        case let .roleMinimumsAboveBudget(needed, _):
            let minimums = configuration.minInstances
            let perInstance = configuration.placement.gpusPerInstance
            return "One prefill and one decode instance at their minimum counts (\(minimums.prefill) × \(perInstance.prefill) GPUs + \(minimums.decode) × \(perInstance.decode) GPUs\(profile.map { ", sizes from --profile \($0)" } ?? "")) need \(needed) GPUs, more than \(budget); raise the budget."
        }
    }

    func run() throws {
        let settings: (controller: ControllerConfiguration, tickSeconds: Double)
        do {
            settings = try makeConfiguration()
        } catch {
            // Bad settings are a usage error (64, as for a bad flag), told before any input is read.
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(64)
        }
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
