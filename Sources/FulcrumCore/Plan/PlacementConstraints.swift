/// The shape and limits every placement respects.
public struct PlacementConstraints: Sendable, Hashable, Codable {
    /// GPUs one instance of each role needs (its tensor-parallel group), all on one node.
    public var gpusPerInstance: PerRole<Int>
    /// The most GPUs Fulcrum may hold at once, draining workers included.
    public var maxTotalGPUs: Int

    public init(gpusPerInstance: PerRole<Int>, maxTotalGPUs: Int) {
        self.gpusPerInstance = gpusPerInstance
        self.maxTotalGPUs = maxTotalGPUs
    }
}
