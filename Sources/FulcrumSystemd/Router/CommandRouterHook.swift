import Foundation

/// Runs an executable, without a shell, for each registration change:
///
///     <executable> register|deregister <worker id> <role> <url> <node> <gpus comma list> <unit>
///
/// with the same in `FULCRUM_EVENT`, `FULCRUM_WORKER_ID`, `FULCRUM_ROLE`, `FULCRUM_URL`,
/// `FULCRUM_NODE`, `FULCRUM_GPUS`, `FULCRUM_UNIT`. A non-zero exit is a failure.
public struct CommandRouterHook: RouterHook {
    public let executable: String

    public init(executable: String) {
        self.executable = executable
    }

    public func register(_ worker: WorkerEndpoint) async throws { try await run("register", worker) }
    public func deregister(_ worker: WorkerEndpoint) async throws { try await run("deregister", worker) }

    private func run(_ event: String, _ worker: WorkerEndpoint) async throws {
        let gpus = worker.gpus.map(String.init).joined(separator: ",")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [event, worker.id.rawValue, worker.role.rawValue, worker.url, worker.node, gpus, worker.unit]
        var environment = ProcessInfo.processInfo.environment
        environment["FULCRUM_EVENT"] = event
        environment["FULCRUM_WORKER_ID"] = worker.id.rawValue
        environment["FULCRUM_ROLE"] = worker.role.rawValue
        environment["FULCRUM_URL"] = worker.url
        environment["FULCRUM_NODE"] = worker.node
        environment["FULCRUM_GPUS"] = gpus
        environment["FULCRUM_UNIT"] = worker.unit
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: ActuatorError(.routerHook, "The router hook \(executable) could not be run (\(error.localizedDescription)); check that it exists and is executable."))
            }
        }
        guard status == 0 else {
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile().prefix(300), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw ActuatorError(.routerHook, "The router hook \(executable) exited \(status) on \(event) of \(worker.id)\(text.isEmpty ? "" : " (\(text))"); fix the hook or its arguments.")
        }
    }
}
