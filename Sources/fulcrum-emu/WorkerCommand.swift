import ArgumentParser
import Foundation
import FulcrumCore
import FulcrumEmu
import FulcrumSim
import Logging

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run one emulated prefill or decode worker (OpenAI /v1/completions, /metrics, /health)."
    )

    @Option(help: "prefill or decode.")
    var role: String

    @Option(help: "HOST:PORT to listen on (port 0 picks a free port; the line printed at start names it).")
    var listen: String

    @Option(help: "Whose metric names to serve: vllm or sglang.")
    var engine: String = "vllm"

    @Option(help: "Built-in profile name or profile YAML file (see fulcrum-sim profiles).")
    var profile: String = "llama3-8b-h100"

    @Option(help: "Run this many times faster than the modelled hardware.")
    var timeScale: Double = 1

    @Option(help: "Served model name; the profile's model by default.")
    var model: String?

    func run() async throws {
        let configuration = try makeConfiguration()
        var logger = Logger(label: "fulcrum-emu.worker")
        logger.logLevel = .warning
        let group = WorkerServer.serviceGroup(configuration: configuration, logger: logger) { port in
            let host = configuration.listen.host.contains(":") ? "[\(configuration.listen.host)]" : configuration.listen.host
            // Written straight to the file descriptor: a parent reading the port must not wait for a buffer flush.
            FileHandle.standardOutput.write(Data("fulcrum-emu worker: \(configuration.role) (\(configuration.flavor), \(configuration.profile.name), time scale \(configuration.timeScale)) listening on http://\(host):\(port)\n".utf8))
        }
        do { try await group.run() } catch { throw ListenFailure.wrapping(error, address: listen) }
        print("fulcrum-emu worker: drained and stopped")
    }

    func makeConfiguration() throws -> WorkerConfiguration {
        guard let role = Role(rawValue: role) else {
            throw CommandFailure("--role \(self.role) is not a worker role; pass prefill or decode.")
        }
        guard let flavor = EngineFlavor(rawValue: engine) else {
            throw CommandFailure("--engine \(engine) is not supported; pass vllm or sglang.")
        }
        let address: ListenAddress
        do { address = try ListenAddress(parsing: listen) } catch { throw CommandFailure(error.message) }
        let loaded: Profile
        do {
            loaded = try Profile.named(profile)
        } catch {
            throw CommandFailure("--profile \(profile) is neither a built-in profile (\(Profile.builtins.keys.sorted().joined(separator: ", "))) nor a readable profile file: \(error)")
        }
        let configuration = WorkerConfiguration(role: role, flavor: flavor, listen: address, profile: loaded, timeScale: timeScale, model: model)
        do { try configuration.validate() } catch { throw CommandFailure(error.message) }
        return configuration
    }
}
