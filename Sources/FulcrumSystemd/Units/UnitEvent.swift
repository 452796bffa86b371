/// What a node's manager tells us without being asked.
public enum UnitEvent: Sendable, Hashable {
    /// A job finished (JobRemoved).
    case jobRemoved(JobOutcome)
    /// Properties of `unit` changed (PropertiesChanged); `values` holds the changed values.
    case unitChanged(unit: String, interface: String, values: [String: BusValue])
    /// The connection ended; no more events follow.
    case disconnected(BusError)
}
