/// One row of `ListUnitsByPatterns`.
public struct UnitStatus: Sendable, Hashable {
    public var name: String
    public var loadState: String
    public var activeState: String
    public var subState: String
    /// The job pending on the unit, if any (`/` when none).
    public var jobPath: String
}

/// The properties Fulcrum reads from a unit (org.freedesktop.systemd1.Unit and .Service).
public struct UnitProperties: Sendable, Hashable {
    public var activeState: String?
    public var subState: String?
    /// The Service result: `success`, `exit-code`, `signal`, `core-dump`, `timeout`,
    /// `start-limit-hit`, `resources`, ...
    public var result: String?
    public var mainPID: UInt32?
    /// Wall-clock µs since the epoch when the main process was started; 0 when never.
    public var execMainStartTimestamp: UInt64?

    public init(activeState: String? = nil, subState: String? = nil, result: String? = nil, mainPID: UInt32? = nil, execMainStartTimestamp: UInt64? = nil) {
        self.activeState = activeState
        self.subState = subState
        self.result = result
        self.mainPID = mainPID
        self.execMainStartTimestamp = execMainStartTimestamp
    }

    /// Takes the values this type knows from a property dictionary (GetAll or PropertiesChanged).
    public mutating func merge(_ values: [String: BusValue]) {
        if let value = values["ActiveState"]?.string { activeState = value }
        if let value = values["SubState"]?.string { subState = value }
        if let value = values["Result"]?.string { result = value }
        if let value = values["MainPID"]?.uint64 { mainPID = UInt32(truncatingIfNeeded: value) }
        if let value = values["ExecMainStartTimestamp"]?.uint64 { execMainStartTimestamp = value }
    }
}
