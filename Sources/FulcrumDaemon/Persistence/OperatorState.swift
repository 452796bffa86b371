import FulcrumCore

/// What operators told the daemon and must not be lost with the process: overrides (with their
/// expiry), workers drained by hand, the audit trail, and the fleet fulcrumd took over from
/// them. Everything the controller learned is deliberately not here: it is relearned from
/// telemetry in minutes, and a stale estimate restored after a long outage would be worse than
/// a fresh start. The fleet taken over is not learned: it is the fleet an operator sized, which
/// bursty traffic keeps as a floor, and a daemon restarted during a burst would otherwise take
/// over the burst's fleet as that floor and hold it for as long as the traffic stays bursty.
package struct OperatorState: Sendable, Hashable, Codable {
    /// Bumped when the file's meaning changes; a file of another version is not read. Fields
    /// are only ever added, as optionals: an older fulcrumd ignores what it does not know.
    package static let currentVersion = 1

    package var version: Int
    package var overrides: Overrides
    package var audit: [AuditEntry]
    /// Nil in files written before it existed, and until the first tick.
    package var fleetTakenOver: PerRole<Int>?

    package init(overrides: Overrides, audit: [AuditEntry], fleetTakenOver: PerRole<Int>? = nil) {
        version = Self.currentVersion
        self.overrides = overrides
        self.audit = audit
        self.fleetTakenOver = fleetTakenOver
    }
}
