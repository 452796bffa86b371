import Foundation
import Synchronization

/// Runs an executable, without a shell, for each registration change:
///
///     <executable> register|deregister <worker id> <role> <url> <node> <gpus comma list> <unit>
///
/// with the same in `FULCRUM_EVENT`, `FULCRUM_WORKER_ID`, `FULCRUM_ROLE`, `FULCRUM_URL`,
/// `FULCRUM_NODE`, `FULCRUM_GPUS`, `FULCRUM_UNIT`. A non-zero exit is a failure, and so is a
/// hook still running after `timeout` (it gets SIGTERM, then SIGKILL): a drain must never wait
/// forever on a router script.
public struct CommandRouterHook: RouterHook {
    public let executable: String
    public let timeout: Duration

    public init(executable: String, timeout: Duration = .seconds(30)) {
        self.executable = executable
        self.timeout = timeout
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
        // stderr goes to a file, not a pipe: a hook writing more than a pipe holds would block
        // on a reader that only reads after it exits.
        let errorsURL = FileManager.default.temporaryDirectory.appendingPathComponent("fulcrum-hook-\(UUID().uuidString).stderr")
        _ = FileManager.default.createFile(atPath: errorsURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorsURL) }
        let errors = try FileHandle(forWritingTo: errorsURL)
        defer { try? errors.close() }
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let watchdog = HookWatchdog()
        let limit = timeout
        let timer = Task {
            do { try await Task.sleep(for: limit) } catch { return }
            watchdog.expire(signal: SIGTERM)
            do { try await Task.sleep(for: .seconds(5)) } catch { return }
            watchdog.expire(signal: SIGKILL)
        }
        defer { timer.cancel() }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in
                watchdog.finished()
                continuation.resume(returning: finished.terminationStatus)
            }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: ActuatorError(.routerHook, "The router hook \(executable) could not be run (\(error.localizedDescription)); check that it exists and is executable."))
                return
            }
            watchdog.started(process.processIdentifier)
        }
        if watchdog.timedOut {
            throw ActuatorError(.routerHook, "The router hook \(executable) did not finish \(event) of \(worker.id) within \(timeout) and was stopped; make it faster or check what it waits on.")
        }
        guard status == 0 else {
            let text = String(decoding: ((try? Data(contentsOf: errorsURL)) ?? Data()).prefix(300), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw ActuatorError(.routerHook, "The router hook \(executable) exited \(status) on \(event) of \(worker.id)\(text.isEmpty ? "" : " (\(text))"); fix the hook or its arguments.")
        }
    }
}

/// Stops a hook that overstays its timeout, and never signals a process that has already
/// exited (whose pid may belong to someone else by then).
private final class HookWatchdog: Sendable {
    private struct State {
        var pid: pid_t?
        var finished = false
        var timedOut = false
    }

    private let state = Mutex(State())

    func started(_ pid: pid_t) { state.withLock { $0.pid = pid } }

    func finished() { state.withLock { $0.finished = true } }

    var timedOut: Bool { state.withLock { $0.timedOut } }

    func expire(signal: Int32) {
        state.withLock { state in
            guard let pid = state.pid, !state.finished else { return }
            state.timedOut = true
            kill(pid, signal)
        }
    }
}
