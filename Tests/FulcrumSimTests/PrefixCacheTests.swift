import FulcrumCore
import FulcrumTraces
import Testing
@testable import FulcrumSim

/// Prefix caches on prefill instances, fed by the trace's block hashes, and the routing
/// policies that decide how often a prompt meets its own prefix again.
@Suite struct PrefixCacheSimulationTests {
    @Test("The cache matches leading blocks only and evicts the least recently used beyond its capacity")
    func leastRecentlyUsed() {
        var cache = PrefixCache(capacityBlocks: 3)
        cache.use([1, 2, 3][...])
        #expect(cache.leadingMatch([1, 2, 3, 4]) == 3)
        #expect(cache.leadingMatch([2, 3]) == 2)
        #expect(cache.leadingMatch([9, 1]) == 0)
        cache.use([1][...])          // 1 is now the most recent; 2 the least
        cache.use([4][...])          // evicts 2
        #expect(cache.count == 3)
        #expect(cache.leadingMatch([1]) == 1)
        #expect(cache.leadingMatch([2]) == 0)
        #expect(cache.leadingMatch([3, 4]) == 2)
        for block in 10..<1_000 { cache.use([block][...]) }
        #expect(cache.count == 3)
        #expect(cache.leadingMatch([997, 998, 999]) == 3)
    }

    /// Two prefill instances, requests of two conversations alternating, each re-sending its
    /// 4-block history: where each lands decides what it finds cached.
    static func alternatingConversations(count: Int) -> [TraceRequest] {
        (0..<count).map { index in
            let conversation = index % 2
            let base = conversation * 1_000
            return TraceRequest(arrival: Double(index) * 2, inputTokens: 4 * 512 + 100, outputTokens: 2,
                                prefixBlocks: [base, base + 1, base + 2, base + 3, base + 10 + index])
        }
    }

    func run(_ routing: PrefillRouting, exports: Bool = true) throws -> SimulationOutcome {
        var input = makeInput(trace: Self.alternatingConversations(count: 40), initial: PerRole(prefill: 2, decode: 1),
                              recordSnapshots: true)
        input.prefillRouting = routing
        input.exportsPrefixMetrics = exports
        return try Simulator.run(input, policy: HoldPolicy())
    }

    @Test("Cache-aware routing sends each conversation back to the instance holding its history; round robin splits them")
    func routingDecidesHits() throws {
        let aware = try run(.cacheAware)
        let roundRobin = try run(.roundRobin)
        // After each conversation's first turn, every turn finds its 4 blocks (2,048 of 2,148 tokens).
        let awareHits = try #require(aware.result.prefixHitRate)
        #expect(abs(awareHits - 38.0 * 2_048 / (40.0 * 2_148)) < 1e-9, "\(awareHits)")
        // Round robin with two instances and two alternating conversations also keeps them apart,
        // by accident of parity; three instances would not. Both must beat a cold cache.
        #expect((roundRobin.result.prefixHitRate ?? 0) > 0)
        // A prompt with cached blocks computes only its tail: TTFT is shorter than its cold first turn.
        let first = try #require(aware.requests[0].ttft)
        let later = try #require(aware.requests[10].ttft)
        #expect(later < first)
    }

    @Test("Prefill workers export vLLM's prefix-cache counters, in prompt tokens, unless told not to")
    func countersInTelemetry() throws {
        let outcome = try run(.cacheAware)
        let telemetry = outcome.snapshots.last?.workers.filter { $0.role == .prefill }.compactMap(\.telemetry) ?? []
        let queries = telemetry.compactMap(\.prefixCacheQueries).reduce(0, +)
        let hits = telemetry.compactMap(\.prefixCacheHits).reduce(0, +)
        #expect(queries > 0 && hits > 0 && hits < queries)
        // Prompt tokens count every prompt token, computed or found: as many as were looked up.
        #expect(telemetry.map(\.promptTokens).reduce(0, +) == queries)
        let hidden = try run(.cacheAware, exports: false)
        #expect(hidden.snapshots.last?.workers.compactMap(\.telemetry).allSatisfy { $0.prefixCacheQueries == nil } == true)
        #expect(hidden.result.prefixHitRate == outcome.result.prefixHitRate)
    }

    @Test("A trace without prefix hashes reports no cache and no hit rate")
    func noHashesNoCache() throws {
        let outcome = try Simulator.run(makeInput(trace: Traces.evenlySpaced(rate: 2, count: 20, input: 3_000, output: 5),
                                                  initial: PerRole(prefill: 1, decode: 1), recordSnapshots: true), policy: HoldPolicy())
        #expect(outcome.result.prefixHitRate == nil)
        #expect(outcome.snapshots.allSatisfy { $0.workers.allSatisfy { $0.telemetry?.prefixCacheQueries == nil } })
        let byRole = try #require(outcome.result.gpuHoursByRole)
        #expect(abs(byRole.prefill + byRole.decode - outcome.result.gpuHours) < 1e-9)
    }

    @Test("Round robin takes instances in turn whatever their load")
    func roundRobinInTurn() throws {
        var input = makeInput(trace: Traces.evenlySpaced(rate: 5, count: 9, input: 500, output: 2), initial: PerRole(prefill: 3, decode: 1))
        input.prefillRouting = .roundRobin
        let outcome = try Simulator.run(input, policy: HoldPolicy())
        let workers = outcome.requests.compactMap(\.prefillWorker)
        #expect(workers == ["prefill-0", "prefill-1", "prefill-2", "prefill-0", "prefill-1", "prefill-2", "prefill-0", "prefill-1", "prefill-2"])
    }
}

/// A KV tier in host memory behind each prefill worker's GPU cache: it keeps what the GPU
/// evicts, and a prompt found there is copied back at the tier's rate instead of computed.
@Suite struct HostKVCacheSimulationTests {
    @Test("The match goes on in host memory where the GPU's ends; every cached block is written to both tiers")
    func tieredMatch() {
        var caches = PrefillPrefixCaches(gpuBlocks: 2, hostBlocks: 10)
        caches.use([1, 2, 3, 4][...])
        #expect(caches.leadingMatch([1, 2, 3, 4, 5]) == .init(gpuBlocks: 0, hostBlocks: 4))
        caches.use([1, 2][...])
        #expect(caches.leadingMatch([1, 2, 3, 9]) == .init(gpuBlocks: 2, hostBlocks: 1))
        let gpuOnly = PrefillPrefixCaches(gpuBlocks: 2, hostBlocks: nil)
        #expect(gpuOnly.leadingMatch([1]) == .init(gpuBlocks: 0, hostBlocks: 0))
    }

    /// Conversation A, then B (whose history evicts A's from a 6-block GPU cache), then A again.
    static let evictingTrace = [0, 1000, 0].enumerated().map { turn, base in
        TraceRequest(arrival: Double(turn) * 10, inputTokens: 4 * 512 + 100, outputTokens: 2,
                     prefixBlocks: [base, base + 1, base + 2, base + 3, 500 + turn])
    }

    func run(host: HostKVCache?) throws -> SimulationOutcome {
        var profile = Profile.llama3_8B_H100
        profile.decode.kvCapacityTokens = 6 * 512
        var input = makeInput(trace: Self.evictingTrace, profile: profile, initial: PerRole(prefill: 1, decode: 1))
        input.prefillRouting = .cacheAware
        input.hostKVCache = host
        return try Simulator.run(input, policy: HoldPolicy())
    }

    @Test("History the GPU evicted is found in host memory; its copy back is part of the turn's TTFT")
    func hostTierKeepsEvictedHistory() throws {
        let gpuOnly = try run(host: nil)
        #expect(gpuOnly.result.prefixHitRate == 0)
        let rate = 8e9
        let tiered = try run(host: HostKVCache(bytesPerWorker: 1e12, loadBytesPerSecond: rate))
        #expect(abs(try #require(tiered.result.prefixHitRate) - 2_048.0 / (3 * 2_148)) < 1e-12)
        let instant = try run(host: HostKVCache(bytesPerWorker: 1e12, loadBytesPerSecond: 1e30))
        let copy = 2_048 * Profile.llama3_8B_H100.kvBytesPerToken / rate
        let (slow, fast) = (try #require(tiered.requests[2].ttft), try #require(instant.requests[2].ttft))
        #expect(abs(slow - fast - copy) < 1e-9, "\(slow) - \(fast) vs \(copy)")
        #expect(fast < (try #require(gpuOnly.requests[2].ttft)))
    }

    @Test("A host tier the input cannot use is refused with the figure at fault")
    func invalidTierRefused() throws {
        for host in [HostKVCache(bytesPerWorker: -1), HostKVCache(bytesPerWorker: 1e9, loadBytesPerSecond: 0)] {
            #expect(throws: SimulationInputError.self) { try run(host: host) }
        }
        let capacity = HostKVCache(bytesPerWorker: 2 * 512 * 131_072).capacityBlocks(kvBytesPerToken: 131_072, blockTokens: 512)
        #expect(capacity == 2)
    }
}
