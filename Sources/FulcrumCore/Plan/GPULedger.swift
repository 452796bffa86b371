/// Which GPUs are free on which node, and the placement rule for a new instance.
struct GPULedger {
    struct Placement {
        var node: String
        var gpus: [Int]
    }

    private(set) var freeByNode: [(node: String, free: [Int])]
    private(set) var heldGPUs: Int

    init(snapshot: ClusterSnapshot) {
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
    /// usually share an NVLink/NVSwitch domain or PCIe switch).
    mutating func place(size: Int) -> Placement? {
        let candidates = freeByNode.indices
            .filter { freeByNode[$0].free.count >= size }
            .sorted { freeByNode[$0].free.count != freeByNode[$1].free.count
                ? freeByNode[$0].free.count < freeByNode[$1].free.count
                : freeByNode[$0].node < freeByNode[$1].node }
        guard let index = candidates.first else { return nil }
        let free = freeByNode[index].free
        let chosen = Self.lowestContiguousRun(in: free, size: size) ?? Array(free.prefix(size))
        freeByNode[index].free.removeAll { chosen.contains($0) }
        heldGPUs += size
        return Placement(node: freeByNode[index].node, gpus: chosen)
    }

    private static func lowestContiguousRun(in sortedFree: [Int], size: Int) -> [Int]? {
        guard size > 0, sortedFree.count >= size else { return nil }
        for start in 0...(sortedFree.count - size) where sortedFree[start + size - 1] - sortedFree[start] == size - 1 {
            return Array(sortedFree[start..<(start + size)])
        }
        return nil
    }
}
