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
        var held: [String: Set<Int>] = [:]
        var heldCount = 0
        for worker in snapshot.workers where worker.holdsGPUs {
            held[worker.node, default: []].formUnion(worker.gpus)
            heldCount += worker.gpus.count
        }
        // Unreachable nodes take no new work: their state is unknown, so a GPU that looks
        // free there may not be. GPUs backing off after failed starts wait out their backoff.
        freeByNode = snapshot.nodes
            .filter(\.reachable)
            .map { node in
                let unavailable = (held[node.name] ?? []).union(node.backingOff)
                return (node.name, node.gpus.filter { !unavailable.contains($0) }.sorted())
            }
        heldGPUs = heldCount
    }

    /// Places an instance of `size` GPUs on one node (a tensor-parallel group never spans
    /// nodes), best fit: the node with the fewest free GPUs that still fit, so large holes
    /// stay available for large instances and lightly used nodes can empty out. On the
    /// node, the lowest contiguous run of indices is preferred (GPUs with adjacent indices
    /// usually share an NVLink/NVSwitch domain or PCIe switch). GPUs set aside as a last resort
    /// come before all of that: the placement using the fewest of them wins.
    mutating func place(size: Int) -> Placement? {
        guard size > 0 else { return nil }
        var best: (index: Int, run: Run)?
        for index in freeByNode.indices where freeByNode[index].free.count >= size {
            let (node, free) = freeByNode[index]
            let run = Self.bestRun(in: free, size: size, setAside: lastResort[node] ?? [])
            if let current = best {
                let currentKey = (current.run.setAsideCount, freeByNode[current.index].free.count)
                guard (run.setAsideCount, free.count) < currentKey
                    || ((run.setAsideCount, free.count) == currentKey && node < freeByNode[current.index].node) else { continue }
            }
            best = (index, run)
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
    /// (the lowest), else the lowest indices.
    static func bestRun(in sortedFree: [Int], size: Int, setAside: Set<Int>) -> Run {
        func run(_ gpus: [Int]) -> Run { Run(gpus: gpus, setAsideCount: gpus.filter(setAside.contains).count) }
        let preferred = sortedFree.filter { !setAside.contains($0) } + sortedFree.filter(setAside.contains)
        var best = run(Array(preferred.prefix(size)).sorted())
        var bestIsContiguous = false
        for start in 0...(sortedFree.count - size) where sortedFree[start + size - 1] - sortedFree[start] == size - 1 {
            let candidate = run(Array(sortedFree[start..<(start + size)]))
            if candidate.setAsideCount < best.setAsideCount || (candidate.setAsideCount == best.setAsideCount && !bestIsContiguous) {
                best = candidate
                bestIsContiguous = true
            }
        }
        return best
    }
}
