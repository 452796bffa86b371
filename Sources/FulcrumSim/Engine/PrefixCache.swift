/// One prefill instance's prefix cache: the prompt blocks it has computed, named by the trace's
/// block hashes, kept within the instance's KV capacity and evicted least recently used first
/// (vLLM's and SGLang's policy). A prompt whose first n blocks are cached computes only the rest.
///
/// Written by hand: an LRU over integer keys with lazy deletion is a few lines, and no package
/// in the dependency set has one.
struct PrefixCache {
    let capacityBlocks: Int
    /// Block → stamp of its last use.
    private var stamps: [Int: UInt64] = [:]
    /// Uses in stamp order; an entry whose stamp is no longer the block's is stale.
    private var uses = FIFOQueue<(block: Int, stamp: UInt64)>()
    private var clock: UInt64 = 0

    init(capacityBlocks: Int) {
        self.capacityBlocks = max(0, capacityBlocks)
    }

    var count: Int { stamps.count }

    /// How many of `blocks`, from the first, are cached.
    func leadingMatch(_ blocks: [Int]) -> Int {
        var matched = 0
        for block in blocks {
            guard stamps[block] != nil else { break }
            matched += 1
        }
        return matched
    }

    /// Marks `blocks` used now, adding those not cached and evicting the least recently used
    /// beyond the capacity.
    mutating func use(_ blocks: ArraySlice<Int>) {
        guard capacityBlocks > 0 else { return }
        for block in blocks {
            clock += 1
            stamps[block] = clock
            uses.append((block, clock))
        }
        while stamps.count > capacityBlocks, let oldest = uses.popFirst() {
            if stamps[oldest.block] == oldest.stamp { stamps[oldest.block] = nil }
        }
        // Stale entries of blocks used again are dropped as they reach the front; bound them.
        if uses.count > 4 * capacityBlocks + 64 { compact() }
    }

    private mutating func compact() {
        var live = FIFOQueue<(block: Int, stamp: UInt64)>()
        for entry in uses.removeAll() where stamps[entry.block] == entry.stamp { live.append(entry) }
        uses = live
    }
}
