import ArgumentParser

@main
struct FulcrumEmuCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fulcrum-emu",
        abstract: "An emulated disaggregated LLM cluster: workers, a router and a load generator that speak HTTP like the real ones.",
        subcommands: [WorkerCommand.self, RouterCommand.self, LoadCommand.self, FleetCommand.self]
    )
}
