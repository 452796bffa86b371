/// Turns desired instance counts into actions against what exists.
///
/// Level-based, like a Kubernetes reconciler: it compares the desired counts with the workers
/// that count as capacity (ready and starting, not draining) and emits the smallest set of
/// actions that closes the gap, so running it again on the same snapshot emits nothing new
/// once the actions have been applied.
public enum Planner {
    /// `keepDraining` names the workers an operator drained by hand. They are never capacity:
    /// a draining one is not reused (a replacement is started instead), and one found serving
    /// again — its drain lost to a race, a restart of fulcrumd, a crash and restart of the
    /// unit — is drained again, so the operator's drain holds until the worker is gone.
    /// `setAside` are the GPUs (by node) such workers held: new instances go there only when no
    /// other GPUs fit, so a replacement does not land on the slot the operator just emptied.
    public static func plan(
        desired: PerRole<Int>,
        snapshot: ClusterSnapshot,
        constraints: PlacementConstraints,
        keepDraining: Set<WorkerID> = [],
        setAside: [String: Set<Int>] = [:]
    ) -> PlacementPlan {
        // Built at the first start, not every tick: it walks every worker and node, and most
        // ticks start nothing (at 1,000 workers it was most of a tick's heap allocations).
        lazy var ledger = GPULedger(snapshot: snapshot, lastResort: setAside)
        var plan = PlacementPlan()
        for worker in snapshot.workers where keepDraining.contains(worker.id) && worker.isCapacity {
            plan.actions.append(.drain(worker: worker.id))
        }
        // Indices into the snapshot's workers, not copies: a snapshot is large (telemetry,
        // histograms) and a 1,000-worker tick copied each one three times here.
        let workers = snapshot.workers
        var active = PerRole<[Int]>(repeating: [])
        for index in workers.indices where workers[index].isCapacity && !keepDraining.contains(workers[index].id) {
            active[workers[index].role].append(index)
        }

        // Shrink first: a role flip is a drain followed by a start on the freed GPUs, and the
        // drained worker keeps its GPUs until it is empty, so the start usually waits a tick.
        for role in Role.allCases {
            let excess = active[role].count - max(0, desired[role])
            guard excess > 0 else { continue }
            for index in drainOrder(active[role], of: snapshot, first: excess) {
                plan.actions.append(.drain(worker: workers[index].id))
            }
        }

        for role in Role.allCases {
            var missing = max(0, desired[role]) - active[role].count
            guard missing > 0 else { continue }
            missing -= reuseDraining(role, upTo: missing, of: snapshot, skipping: keepDraining, into: &plan)
            let size = constraints.gpusPerInstance[role]
            if missing > 0, size > 0 {
                missing -= startInstances(role, count: missing, size: size, within: constraints.maxTotalGPUs, ledger: &ledger, into: &plan)
            }
            plan.unplaced[role] = missing
        }
        return plan
    }

    /// Cancels the drain of up to `count` draining workers of `role` (capacity already loaded
    /// and warm), the busiest first; returns how many.
    private static func reuseDraining(_ role: Role, upTo count: Int, of snapshot: ClusterSnapshot, skipping keepDraining: Set<WorkerID>,
                                      into plan: inout PlacementPlan) -> Int {
        let draining = snapshot.workers
            .filter { $0.role == role && $0.lifecycle == .draining && !keepDraining.contains($0.id) }
            .sorted { lhs, rhs in
                let lhsLoad = lhs.telemetry?.requestsInFlight ?? 0
                let rhsLoad = rhs.telemetry?.requestsInFlight ?? 0
                return lhsLoad != rhsLoad ? lhsLoad > rhsLoad : lhs.id < rhs.id
            }
        for worker in draining.prefix(count) {
            plan.actions.append(.cancelDrain(worker: worker.id))
        }
        return min(count, draining.count)
    }

    /// Starts up to `count` instances of `size` GPUs where the ledger finds room within the
    /// GPU cap; returns how many.
    private static func startInstances(_ role: Role, count: Int, size: Int, within maxTotalGPUs: Int, ledger: inout GPULedger,
                                       into plan: inout PlacementPlan) -> Int {
        var started = 0
        while started < count, ledger.heldGPUs + size <= maxTotalGPUs, let placement = ledger.place(size: size) {
            plan.actions.append(.start(role: role, node: placement.node, gpus: placement.gpus))
            started += 1
        }
        return started
    }

    /// Which workers to drain first when a role shrinks.
    ///
    /// Starting workers go first: they serve nothing yet, so stopping them loses no work.
    /// Then the fewest requests in flight, so the drain finishes soonest and disturbs the
    /// fewest users. Ties (the common case when traffic is low, which is exactly when the
    /// cluster shrinks most) go to the worker whose node has the fewest other active
    /// GPUs, so whole nodes are freed; then the newest worker, then the id for determinism.
    /// `candidates` and the result are indices into `snapshot.workers`; only the `first` in
    /// that order are returned.
    static func drainOrder(_ candidates: [Int], of snapshot: ClusterSnapshot, first: Int = .max) -> [Int] {
        let workers = snapshot.workers
        let activeGPUsByNode = NodeTally(workers.indices.lazy.filter { workers[$0].isCapacity }.map { (workers[$0].node, workers[$0].gpus.count) })
        // The keys are computed once per candidate and indices sorted: comparing snapshots
        // directly hashed two node names and copied two snapshots per comparison, 40 % of a
        // 1,000-worker tick.
        var lookup = activeGPUsByNode.lookup()
        let keys = candidates.map { index in
            let worker = workers[index]
            return DrainKey(starting: worker.lifecycle == .starting, load: worker.telemetry?.requestsInFlight ?? 0,
                            otherGPUsOnNode: lookup[worker.node] - worker.gpus.count, startedAt: worker.startedAt)
        }
        func before(_ a: Int, _ b: Int) -> Bool {
            let lhs = keys[a], rhs = keys[b]
            if lhs.starting != rhs.starting { return lhs.starting }
            if lhs.load != rhs.load { return lhs.load < rhs.load }
            if lhs.otherGPUsOnNode != rhs.otherGPUsOnNode { return lhs.otherGPUsOnNode < rhs.otherGPUsOnNode }
            if lhs.startedAt != rhs.startedAt { return lhs.startedAt > rhs.startedAt }
            return workers[candidates[a]].id < workers[candidates[b]].id
        }
        // A role usually sheds a few of hundreds: picking them by selection is linear, where
        // sorting all of them was a twentieth of a 1,000-worker tick. The order is total (ids
        // break ties), so both give the same workers.
        if first <= 8 {
            var remaining = Array(candidates.indices)
            var chosen: [Int] = []
            while chosen.count < first, let next = remaining.indices.min(by: { before(remaining[$0], remaining[$1]) }) {
                chosen.append(candidates[remaining.remove(at: next)])
            }
            return chosen
        }
        return candidates.indices.sorted(by: before).prefix(first).map { candidates[$0] }
    }

    private struct DrainKey {
        var starting: Bool
        var load: Double
        var otherGPUsOnNode: Int
        var startedAt: Timestamp
    }
}

/// A count per node, summed from (node, amount) pairs. Workers of a node usually come
/// together in a snapshot (their ids start with the node's name), so runs of one node are
/// summed before the node's name is hashed: at 1,000 workers on 128 nodes, hashing each
/// worker's node was a tenth of a tick. Summed here, not by a generic fold taking a merge
/// closure: handing `counts[node, default: 0]` to a closure heap-allocated that access's
/// coroutine frame once per run (about 125 allocations a tick at 1,000 workers on 128 nodes).
struct NodeTally {
    let counts: [String: Int]

    init<Pairs: Sequence>(_ pairs: Pairs) where Pairs.Element == (String, Int) {
        var counts: [String: Int] = [:]
        var run: (node: String, amount: Int)?
        for (node, amount) in pairs {
            if let current = run, current.node == node {
                run = (node, current.amount + amount)
                continue
            }
            if let current = run { counts[current.node, default: 0] += current.amount }
            run = (node, amount)
        }
        if let current = run { counts[current.node, default: 0] += current.amount }
        self.counts = counts
    }

    /// Reads that remember the last node asked about, for callers that ask in runs too.
    func lookup() -> Lookup { Lookup(counts: counts) }

    struct Lookup {
        let counts: [String: Int]
        private var last: (node: String, count: Int)?

        init(counts: [String: Int]) { self.counts = counts }

        subscript(node: String) -> Int {
            mutating get {
                if let last, last.node == node { return last.count }
                let count = counts[node] ?? 0
                last = (node, count)
                return count
            }
        }
    }
}
