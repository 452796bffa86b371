import FulcrumConfiguration
import ArgumentParser
import FulcrumDaemon
import Foundation

struct FulcrumdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fulcrumd",
        abstract: "Keep a disaggregated LLM deployment's prefill and decode workers rate-matched, through systemd.",
        discussion: """
            Reads its configuration (docs/configuration.md), polls every worker's metrics, decides the \
            prefill:decode split each tick and starts or drains worker units through systemd's D-Bus API. \
            SIGHUP reloads the configuration; SIGTERM stops fulcrumd and leaves every worker running.
            """
    )

    @Option(name: .shortAndLong, help: "Configuration file.")
    var config: String = "/etc/fulcrum/fulcrum.yaml"

    @Flag(help: "Validate the configuration file, print every problem, and exit.")
    var check = false

    @Flag(name: .customLong("dry-run"), help: "Decide and log the exact systemd calls, make none (overrides the file).")
    var dryRun = false

    func run() async throws {
        var configuration: DaemonConfiguration
        do {
            configuration = try DaemonConfiguration.load(path: config)
        } catch {
            FileHandle.standardError.write(Data("fulcrumd: \(error)\n".utf8))
            throw ExitCode(78) // EX_CONFIG: systemd shows it as a configuration failure
        }
        if dryRun { configuration.dryRun = true }
        if check {
            let coordination = configuration.coordination.map {
                "; coordinated through etcd (\($0.endpoints.joined(separator: ", "))) under \($0.prefix) as \($0.name), lease \(Int($0.leaseTTL.inSeconds)) s"
            } ?? ""
            print("\(config): valid; \(configuration.nodes.count) node(s), \(configuration.nodes.reduce(0) { $0 + $1.gpus.count }) GPU(s), budget \(configuration.controller.placement.maxTotalGPUs)\(coordination)")
            return
        }
        Daemon.bootstrapLogging()
        try await Daemon(configurationPath: config, configuration: configuration, forceDryRun: dryRun).run()
    }
}
