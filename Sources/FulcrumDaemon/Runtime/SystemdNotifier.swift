import CSystemd
import Foundation

/// Talks to the service manager (READY=1, STATUS=, WATCHDOG=1, RELOADING=1, STOPPING=1)
/// through libsystemd's `sd_notify`. Without a manager (`NOTIFY_SOCKET` unset) it does nothing.
package struct SystemdNotifier: Sendable {
    package init() {}

    package var isActive: Bool { ProcessInfo.processInfo.environment["NOTIFY_SOCKET"].map { !$0.isEmpty } ?? false }

    /// Half of `WatchdogSec`, in seconds, when the manager asked this process for a watchdog.
    package static func watchdogInterval() -> Double? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return Double(usec) / 1e6 / 2
    }

    @discardableResult
    package func notify(_ assignments: [String]) -> Bool {
        let message = assignments.map { $0.replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n")
        return sd_notify(0, message) > 0
    }

    /// File descriptors passed by socket activation (`sd_listen_fds`), starting at 3.
    package static func activatedSockets() -> [Int32] {
        let count = sd_listen_fds(1)
        guard count > 0 else { return [] }
        return (0..<count).map { SD_LISTEN_FDS_START + $0 }
    }
}
