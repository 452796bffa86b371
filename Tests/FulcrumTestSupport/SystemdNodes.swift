import Foundation
import Testing

/// Private systemd user managers standing in for nodes, started and stopped through
/// scripts/with-systemd-user (its --start/--stop mode), so tests and CI share one recipe.
/// A test kit shared by the systemd and daemon test targets.
public final class SystemdNodes: @unchecked Sendable {
    public let environment: [String: String]
    public let state: String
    public let count: Int

    /// The repository root (this file is Tests/FulcrumTestSupport/SystemdNodes.swift).
    public static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let script = repository.appendingPathComponent("scripts/with-systemd-user").path
    public static let unitEnv = repository.appendingPathComponent("systemd/fulcrum-unit-env").path

    private init(environment: [String: String], count: Int) throws {
        self.environment = environment
        self.count = count
        self.state = try #require(environment["FULCRUM_SYSTEMD_STATE"])
    }

    public static func start(count: Int, units: String) throws -> SystemdNodes {
        let result = try run(script, ["--start", "--nodes", "\(count)", "--units", units])
        guard result.status == 0 else {
            throw Failure("with-systemd-user --start failed (\(result.status)): \(result.output)")
        }
        var environment: [String: String] = [:]
        for line in result.output.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            environment[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return try SystemdNodes(environment: environment, count: count)
    }

    public func bus(_ node: Int) -> String { environment["FULCRUM_NODE\(node)_BUS"]! }
    public func runtimeDirectory(_ node: Int) -> String { environment["FULCRUM_NODE\(node)_RUNTIME_DIR"]! }

    /// `systemctl --user ARGS` against one node.
    @discardableResult
    public func systemctl(_ node: Int, _ arguments: String...) throws -> (status: Int32, output: String) {
        try Self.run("/usr/bin/systemctl", ["--user"] + arguments, environment: ["XDG_RUNTIME_DIR": runtimeDirectory(node)])
    }

    public func property(_ node: Int, _ unit: String, _ name: String) throws -> String {
        try systemctl(node, "show", "-p", name, "--value", unit).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Stops one node's manager (and with it its units), as a node going away.
    public func stopNode(_ node: Int) throws {
        try systemctl(node, "exit")
    }

    public func stop() {
        _ = try? Self.run(Self.script, ["--stop", state])
    }

    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

public struct Failure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Polls `condition` with backoff until it holds or `timeout` passes: for state that has no
/// signal to await (a process gone, a port open).
/// Waits for `condition`; `what` is only built on failure, so it may carry a log read then.
public func eventually(_ what: @autoclosure () -> String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    var delay = Duration.milliseconds(10)
    while true {
        if try await condition() { return }
        guard clock.now < deadline else { throw Failure("timed out after \(timeout) waiting for \(what())") }
        try await Task.sleep(for: delay)
        delay = min(delay * 2, .milliseconds(500))
    }
}
