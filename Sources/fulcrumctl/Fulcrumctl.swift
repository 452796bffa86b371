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

            Exit status: 0 done; 1 fulcrumd refused the request, a drain it took was refused or \
            failed, or what answered on the socket is not fulcrumd; 64 bad usage; 69 fulcrumd \
            cannot be reached; 75 fulcrumd did not answer within --timeout, or closed the \
            connection before answering (a change may still have been made); 77 no permission on \
            the socket.
            """,
        subcommands: [
            StatusCommand.self, WorkersCommand.self, ExplainCommand.self, OverrideCommand.self,
            PauseCommand.self, ResumeCommand.self, DrainCommand.self, ReconcileCommand.self,
            ReloadCommand.self, TakeOverCommand.self, ProbeCommand.self,
        ]
    )

    /// The shared options, so they may also stand before the verb; each verb reads its own copy.
    @OptionGroup var options: DaemonOptions
}
