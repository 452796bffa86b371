import ArgumentParser

@main
struct FulcrumSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fulcrum-sim",
        abstract: "Replay LLM request traces through a simulated disaggregated cluster and compare scaling policies."
    )
}
