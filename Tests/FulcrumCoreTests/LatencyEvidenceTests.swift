@testable import FulcrumCore
import Testing

/// What a latency miss or a queue is evidence of: too little capacity, capacity already on its
/// way, prompts no instance can serve in time, or a router that left work on one worker.
@Suite("Latency and queue evidence")
struct LatencyEvidenceTests {
    struct Worker {
        var role: Role
        var waiting: Double = 0
        var running: Double = 1
        var kv: Double?
    }

    /// Ten ticks of 10 s with `rate` req/s of 1,000/200 tokens and the caller's own latency
    /// percentiles, on ready workers reporting the given queues; `lastTick` replaces the rate
    /// and TTFT of the tenth.
    private func run(_ workers: [Worker], rate: Double = 40, ttft: Double? = nil, tpot: Double? = nil,
                     lastTick: (rate: Double, ttft: Double)? = nil) -> Decision {
        var fixture = ClusterFixture(nodeCount: 2, gpusPerNode: 8)
        for (index, worker) in workers.enumerated() {
            fixture.add(worker.role, node: "node\(index / 8)", gpus: [index % 8])
        }
        var controller = Controller(configuration: .standard())
        var decision: Decision?
        for tick in 1...10 {
            let now = Double(tick) * 10
            for (index, worker) in workers.enumerated() {
                fixture.workers[index].telemetry = telemetry(
                    at: now, finished: 0, promptTokens: 0, generationTokens: 0,
                    waiting: worker.waiting, running: worker.running, kv: worker.kv)
            }
            var snapshot = fixture.snapshot(at: now)
            let (tickRate, tickTTFT) = tick == 10 ? lastTick.map { ($0.rate, $0.ttft) } ?? (rate, ttft) : (rate, ttft)
            snapshot.traffic = TrafficWindow(durationSeconds: 10, requests: tickRate * 10, meanInputTokens: 1_000, meanOutputTokens: 200,
                                             ttftSeconds: tickTTFT, interTokenLatencySeconds: tpot)
            decision = controller.decide(snapshot)
        }
        return decision!
    }

    @Test("A TTFT miss while too few instances run is the shortfall being fixed, not a slower instance")
    func shortfallIsNotCorrected() {
        let decision = run([Worker(role: .prefill, waiting: 200), Worker(role: .decode)], ttft: 10)
        #expect(decision.estimate.corrections.prefill == 1)
        // 40 req/s × 1,000 tokens on 10k tok/s instances: about five, not twice that.
        #expect(decision.recommended.prefill <= 7)
        #expect(decision.recommended.prefill >= 5)
    }

    @Test("A TTFT miss with queues on instances the model says suffice lowers the capacity estimate")
    func queueingMissIsCorrected() {
        let workers = (0..<8).map { _ in Worker(role: .prefill, waiting: 3) } + [Worker(role: .decode), Worker(role: .decode)]
        let decision = run(workers, ttft: 2)
        // Tightened by the 20 % step once per 60 s latency window over the 100 s run: twice.
        #expect(abs(decision.estimate.corrections.prefill - 0.64) < 1e-9)
        #expect(decision.reasons.contains { $0.code == .ttftCorrection })
    }

    @Test("A TTFT miss on instances loaded past what the queue model plans for is that queue, not a slower instance")
    func predictedQueueIsNotCorrected() {
        let workers = (0..<8).map { _ in Worker(role: .prefill, waiting: 3) } + [Worker(role: .decode), Worker(role: .decode)]
        // 78 req/s × 1,000 tokens on eight 10k tok/s instances: 97.5 % of what they can do,
        // within it by the estimate but past the utilisation the model plans for (at most 95 %).
        let decision = run(workers, rate: 78, ttft: 2)
        #expect(78_000 > 8 * 10_000 * decision.estimate.utilisationTarget.prefill)
        #expect(decision.estimate.corrections.prefill == 1)
        #expect(!decision.reasons.contains { $0.code == .ttftCorrection })
        #expect(decision.recommended.prefill > 8)
    }

    @Test("A burst's own tick is judged at its demand, not at the smoothed level still lagging behind it")
    func burstTickIsNotCorrected() {
        let workers = (0..<8).map { _ in Worker(role: .prefill, waiting: 3) } + [Worker(role: .decode), Worker(role: .decode)]
        // 90 s at half the tier's capacity, then a tick at 78 req/s that misses TTFT: the 30 s
        // level is still near 50 k tokens/s, the tick 78 k, past what eight instances are planned for.
        let decision = run(workers, rate: 40, lastTick: (rate: 78, ttft: 2))
        #expect(decision.estimate.corrections.prefill == 1)
        let calm = run(workers, rate: 40, lastTick: (rate: 40, ttft: 2))
        #expect(calm.estimate.corrections.prefill < 1, "the same miss at the planned load does correct")
    }

    @Test("A TTFT miss with no prefill queue is long prompts: said, and no prefill added for it")
    func longPromptsAreNotCapacity() {
        let workers = (0..<8).map { _ in Worker(role: .prefill) } + [Worker(role: .decode), Worker(role: .decode)]
        let decision = run(workers, ttft: 3)
        #expect(decision.estimate.corrections.prefill == 1)
        #expect(decision.estimate.ttftNotCapacity)
        #expect(decision.reasons.contains { $0.code == .ttftNotCapacity })
        #expect(decision.recommended.prefill < 8)
    }

    @Test("A queue on one worker while others idle is a routing problem, not backlog")
    func routingImbalance() {
        let workers = [Worker(role: .prefill, waiting: 30), Worker(role: .prefill, running: 0), Worker(role: .prefill, running: 0),
                       Worker(role: .decode)]
        let decision = run(workers, rate: 5)
        #expect(decision.estimate.routingImbalance.prefill)
        #expect(decision.estimate.backlog.prefill == 0)
        #expect(decision.reasons.contains { $0.code == .routingImbalance && $0.role == .prefill })
        let spread = run([Worker(role: .prefill, waiting: 10), Worker(role: .prefill, waiting: 10), Worker(role: .prefill, waiting: 10),
                          Worker(role: .decode)], rate: 5)
        #expect(!spread.estimate.routingImbalance.prefill)
        #expect(spread.estimate.backlog.prefill > 0)
    }

    @Test("A full KV cache with TPOT well within target is a well-packed decode tier, not pressure")
    func kvPressureNeedsLatency() {
        let prefill = (0..<4).map { _ in Worker(role: .prefill) }
        let relaxed = run(prefill + [Worker(role: .decode, kv: 0.97), Worker(role: .decode, kv: 0.97)], rate: 5, tpot: 0.01)
        #expect(relaxed.estimate.corrections.decode == 1)
        let strained = run(prefill + [Worker(role: .decode, kv: 0.97), Worker(role: .decode, kv: 0.97)], rate: 5, tpot: 0.048)
        #expect(strained.estimate.corrections.decode <= 0.9)
    }
}
