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
    func leadingMatch(_ blocks: some Sequence<Int>) -> Int {
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

/// A prefill worker's prefix caches: its GPU's, and optionally a larger tier in host memory
/// (LMCache's CPU offload, Mooncake's store) to which every block the GPU caches is written
/// as well. A prompt's leading blocks are looked up on the GPU first and the match goes on in
/// host memory; blocks found there are copied back to the GPU before the prompt runs, which
/// costs the copy's time but no compute.
struct PrefillPrefixCaches {
    struct Match: Equatable {
        var gpuBlocks: Int
        var hostBlocks: Int
        var blocks: Int { gpuBlocks + hostBlocks }
    }

    var gpu: PrefixCache
    var host: PrefixCache?

    init(gpuBlocks: Int, hostBlocks: Int?) {
        gpu = PrefixCache(capacityBlocks: gpuBlocks)
        host = hostBlocks.map(PrefixCache.init(capacityBlocks:))
    }

    func leadingMatch(_ blocks: [Int]) -> Match {
        let onGPU = gpu.leadingMatch(blocks)
        guard let host, onGPU < blocks.count else { return Match(gpuBlocks: onGPU, hostBlocks: 0) }
        return Match(gpuBlocks: onGPU, hostBlocks: host.leadingMatch(blocks[onGPU...]))
    }

    /// Marks `blocks` used now in both tiers (write-through), evicting each tier's least
    /// recently used beyond its capacity.
    mutating func use(_ blocks: ArraySlice<Int>) {
        gpu.use(blocks)
        host?.use(blocks)
    }
}
