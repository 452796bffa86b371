import PropertyBased
import Testing
@testable import FulcrumCore

@Suite("Placement planning")
struct PlannerTests {
    @Test("the node tally sums runs and scattered entries alike, and answers 0 for a node it never saw")
    func nodeTally() {
        var lookup = NodeTally([("a", 1), ("a", 2), ("b", 4), ("a", 8), ("c", 0), ("b", 1)]).lookup()
        #expect(lookup["a"] == 11)
        #expect(lookup["a"] == 11)
        #expect(lookup["b"] == 5)
        #expect(lookup["c"] == 0)
        #expect(lookup["z"] == 0)
        #expect(NodeTally([(String, Int)]()).counts.isEmpty)
    }

    let tp4 = PlacementConstraints(gpusPerInstance: PerRole(prefill: 4, decode: 4), maxTotalGPUs: 16)

    @Test("GPU indices beyond 63 are held and freed like any other; GPUs held on unlisted nodes count")
    func ledgerBeyondMaskAndUnlistedNodes() {
        func worker(_ id: String, node: String, gpus: [Int]) -> WorkerSnapshot {
            WorkerSnapshot(id: WorkerID(id), role: .decode, node: node, gpus: gpus, lifecycle: .ready, startedAt: Timestamp(seconds: 0))
        }
        let snapshot = ClusterSnapshot(
            time: Timestamp(seconds: 0),
            nodes: [NodeSnapshot(name: "wide", gpus: [100, 0, 70, 1, 64]), NodeSnapshot(name: "plain", gpus: [0, 1])],
            workers: [worker("a", node: "wide", gpus: [64]), worker("b", node: "wide", gpus: [1]), worker("c", node: "plain", gpus: [0]),
                      worker("d", node: "gone", gpus: [0, 1])])
        let ledger = GPULedger(snapshot: snapshot)
        #expect(ledger.freeByNode.map(\.node) == ["wide", "plain"])
        #expect(ledger.freeByNode.map(\.free) == [[0, 70, 100], [1]])
        #expect(ledger.heldGPUs == 5)
    }

    @Test("instance GPU groups never span nodes, never reuse a held GPU, never exceed the budget")
    func placementInvariants() async {
        await propertyCheck(
            count: 300,
            input: Gen.int(in: 1...4), Gen.element(of: [1, 2, 4, 8]), Gen.int(in: 0...12), Gen.int(in: 0...12), Gen.int(in: 1...40)
        ) { nodeCount, size, wantPrefill, wantDecode, budget in
            guard let size else { return }
            var cluster = ClusterFixture(nodeCount: nodeCount, gpusPerNode: 8)
            // An existing worker that leaves an awkward hole on node0.
            cluster.add(.decode, node: "node0", gpus: [1, 2, 3])
            let constraints = PlacementConstraints(gpusPerInstance: PerRole(prefill: size, decode: size), maxTotalGPUs: budget)
            let plan = Planner.plan(desired: PerRole(prefill: wantPrefill, decode: wantDecode), snapshot: cluster.snapshot(at: 0), constraints: constraints)
            var held: Set<String> = ["node0/1", "node0/2", "node0/3"]
            var total = 3
            for action in plan.actions {
                guard case let .start(_, node, gpus) = action else { continue }
                #expect(gpus.count == size)
                let nodeGPUs = cluster.nodes.first { $0.name == node }?.gpus ?? []
                for gpu in gpus {
                    #expect(nodeGPUs.contains(gpu), "GPU \(gpu) is not on \(node)")
                    #expect(held.insert("\(node)/\(gpu)").inserted, "GPU \(node)/\(gpu) placed twice")
                }
                total += gpus.count
            }
            #expect(total <= max(budget, 3))
        }
    }

    @Test("a TP group goes to one node with contiguous GPUs, best fit first")
    func bestFitContiguous() throws {
        var cluster = ClusterFixture(nodeCount: 2, gpusPerNode: 8)
        cluster.add(.decode, node: "node1", gpus: [0, 1, 2, 3])
        let plan = Planner.plan(desired: PerRole(prefill: 1, decode: 1), snapshot: cluster.snapshot(at: 0), constraints: tp4)
        // node1 has exactly 4 free: the best fit for the new prefill instance.
        #expect(plan.actions == [.start(role: .prefill, node: "node1", gpus: [4, 5, 6, 7])])
    }

    @Test("when no node has room for a whole group, the instance waits instead of splitting")
    func neverSplits() {
        var cluster = ClusterFixture(nodeCount: 2, gpusPerNode: 4)
        cluster.add(.decode, node: "node0", gpus: [0, 1])
        cluster.add(.decode, node: "node1", gpus: [0, 1])
        let constraints = PlacementConstraints(gpusPerInstance: PerRole(prefill: 4, decode: 2), maxTotalGPUs: 8)
        let plan = Planner.plan(desired: PerRole(prefill: 1, decode: 2), snapshot: cluster.snapshot(at: 0), constraints: constraints)
        #expect(plan.actions.isEmpty)
        #expect(plan.unplaced.prefill == 1)
    }

    @Test("draining workers keep their GPUs and count against the budget")
    func drainingHoldsGPUs() {
        var cluster = ClusterFixture(nodeCount: 1, gpusPerNode: 8)
        cluster.add(.prefill, gpus: [0, 1, 2, 3])
        cluster.add(.decode, gpus: [4, 5, 6, 7], lifecycle: .draining)
        let constraints = PlacementConstraints(gpusPerInstance: PerRole(prefill: 4, decode: 4), maxTotalGPUs: 8)
        let plan = Planner.plan(desired: PerRole(prefill: 2, decode: 0), snapshot: cluster.snapshot(at: 0), constraints: constraints)
        #expect(plan.actions.isEmpty)
        #expect(plan.unplaced.prefill == 1)
    }

    @Test("the worker with the fewest requests in flight is drained")
    func drainsLeastLoaded() {
        var cluster = ClusterFixture(nodeCount: 1, gpusPerNode: 8)
        cluster.add(.decode, gpus: [0], telemetry: telemetry(at: 0, finished: 0, promptTokens: 0, generationTokens: 0, waiting: 2, running: 30))
        let idle = cluster.add(.decode, gpus: [1], telemetry: telemetry(at: 0, finished: 0, promptTokens: 0, generationTokens: 0, running: 3))
        cluster.add(.decode, gpus: [2], telemetry: telemetry(at: 0, finished: 0, promptTokens: 0, generationTokens: 0, running: 12))
        let plan = Planner.plan(desired: PerRole(prefill: 0, decode: 2), snapshot: cluster.snapshot(at: 0), constraints: tp4)
        #expect(plan.actions == [.drain(worker: idle)])
    }

    @Test("among idle workers, the one that frees a whole node is drained; starting workers go first")
    func drainPrefersFreeingNodesAndStartingWorkers() {
        var cluster = ClusterFixture(nodeCount: 2, gpusPerNode: 8)
        cluster.add(.decode, node: "node0", gpus: [0])
        cluster.add(.decode, node: "node0", gpus: [1])
        let lonely = cluster.add(.decode, node: "node1", gpus: [0])
        var plan = Planner.plan(desired: PerRole(prefill: 0, decode: 2), snapshot: cluster.snapshot(at: 0), constraints: tp4)
        #expect(plan.actions == [.drain(worker: lonely)])

        let starting = cluster.add(.decode, node: "node0", gpus: [2], lifecycle: .starting, startedAt: 5)
        plan = Planner.plan(desired: PerRole(prefill: 0, decode: 3), snapshot: cluster.snapshot(at: 10), constraints: tp4)
        #expect(plan.actions == [.drain(worker: starting)])
    }

    @Test("picking the first few to drain gives the same workers as sorting them all")
    func drainSelectionMatchesSort() async {
        await propertyCheck(count: 200, input: Gen.uint64(in: 0 ... .max)) { seed in
            var draws = SeededDraws(seed: seed)
            var cluster = ClusterFixture(nodeCount: 4, gpusPerNode: 16)
            for index in 0..<(1 + draws.next(40)) {
                let load = Double(draws.next(3))
                cluster.add(.decode, node: "node\(draws.next(4))", gpus: [index % 16], lifecycle: draws.next(5) == 0 ? .starting : .ready,
                            startedAt: Double(5 * draws.next(3)),
                            telemetry: telemetry(at: 0, finished: 0, promptTokens: 0, generationTokens: 0, running: load))
            }
            let snapshot = cluster.snapshot(at: 20)
            let candidates = Array(snapshot.workers.indices)
            let sorted = Planner.drainOrder(candidates, of: snapshot)
            for first in 1...12 {
                #expect(Planner.drainOrder(candidates, of: snapshot, first: first) == Array(sorted.prefix(first)))
            }
        }
    }

    @Test("a draining worker of the needed role is put back instead of starting a new one")
    func cancelDrainPreferred() {
        var cluster = ClusterFixture(nodeCount: 1, gpusPerNode: 8)
        cluster.add(.decode, gpus: [0])
        let draining = cluster.add(.decode, gpus: [1], lifecycle: .draining)
        let constraints = PlacementConstraints(gpusPerInstance: PerRole(prefill: 1, decode: 1), maxTotalGPUs: 8)
        let plan = Planner.plan(desired: PerRole(prefill: 0, decode: 3), snapshot: cluster.snapshot(at: 0), constraints: constraints)
        #expect(plan.actions.first == .cancelDrain(worker: draining))
        #expect(plan.actions.count == 2)
        if case let .start(role, _, gpus) = plan.actions.last {
            #expect(role == .decode)
            #expect(gpus == [2])
        } else {
            Issue.record("expected a start after the cancel-drain, got \(plan.actions)")
        }
    }

    @Test("a role flip drains first and starts on the freed GPUs once the drain is done")
    func roleFlip() {
        var cluster = ClusterFixture(nodeCount: 1, gpusPerNode: 8)
        let decode = cluster.add(.decode, gpus: [0, 1, 2, 3])
        cluster.add(.prefill, gpus: [4, 5, 6, 7])
        let constraints = PlacementConstraints(gpusPerInstance: PerRole(prefill: 4, decode: 4), maxTotalGPUs: 8)
        var plan = Planner.plan(desired: PerRole(prefill: 2, decode: 0), snapshot: cluster.snapshot(at: 0), constraints: constraints)
        #expect(plan.actions == [.drain(worker: decode)])
        #expect(plan.unplaced.prefill == 1)
        cluster.workers.removeAll { $0.id == decode }
        plan = Planner.plan(desired: PerRole(prefill: 2, decode: 0), snapshot: cluster.snapshot(at: 60), constraints: constraints)
        #expect(plan.actions == [.start(role: .prefill, node: "node0", gpus: [0, 1, 2, 3])])
    }

    @Test("unreachable nodes receive no new workers")
    func unreachableNode() {
        var cluster = ClusterFixture(nodeCount: 2, gpusPerNode: 4)
        cluster.nodes[0].reachable = false
        let constraints = PlacementConstraints(gpusPerInstance: PerRole(prefill: 4, decode: 4), maxTotalGPUs: 8)
        let plan = Planner.plan(desired: PerRole(prefill: 1, decode: 1), snapshot: cluster.snapshot(at: 0), constraints: constraints)
        #expect(plan.actions == [.start(role: .prefill, node: "node1", gpus: [0, 1, 2, 3])])
        #expect(plan.unplaced.decode == 1)
    }

    @Test("a worker drained by hand is never put back; a replacement is started instead")
    func manualDrainKept() {
        var cluster = ClusterFixture(nodeCount: 1, gpusPerNode: 8)
        cluster.add(.decode, gpus: [0])
        let drained = cluster.add(.decode, gpus: [1], lifecycle: .draining)
        let constraints = PlacementConstraints(gpusPerInstance: PerRole(prefill: 1, decode: 1), maxTotalGPUs: 8)
        let plan = Planner.plan(desired: PerRole(prefill: 0, decode: 2), snapshot: cluster.snapshot(at: 0), constraints: constraints,
                                keepDraining: [drained])
        #expect(plan.actions == [.start(role: .decode, node: "node0", gpus: [2])])
    }

    @Test("a replacement avoids the GPUs a hand drain emptied while others fit, and uses them when none do")
    func handDrainedGPUsAreALastResort() {
        var cluster = ClusterFixture(nodeCount: 2, gpusPerNode: 2)
        cluster.add(.decode, gpus: [0])
        let constraints = PlacementConstraints(gpusPerInstance: PerRole(prefill: 1, decode: 1), maxTotalGPUs: 4)
        let setAside: [String: Set<Int>] = ["node0": [1]]
        // node0's GPU 1 is the best fit (fewest free GPUs) but was emptied by hand: node1 instead.
        let plan = Planner.plan(desired: PerRole(prefill: 0, decode: 2), snapshot: cluster.snapshot(at: 0), constraints: constraints,
                                setAside: setAside)
        #expect(plan.actions == [.start(role: .decode, node: "node1", gpus: [0])])
        // Needing all four GPUs, the set-aside one is used last.
        let full = Planner.plan(desired: PerRole(prefill: 0, decode: 4), snapshot: cluster.snapshot(at: 0), constraints: constraints,
                                setAside: setAside)
        #expect(full.actions == [.start(role: .decode, node: "node1", gpus: [0]), .start(role: .decode, node: "node1", gpus: [1]),
                                 .start(role: .decode, node: "node0", gpus: [1])])
        #expect(full.unplaced.decode == 0)
    }

    @Test("a worker drained by hand but found serving again (its drain lost) is drained again and not counted as capacity")
    func lostManualDrainIsRedone() {
        var cluster = ClusterFixture(nodeCount: 1, gpusPerNode: 8)
        let other = cluster.add(.decode, gpus: [0])
        let drained = cluster.add(.decode, gpus: [1])
        let constraints = PlacementConstraints(gpusPerInstance: PerRole(prefill: 1, decode: 1), maxTotalGPUs: 8)
        // Two decode wanted: the hand-drained one is drained again and replaced, the other kept.
        let plan = Planner.plan(desired: PerRole(prefill: 0, decode: 2), snapshot: cluster.snapshot(at: 0), constraints: constraints,
                                keepDraining: [drained])
        #expect(plan.actions == [.drain(worker: drained), .start(role: .decode, node: "node0", gpus: [2])])
        // One wanted: only the hand-drained one goes; the other is not drained to make room.
        let shrink = Planner.plan(desired: PerRole(prefill: 0, decode: 1), snapshot: cluster.snapshot(at: 0), constraints: constraints,
                                  keepDraining: [drained])
        #expect(shrink.actions == [.drain(worker: drained)])
        #expect(!shrink.actions.contains(.drain(worker: other)))
    }
}
