@testable import FulcrumCore
import Testing

/// Prefill sized on the tokens it computes: prompt tokens less what the prefix caches hold,
/// and the KV hand-off to decode as part of the TTFT budget.
@Suite struct PrefixCacheTests {
    /// A cluster of `prefill` and `decode` one-GPU workers, ready.
    static func cluster(prefill: Int, decode: Int) -> ClusterFixture {
        var cluster = ClusterFixture(nodeCount: 8)
        for gpu in 0..<prefill { cluster.add(.prefill, gpus: [gpu]) }
        for gpu in 0..<decode { cluster.add(.decode, gpus: [prefill + gpu]) }
        return cluster
    }

    /// Two scrapes of two prefill workers: one with vLLM-style counters, one with a hit-rate
    /// gauge; both queued, so both give capacity samples.
    @Test("The interval's hit rate pools counters and gauges by prompt tokens; capacity samples count computed tokens")
    func observerPoolsCacheSignals() {
        var cluster = Self.cluster(prefill: 2, decode: 1)
        let ids = cluster.workers.filter { $0.role == .prefill }.map(\.id)
        func scrape(_ time: Double, prompt: Double, transfers: Double, seconds: Double) {
            var counters = telemetry(at: time, finished: prompt / 1_000, promptTokens: prompt, generationTokens: 0, waiting: 4, running: 2)
            counters.prefixCacheQueries = prompt
            counters.prefixCacheHits = prompt * 0.4
            counters.kvTransfers = transfers
            counters.kvTransferSecondsTotal = seconds
            cluster.update(ids[0]) { $0.telemetry = counters }
            var gauge = telemetry(at: time, finished: prompt / 1_000, promptTokens: prompt, generationTokens: 0, waiting: 4, running: 2)
            gauge.prefixCacheHitRate = 0.5
            cluster.update(ids[1]) { $0.telemetry = gauge }
        }
        let configuration = ControllerConfiguration.standard()
        scrape(0, prompt: 0, transfers: 0, seconds: 0)
        let (_, memory) = IntervalObserver.observe(cluster.snapshot(at: 0), memory: ObservationMemory(), configuration: configuration)
        scrape(10, prompt: 100_000, transfers: 100, seconds: 20)
        let (observation, _) = IntervalObserver.observe(cluster.snapshot(at: 10), memory: memory, configuration: configuration)
        #expect(observation.prefixHitRate == 0.45)
        #expect(observation.saturatedThroughput.prefill.sorted() == [5_000, 6_000])
        // Transfer time from the counters: 20 s over 100 transfers.
        #expect(observation.kvTransferSeconds == 0.2)
        // Prompt lengths are still the prompts that arrived.
        #expect(observation.meanInputTokens == 1_000)
    }

    @Test("A prefill shrink is planned on the hit rate the remaining instances keep, and says so")
    func shrinkCountsTheCachesItDrains() {
        // 48,000 computed tokens/s at 10,000 per instance and full utilisation: 4.8, so 5.
        var input = RateMatcherTests.input(demandP: 48_000, demandD: 1_000, capP: 10_000, capD: 10_000,
                                           gp: 1, gd: 1, budget: 64, isl: 4_000, osl: 100)
        input.utilisation = PerRole(repeating: 1)
        func solve(running: Int, hitRate: Double?) -> (prefill: Int, reasons: [DecisionReason]) {
            var reasons: [DecisionReason] = []
            let result = Controller.solvingForCachesLeft(input, current: PerRole(prefill: running, decode: 1),
                                                         hitRate: hitRate, reasons: &reasons)
            return (result.instances.prefill, reasons)
        }
        // 6 → 5 at a 40 % hit rate leaves about 33 %: 48,000 × 0.667 / 0.6 = 53,333 tokens/s, 6 instances.
        let held = solve(running: 6, hitRate: 0.4)
        #expect(held.prefill == 6)
        #expect(held.reasons.map(\.code) == [.prefixCachesDrained])
        // 10 → 5 leaves 20 %: 64,000 tokens/s, 7 instances; the shrink goes ahead that far.
        #expect(solve(running: 10, hitRate: 0.4).prefill == 7)
        // A hit rate of 5 % moves 4.8 only to 4.84: the shrink to 5 stands, silently.
        let small = solve(running: 6, hitRate: 0.05)
        #expect(small.prefill == 5 && small.reasons.isEmpty)
        // No caches, or no shrink: the rate matcher's answer as it is.
        #expect(solve(running: 6, hitRate: nil).prefill == 5)
        #expect(solve(running: 5, hitRate: 0.4).prefill == 5)
        #expect(solve(running: 3, hitRate: 0.4).prefill == 5)
    }

    @Test("With half of every prompt cached, prefill is sized for half the tokens; decode is unchanged")
    func cachedPromptsNeedLessPrefill() {
        func run(hitRate: Double?) -> (prefill: Int, decode: Int, decision: Decision) {
            var driver = TrafficDriver(cluster: Self.cluster(prefill: 2, decode: 2), configuration: .standard(maxGPUs: 64))
            var decision = driver.tick(rate: 40, isl: 4_000, osl: 100, prefixHitRate: hitRate)
            for _ in 0..<150 { decision = driver.tick(rate: 40, isl: 4_000, osl: 100, prefixHitRate: hitRate) }
            return (driver.count(.prefill), driver.count(.decode), decision)
        }
        let uncached = run(hitRate: nil)
        let cached = run(hitRate: 0.5)
        #expect(uncached.decision.estimate.prefixHitRate == nil)
        #expect(uncached.decision.estimate.effectiveInputTokens == uncached.decision.estimate.meanInputTokens)
        #expect(abs((cached.decision.estimate.prefixHitRate ?? 0) - 0.5) < 1e-9)
        #expect(abs((cached.decision.estimate.effectiveInputTokens ?? 0) - 2_000) < 1)
        #expect(cached.decision.reasons.contains { $0.code == .prefixCacheHits })
        #expect(cached.prefill < uncached.prefill, "cached \(cached.prefill) vs uncached \(uncached.prefill)")
        #expect(Double(cached.prefill) <= Double(uncached.prefill) * 0.6 + 1)
        #expect(cached.decode == uncached.decode)
    }

    @Test("Zeros from an engine that counts no tokens are not read as empty prompts or as capacity")
    func uncountedTokensAreNoEvidence() {
        var cluster = Self.cluster(prefill: 1, decode: 1)
        let id = cluster.workers.first { $0.role == .prefill }!.id
        let configuration = ControllerConfiguration.standard()
        var before = telemetry(at: 0, finished: 0, promptTokens: 0, generationTokens: 0, waiting: 3, running: 2)
        before.countsTokens = false
        cluster.update(id) { $0.telemetry = before }
        let (_, memory) = IntervalObserver.observe(cluster.snapshot(at: 0), memory: ObservationMemory(), configuration: configuration)
        var after = telemetry(at: 10, finished: 50, promptTokens: 0, generationTokens: 0, waiting: 3, running: 2)
        after.countsTokens = false
        cluster.update(id) { $0.telemetry = after }
        let (observation, _) = IntervalObserver.observe(cluster.snapshot(at: 10), memory: memory, configuration: configuration)
        #expect(observation.meanInputTokens == nil)
        #expect(observation.saturatedThroughput.prefill.isEmpty)
        #expect(observation.arrivalRate == 5)
    }

    @Test("The KV hand-off comes out of the TTFT budget prefill is sized for; at half the target it dominates")
    func handoffShrinksTheBudget() {
        let configuration = ControllerConfiguration.standard()
        let plain = Estimator.prefillUtilisation(demand: 50_000, capacity: 10_000, isl: 2_000, burstiness: 1, configuration: configuration)
        let slowLink = Estimator.prefillUtilisation(demand: 50_000, capacity: 10_000, isl: 2_000, handoffSeconds: 0.3,
                                                    burstiness: 1, configuration: configuration)
        #expect(slowLink < plain)
        #expect(!Estimator.handoffDominates(nil, configuration: configuration))
        #expect(!Estimator.handoffDominates(0.3, configuration: configuration))
        #expect(Estimator.handoffDominates(0.5, configuration: configuration))
    }

    @Test("A reported hand-off is carried in the estimate")
    func handoffIsReported() {
        var driver = TrafficDriver(cluster: Self.cluster(prefill: 2, decode: 2), configuration: .standard(maxGPUs: 64))
        var decision = driver.tick(rate: 10, kvTransferSeconds: 0.12)
        for _ in 0..<5 { decision = driver.tick(rate: 10, kvTransferSeconds: 0.12) }
        #expect(abs((decision.estimate.kvTransferSeconds ?? 0) - 0.12) < 1e-9)
        #expect(!decision.estimate.ttftHandoffBound)
    }
}
