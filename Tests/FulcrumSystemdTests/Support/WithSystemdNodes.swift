import Foundation
import FulcrumTestSupport

/// Runs `body` with `count` managers whose unit folder holds `units`; stops them and
/// everything they started afterwards, whether `body` succeeded or not.
func withSystemdNodes<T>(_ count: Int = 1, units: UnitFixture, _ body: (SystemdNodes) async throws -> T) async throws -> T {
    let folder = try units.write()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let nodes = try SystemdNodes.start(count: count, units: folder)
    do {
        let result = try await body(nodes)
        nodes.stop()
        return result
    } catch {
        nodes.stop()
        throw error
    }
}

