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
        let workers = snapshot.workers
        // A node holds a handful of GPUs, so a list beats a set (a set per node and a hash per
        // worker were a tenth of a 1,000-worker tick).
        let held = foldByNode(workers.indices.lazy.filter { workers[$0].holdsGPUs }.map { (workers[$0].node, workers[$0].gpus) },
                              empty: [Int]()) { $0.append(contentsOf: $1) }
        // Unreachable nodes take no new work: their state is unknown, so a GPU that looks
        // free there may not be. GPUs backing off after failed starts wait out their backoff.
        freeByNode = snapshot.nodes
            .filter(\.reachable)
            .map { node in
                let taken = held[node.name] ?? []
                return (node.name, node.gpus.filter { !taken.contains($0) && !node.backingOff.contains($0) }.sorted())
            }
        heldGPUs = held.values.reduce(0) { $0 + $1.count }
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
