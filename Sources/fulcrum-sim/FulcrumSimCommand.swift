import ArgumentParser
import FulcrumTraces

@main
struct FulcrumSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fulcrum-sim",
        abstract: "Replay LLM request traces through a simulated disaggregated cluster and compare scaling policies.",
        discussion: """
            Policies: fulcrum, static:P:D, dynamo-sla, dynamo-load, aiconfigurator, hindsight-mean (formerly oracle), hindsight-lead[:U].
            Built-in scenarios for 'generate': \(Scenario.builtinNames.joined(separator: ", ")).
            """,
        subcommands: [RunCommand.self, CompareCommand.self, FrontierCommand.self, GenerateCommand.self, ProfilesCommand.self, DecideCommand.self]
    )
}
