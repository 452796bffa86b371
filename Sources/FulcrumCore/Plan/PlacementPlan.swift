/// The actions that move the cluster toward desired counts, and what could not be placed yet.
public struct PlacementPlan: Sendable, Hashable, Codable {
    public var actions: [ScalingAction]
    /// Instances per role that are wanted but have no free GPUs within the budget right now
    /// (typically waiting for a drain to free them). The next tick places them.
    public var unplaced: PerRole<Int>

    public init(actions: [ScalingAction] = [], unplaced: PerRole<Int> = PerRole(repeating: 0)) {
        self.actions = actions
        self.unplaced = unplaced
    }
}
