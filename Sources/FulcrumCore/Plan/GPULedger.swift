/// Which GPUs are free on which node, and the placement rule for a new instance.
struct GPULedger {
    struct Placement {
        var node: String
        var gpus: [Int]
    }

    private(set) var freeByNode: [(node: String, free: [Int])]
    private(set) var heldGPUs: Int
    /// Free GPUs used only when no others fit (those an operator emptied by a hand drain).
    private let lastResort: [String: Set<Int>]

    init(snapshot: ClusterSnapshot, lastResort: [String: Set<Int>] = [:]) {
        self.lastResort = lastResort
        let held = HeldGPUs(snapshot)
        // Unreachable nodes take no new work: their state is unknown, so a GPU that looks
        // free there may not be. GPUs backing off after failed starts wait out their backoff.
        var freeByNode: [(node: String, free: [Int])] = []
        freeByNode.reserveCapacity(snapshot.nodes.count)
        for (index, node) in snapshot.nodes.enumerated() where node.reachable {
            var free = node.gpus.filter { !held.contains(gpu: $0, onNode: index) && !node.backingOff.contains($0) }
            free.sort()
            freeByNode.append((node.name, free))
        }
        self.freeByNode = freeByNode
        heldGPUs = held.count
    }

    /// Places an instance of `size` GPUs on one node (a tensor-parallel group never spans
    /// nodes), best fit: the node with the fewest free GPUs that still fit, so large holes
    /// stay available for large instances and lightly used nodes can empty out. On the
    /// node, the lowest contiguous run of indices is preferred (GPUs with adjacent indices
    /// usually share an NVLink/NVSwitch domain or PCIe switch). GPUs set aside as a last resort
    /// come before all of that: the placement using the fewest of them wins.
    mutating func place(size: Int) -> Placement? {
        guard size > 0 else { return nil }
        let candidates = freeByNode.indices
            .filter { freeByNode[$0].free.count >= size }
            .sorted { (freeByNode[$0].free.count, freeByNode[$0].node) < (freeByNode[$1].free.count, freeByNode[$1].node) }
        var best: (index: Int, run: Run)?
        for index in candidates {
            let run = Self.bestRun(in: freeByNode[index].free, size: size, setAside: lastResort[freeByNode[index].node] ?? [])
            if best == nil || run.setAsideCount < best!.run.setAsideCount { best = (index, run) }
            if run.setAsideCount == 0 { break }
        }
        guard let best else { return nil }
        freeByNode[best.index].free.removeAll { best.run.gpus.contains($0) }
        heldGPUs += size
        return Placement(node: freeByNode[best.index].node, gpus: best.run.gpus)
    }

    struct Run {
        var gpus: [Int]
        var setAsideCount: Int
    }

    /// The `size` GPUs of `sortedFree` to use: the fewest set-aside ones, then a contiguous run
    /// (the lowest), else the lowest indices. Stops at the first contiguous run with no
    /// set-aside GPU, which without hand drains is the first run found.
    static func bestRun(in sortedFree: [Int], size: Int, setAside: Set<Int>) -> Run {
        func setAsideCount<C: Collection<Int>>(_ gpus: C) -> Int { setAside.isEmpty ? 0 : gpus.filter(setAside.contains).count }
        var contiguous: Run?
        for start in 0...(sortedFree.count - size) where sortedFree[start + size - 1] - sortedFree[start] == size - 1 {
            let gpus = sortedFree[start..<(start + size)]
            let count = setAsideCount(gpus)
            if contiguous == nil || count < contiguous!.setAsideCount { contiguous = Run(gpus: Array(gpus), setAsideCount: count) }
            if count == 0 { break }
        }
        if let contiguous, contiguous.setAsideCount == 0 { return contiguous }
        let lowest = (sortedFree.filter { !setAside.contains($0) } + sortedFree.filter(setAside.contains)).prefix(size).sorted()
        let scattered = Run(gpus: lowest, setAsideCount: setAsideCount(lowest))
        if let contiguous, contiguous.setAsideCount <= scattered.setAsideCount { return contiguous }
        return scattered
    }
}

/// The GPUs the workers of a snapshot hold, by node (its index in the snapshot's nodes), and
/// how many in all, counting workers on nodes the snapshot does not list.
///
/// A 64-bit mask per node, with GPU indices outside 0..<64 in a list beside it: a list of held
/// GPUs per node cost several heap allocations a node (about 530 for 1,000 workers on 128
/// nodes, each tick that starts a worker), the masks one. Workers of a node usually come
/// together, so a node's name is hashed once per run of its workers, not once per worker.
struct HeldGPUs {
    private var masks: [UInt64]
    /// GPU indices no mask bit stands for, by node.
    private var unmasked: [Int: [Int]] = [:]
    private(set) var count = 0

    init(_ snapshot: ClusterSnapshot) {
        masks = Array(repeating: 0, count: snapshot.nodes.count)
        var indexByName: [String: Int] = [:]
        indexByName.reserveCapacity(snapshot.nodes.count)
        for (index, node) in snapshot.nodes.enumerated() where indexByName[node.name] == nil {
            indexByName[node.name] = index
        }
        // Indices, not copies: a worker's snapshot carries its telemetry.
        let workers = snapshot.workers
        var run: (node: String, index: Int?)?
        for position in workers.indices where workers[position].holdsGPUs {
            let gpus = workers[position].gpus
            count += gpus.count
            if run?.node != workers[position].node { run = (workers[position].node, indexByName[workers[position].node]) }
            guard let node = run?.index else { continue }
            for gpu in gpus {
                if (0..<64).contains(gpu) { masks[node] |= 1 << UInt64(gpu) } else { unmasked[node, default: []].append(gpu) }
            }
        }
    }

    func contains(gpu: Int, onNode node: Int) -> Bool {
        (0..<64).contains(gpu) ? masks[node] & (1 << UInt64(gpu)) != 0 : unmasked[node]?.contains(gpu) == true
    }
}
