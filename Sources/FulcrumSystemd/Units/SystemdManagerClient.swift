import CSystemd
import Glibc

/// systemd's `org.freedesktop.systemd1.Manager` API over one `BusConnection`.
///
/// It subscribes (Subscribe) once, with matches for JobRemoved and for PropertiesChanged under
/// `/org/freedesktop/systemd1/unit` installed first, and publishes them on `events`: a crashed
/// unit is seen as soon as systemd notices, with no polling.
public final class SystemdManagerClient: Sendable {
    public let connection: BusConnection
    /// Job completions, unit property changes, then `.disconnected` once.
    public let events: AsyncStream<UnitEvent>
    private let jobs = JobTracker()

    static let destination = "org.freedesktop.systemd1"
    static let managerPath = "/org/freedesktop/systemd1"
    static let managerInterface = "org.freedesktop.systemd1.Manager"
    static let unitPathPrefix = "/org/freedesktop/systemd1/unit"

    private init(connection: BusConnection, events: AsyncStream<UnitEvent>) {
        self.connection = connection
        self.events = events
    }

    /// Connects, installs the signal matches and subscribes.
    public static func connect(_ endpoint: SystemdEndpoint, label: String) async throws -> SystemdManagerClient {
        let connection = try await BusConnection.open(endpoint, label: label)
        let (events, continuation) = AsyncStream.makeStream(of: UnitEvent.self)
        let client = SystemdManagerClient(connection: connection, events: events)
        let jobs = client.jobs
        connection.onClose { error in
            jobs.close(error)
            continuation.yield(.disconnected(error))
            continuation.finish()
        }
        do {
            try await connection.addMatch(
                "type='signal',sender='\(destination)',path='\(managerPath)',interface='\(managerInterface)',member='JobRemoved'"
            ) { reader, _ in
                do {
                    _ = try reader.uint32()
                    let path = try reader.string()
                    let unit = try reader.string()
                    let result = try reader.string()
                    let outcome = JobOutcome(path: path, unit: unit, result: result)
                    jobs.removed(outcome)
                    continuation.yield(.jobRemoved(outcome))
                } catch {}
            }
            try await connection.addMatch(
                "type='signal',sender='\(destination)',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',path_namespace='\(unitPathPrefix)'"
            ) { reader, header in
                guard let unit = Self.unitName(fromPath: header.path) else { return }
                do {
                    let interface = try reader.string()
                    let values = try reader.properties()
                    continuation.yield(.unitChanged(unit: unit, interface: interface, values: values))
                } catch {}
            }
            try await client.callManager("Subscribe")
        } catch {
            connection.close()
            throw error
        }
        return client
    }

    public func close() { connection.close() }

    // MARK: Jobs

    /// Queues a start job (`mode` as systemctl's --job-mode: `fail` refuses to replace a
    /// conflicting job). Returns the job path; await `waitForJob` for its outcome.
    public func startUnit(_ name: String, mode: String = "fail") async throws -> String {
        try await queueJob("StartUnit", name, mode)
    }

    public func stopUnit(_ name: String, mode: String = "fail") async throws -> String {
        try await queueJob("StopUnit", name, mode)
    }

    /// Waits for JobRemoved of a job this client queued.
    public func waitForJob(_ path: String) async throws -> JobOutcome {
        try await jobs.wait(for: path)
    }

    private func queueJob(_ member: String, _ name: String, _ mode: String) async throws -> String {
        let jobs = self.jobs
        let call = Self.managerCall(member, [.string(name), .string(mode)])
        return try await connection.call(call) { reader in
            let path = try reader.string()
            jobs.expect(path)
            return path
        }
    }

    // MARK: Other unit calls

    /// Sends `signal` to the unit's processes; `whom` is `main`, `control` or `all`.
    public func killUnit(_ name: String, whom: String = "all", signal: Int32) async throws {
        try await callManager("KillUnit", [.string(name), .string(whom), .int32(signal)])
    }

    public func resetFailedUnit(_ name: String) async throws {
        try await callManager("ResetFailedUnit", [.string(name)])
    }

    /// Units currently loaded whose names match `patterns` (shell globs), in any of `states`
    /// (load, active or sub states; empty means all).
    public func listUnitsByPatterns(states: [String] = [], patterns: [String]) async throws -> [UnitStatus] {
        let call = Self.managerCall("ListUnitsByPatterns", [.strings(states), .strings(patterns)])
        return try await connection.call(call) { reader in
            var units: [UnitStatus] = []
            guard try reader.enter("a", "(ssssssouso)") else { return units }
            while try reader.enter("r", "ssssssouso") {
                let name = try reader.string()
                _ = try reader.string()
                let load = try reader.string()
                let active = try reader.string()
                let sub = try reader.string()
                _ = try reader.string()
                _ = try reader.string()
                _ = try reader.uint32()
                _ = try reader.string()
                let job = try reader.string()
                try reader.exit()
                units.append(UnitStatus(name: name, loadState: load, activeState: active, subState: sub, jobPath: job))
            }
            try reader.exit()
            return units
        }
    }

    /// Reads the unit and service properties Fulcrum uses, one Properties.Get each, pipelined.
    public func unitProperties(_ name: String) async throws -> UnitProperties {
        let path = Self.unitPath(name)
        let wanted: [(String, String)] = [
            ("org.freedesktop.systemd1.Unit", "ActiveState"),
            ("org.freedesktop.systemd1.Unit", "SubState"),
            ("org.freedesktop.systemd1.Service", "Result"),
            ("org.freedesktop.systemd1.Service", "MainPID"),
            ("org.freedesktop.systemd1.Service", "ExecMainStartTimestamp"),
        ]
        let values = try await withThrowingTaskGroup(of: (String, BusValue).self) { group in
            for (interface, property) in wanted {
                group.addTask { (property, try await self.property(path: path, interface: interface, name: property)) }
            }
            var values: [String: BusValue] = [:]
            for try await (name, value) in group { values[name] = value }
            return values
        }
        var properties = UnitProperties()
        properties.merge(values)
        return properties
    }

    /// org.freedesktop.DBus.Properties.Get on any systemd object.
    public func property(path: String, interface: String, name: String) async throws -> BusValue {
        let call = BusMethodCall(
            destination: Self.destination, path: path, interface: "org.freedesktop.DBus.Properties",
            member: "Get", arguments: [.string(interface), .string(name)]
        )
        return try await connection.call(call) { reader in try reader.variant() }
    }

    /// org.freedesktop.DBus.Properties.GetAll on a unit.
    public func allProperties(unit name: String, interface: String) async throws -> [String: BusValue] {
        let call = BusMethodCall(
            destination: Self.destination, path: Self.unitPath(name), interface: "org.freedesktop.DBus.Properties",
            member: "GetAll", arguments: [.string(interface)]
        )
        return try await connection.call(call) { reader in try reader.properties() }
    }

    private func callManager(_ member: String, _ arguments: [BusArgument] = []) async throws {
        try await connection.call(Self.managerCall(member, arguments)) { _ in () }
    }

    /// The exact call a manager method makes: also what dry-run logs.
    public static func managerCall(_ member: String, _ arguments: [BusArgument]) -> BusMethodCall {
        BusMethodCall(destination: destination, path: managerPath, interface: managerInterface, member: member, arguments: arguments)
    }

    // MARK: Unit object paths

    /// The object path of a unit (systemd escapes every byte outside [A-Za-z0-9]).
    public static func unitPath(_ name: String) -> String {
        var encoded: UnsafeMutablePointer<CChar>?
        guard sd_bus_path_encode(unitPathPrefix, name, &encoded) >= 0, let encoded else { return unitPathPrefix + "/_" }
        defer { free(encoded) }
        return String(cString: encoded)
    }

    static func unitName(fromPath path: String) -> String? {
        var decoded: UnsafeMutablePointer<CChar>?
        guard sd_bus_path_decode(path, unitPathPrefix, &decoded) > 0, let decoded else { return nil }
        defer { free(decoded) }
        return String(cString: decoded)
    }
}
