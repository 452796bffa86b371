/// The shape and limits every placement respects.
public struct PlacementConstraints: Sendable, Hashable, Codable {
    /// GPUs one instance of each role needs (its tensor-parallel group), all on one node.
    public var gpusPerInstance: PerRole<Int>
    /// The most GPUs Fulcrum may hold at once, draining workers included.
    public var maxTotalGPUs: Int

    /// The budget when nothing sets one and no node list bounds it (`decide` without nodes):
    /// large enough never to bind, so the GPUs the snapshot lists are the limit.
    public static let openBudgetGPUs = 100_000

    public init(gpusPerInstance: PerRole<Int>, maxTotalGPUs: Int) {
        self.gpusPerInstance = gpusPerInstance
        self.maxTotalGPUs = maxTotalGPUs
    }
}
