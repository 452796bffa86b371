import Foundation

/// A private sshd in front of test nodes' buses (scripts/with-sshd --start/--stop), so a test
/// can reach a manager through systemd's own remote transport, `sd_bus_open_system_remote`.
public final class SSHServer: Sendable {
    public let environment: [String: String]
    public let state: String

    public static let script = SystemdNodes.repository.appendingPathComponent("scripts/with-sshd").path

    private init(environment: [String: String]) throws {
        self.environment = environment
        guard let state = environment["FULCRUM_SSHD_STATE"] else { throw Failure("with-sshd printed no FULCRUM_SSHD_STATE") }
        self.state = state
    }

    /// Serves each bus address on its own port; fails with with-sshd's own sentence when
    /// openssh-server is missing (scripts/setup installs it).
    public static func start(buses: [String]) throws -> SSHServer {
        let result = try SystemdNodes.run(script, ["--start"] + buses.flatMap { ["--bus", $0] })
        guard result.status == 0 else { throw Failure("with-sshd --start failed (\(result.status)): \(result.output)") }
        var environment: [String: String] = [:]
        for line in result.output.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            environment[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return try SSHServer(environment: environment)
    }

    /// The `user@host:port` that reaches bus `index`.
    public func host(_ index: Int) throws -> String {
        guard let host = environment["FULCRUM_NODE\(index)_SSH_HOST"] else { throw Failure("with-sshd exported no host for node \(index)") }
        return host
    }

    /// The environment a client process needs: sd-bus runs `ssh` from PATH, and the wrapper
    /// first on it brings the key and known hosts.
    public func clientEnvironment() throws -> [String: String] {
        guard let bin = environment["FULCRUM_SSH_BIN_DIR"] else { throw Failure("with-sshd exported no FULCRUM_SSH_BIN_DIR") }
        return ["PATH": "\(bin):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")"]
    }

    public func stop() {
        _ = try? SystemdNodes.run(Self.script, ["--stop", state])
    }
}
