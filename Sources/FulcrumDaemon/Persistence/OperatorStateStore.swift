import Foundation
import Logging

/// Keeps `OperatorState` in one JSON file, replaced atomically on every change, so a restart
/// (a crash, an upgrade, `systemctl restart`) comes back with the operators' overrides, drains
/// and audit trail.
package struct OperatorStateStore: Sendable {
    package let path: String

    package init(path: String) {
        self.path = path
    }

    /// The default location: systemd's StateDirectory= when running under it, else
    /// /var/lib/fulcrum (what fulcrumd.service's StateDirectory=fulcrum gives).
    package static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let directory = environment["STATE_DIRECTORY"]?.split(separator: ":").first.map(String.init) ?? "/var/lib/fulcrum"
        return "\(directory)/state.json"
    }

    package struct LoadError: Error, CustomStringConvertible {
        package var description: String
    }

    /// The saved state, `nil` when there is none yet. A file that cannot be used is moved
    /// aside (kept for inspection, never overwritten) and reported as one sentence.
    package func load() throws(LoadError) -> OperatorState? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let problem: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let state = try JSONDecoder().decode(OperatorState.self, from: data)
            if state.version == OperatorState.currentVersion { return state }
            problem = "it is version \(state.version), this fulcrumd reads version \(OperatorState.currentVersion)"
        } catch {
            problem = "it is not a fulcrumd state file (\(error))"
        }
        let aside = "\(path).unreadable-\(Int(Date().timeIntervalSince1970))"
        let moved = (try? FileManager.default.moveItem(atPath: path, toPath: aside)) != nil
        throw LoadError(description: "The state file \(path) was not used because \(problem); starting without saved overrides\(moved ? ", the file is kept as \(aside)" : "").")
    }

    /// Writes `state` to a temporary file in the same folder, flushes it, then renames it over
    /// the old one: a crash mid-write leaves the old state, never half a file.
    package func save(_ state: OperatorState) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = try encoder.encode(state)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            if rename(temporary.path, path) != 0 {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}
