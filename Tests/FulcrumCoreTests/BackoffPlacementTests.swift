import Foundation
import Testing
@testable import FulcrumCore

/// GPUs whose starts keep failing: placed around while others are free, and said so.
@Suite("Placement around GPUs backing off")
struct BackoffPlacementTests {
    static let configuration = ControllerConfiguration(
        slo: .default, placement: PlacementConstraints(gpusPerInstance: PerRole(repeating: 1), maxTotalGPUs: 8))

    @Test("a start goes to a free GPU, not to the one backing off, and the decision says why")
    func placedElsewhere() throws {
        let node = NodeSnapshot(name: "node0", gpus: Array(0..<8), backingOff: [0])
        var controller = Controller(configuration: Self.configuration)
        let decision = controller.decide(ClusterSnapshot(time: Timestamp(seconds: 0), nodes: [node], workers: []))
        let starts = decision.actions.compactMap { action -> [Int]? in
            if case let .start(_, _, gpus) = action { return gpus }
            return nil
        }
        #expect(starts.count == 2)
        #expect(starts.allSatisfy { !$0.contains(0) }, "\(starts)")
        let reason = try #require(decision.reasons.first { $0.code == .gpusBackingOff })
        #expect(reason.message.contains("GPUs 0 on node0"))
    }

    @Test("with no other GPU free, the instance waits as unplaced instead of retrying the broken one")
    func waitsWhenNothingElseIsFree() {
        let node = NodeSnapshot(name: "node0", gpus: [0, 1], backingOff: [0, 1])
        let plan = Planner.plan(desired: PerRole(prefill: 1, decode: 1), snapshot: ClusterSnapshot(time: Timestamp(seconds: 0), nodes: [node], workers: []),
                                constraints: Self.configuration.placement)
        #expect(plan.actions.isEmpty)
        #expect(plan.unplaced == PerRole(prefill: 1, decode: 1))
    }

    @Test("a snapshot saved before backoff was reported still decodes")
    func olderSnapshotsDecode() throws {
        let json = #"{"name": "node0", "gpus": [0, 1], "reachable": true}"#
        let node = try JSONDecoder().decode(NodeSnapshot.self, from: Data(json.utf8))
        #expect(node.backingOff.isEmpty)
    }
}
