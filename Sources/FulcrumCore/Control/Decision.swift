/// The outcome of one controller tick: what to run, what to do about it, and why.
public struct Decision: Sendable, Hashable, Codable {
    public var time: Timestamp
    /// Instances counted as capacity before this decision: ready plus starting.
    public var current: PerRole<Int>
    /// What the rate matcher (or an override) asked for before stabilisation.
    public var recommended: PerRole<Int>
    /// What the controller steers toward after stabilisation.
    public var desired: PerRole<Int>
    /// What the IO layer must do now.
    public var actions: [ScalingAction]
    /// Instances wanted but not placeable yet (no free GPUs within the budget).
    public var unplaced: PerRole<Int>
    public var reasons: [DecisionReason]
    /// The numbers the decision used.
    public var estimate: TrafficEstimate
    /// The rate matcher's answer, when it ran (not while paused, held or on fixed counts).
    public var rateMatching: RateMatcher.Result?
    /// Overrides in force for this decision.
    public var overrides: Overrides

    public func reasons(_ code: DecisionReason.Code) -> [DecisionReason] { reasons.filter { $0.code == code } }
    public func has(_ code: DecisionReason.Code, role: Role? = nil) -> Bool {
        reasons.contains { $0.code == code && (role == nil || $0.role == role) }
    }
}
