import ArgumentParser
import Foundation
import FulcrumCore
import FulcrumEmu
import Logging
import ServiceLifecycle

struct RouterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "router",
        abstract: "Run the disaggregated router: prefill, then decode, streaming the decode tokens back.",
        discussion: "Workers come from --worker/--worker-type pairs and from the admin API (POST /workers, GET /workers, DELETE /workers/{url-encoded})."
    )

    @Option(help: "HOST:PORT to listen on (port 0 picks a free port).")
    var listen: String

    @Option(help: "A worker base URL, e.g. http://127.0.0.1:8001; repeat, each followed by --worker-type.")
    var worker: [String] = []

    @Option(help: "prefill or decode, one per --worker in the same order.")
    var workerType: [String] = []

    @Option(help: "Seconds a request waits for a worker of a phase before a 503.")
    var workerWait: Double = 5

    @Option(help: "Model name for the frontend metrics' model label.")
    var model: String = "fulcrum-emu"

    func run() async throws {
        guard worker.count == workerType.count else {
            throw CommandFailure("got \(worker.count) --worker and \(workerType.count) --worker-type options; give one --worker-type (prefill or decode) per --worker.")
        }
        var registrations: [WorkerRegistration] = []
        for (url, type) in zip(worker, workerType) {
            guard let role = Role(rawValue: type) else {
                throw CommandFailure("--worker-type \(type) for \(url) is not prefill or decode; pass one of those.")
            }
            registrations.append(WorkerRegistration(url: url, role: role))
        }
        guard workerWait.isFinite, (0...86_400).contains(workerWait) else {
            throw CommandFailure("--worker-wait \(workerWait) must be from 0 to 86400 seconds; pass e.g. 5.")
        }
        let address: ListenAddress
        do { address = try ListenAddress(parsing: listen) } catch { throw CommandFailure(error.message) }
        let configuration = RouterConfiguration(listen: address, workers: registrations, workerWait: .seconds(workerWait), model: model)
        var logger = Logger(label: "fulcrum-emu.router")
        logger.logLevel = .warning
        let workerCount = registrations.count
        let group: ServiceGroup
        do {
            group = try await RouterServer.serviceGroup(configuration: configuration, logger: logger) { port in
                let host = address.host.contains(":") ? "[\(address.host)]" : address.host
                FileHandle.standardOutput.write(Data("fulcrum-emu router: \(workerCount) workers, listening on http://\(host):\(port)\n".utf8))
            }
        } catch {
            throw CommandFailure(error.message)
        }
        do { try await group.run() } catch { throw ListenFailure.wrapping(error, address: listen) }
    }
}
