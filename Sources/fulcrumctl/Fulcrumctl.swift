import ArgumentParser

@main
struct Fulcrumctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fulcrumctl",
        abstract: "Inspect and steer a running fulcrumd.",
        discussion: """
            Talks to fulcrumd over its control socket (--socket, $FULCRUM_SOCKET, default \
            /run/fulcrum/control.sock); 'probe' works without a daemon. Shell completions: \
            fulcrumctl --generate-completion-script bash|zsh|fish.
            """,
        subcommands: [
            StatusCommand.self, WorkersCommand.self, ExplainCommand.self, OverrideCommand.self,
            PauseCommand.self, ResumeCommand.self, DrainCommand.self, ReconcileCommand.self,
            ReloadCommand.self, ProbeCommand.self,
        ]
    )

    /// The shared options, so they may also stand before the verb; each verb reads its own copy.
    @OptionGroup var options: DaemonOptions
}
