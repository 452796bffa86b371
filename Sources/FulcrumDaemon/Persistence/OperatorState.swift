import FulcrumCore

/// What operators told the daemon and must not be lost with the process: overrides (with their
/// expiry), workers drained by hand, and the audit trail. Everything the controller learned is
/// deliberately not here: it is relearned from telemetry in minutes, and a stale estimate
/// restored after a long outage would be worse than a fresh start.
package struct OperatorState: Sendable, Hashable, Codable {
    /// Bumped when the file's meaning changes; a file of another version is not read.
    package static let currentVersion = 1

    package var version: Int
    package var overrides: Overrides
    package var audit: [AuditEntry]

    package init(overrides: Overrides, audit: [AuditEntry]) {
        version = Self.currentVersion
        self.overrides = overrides
        self.audit = audit
    }
}
