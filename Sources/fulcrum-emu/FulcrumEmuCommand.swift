import ArgumentParser

@main
struct FulcrumEmuCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fulcrum-emu",
        abstract: "An emulated disaggregated LLM cluster: workers, a router and a load generator that speak HTTP like the real ones.",
        subcommands: [WorkerCommand.self, RouterCommand.self, LoadCommand.self, FleetCommand.self]
    )
}

/// A flag, file or address the command cannot use, found once it runs: printed as its one
/// sentence with exit status 1. (A `ValidationError` thrown from `run()` would add the
/// top-level usage, which names no subcommand and says nothing about the problem.)
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
