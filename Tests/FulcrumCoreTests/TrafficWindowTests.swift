@testable import FulcrumCore
import Testing

@Suite("Traffic windows from embedding callers")
struct TrafficWindowTests {
    private func windowSnapshot(_ fixture: ClusterFixture, at time: Double, _ window: TrafficWindow?, frontend: FrontendTelemetry? = nil) -> ClusterSnapshot {
        var snapshot = fixture.snapshot(at: time, frontend: frontend)
        snapshot.traffic = window
        return snapshot
    }

    @Test("A window is a direct measurement of arrivals and lengths")
    func windowMeasuresTraffic() {
        var fixture = ClusterFixture()
        fixture.add(.prefill, gpus: [0])
        fixture.add(.decode, gpus: [1])
        let (observation, _) = IntervalObserver.observe(
            windowSnapshot(fixture, at: 100, TrafficWindow(durationSeconds: 20, requests: 100, meanInputTokens: 1_500, meanOutputTokens: 250)),
            memory: ObservationMemory(), configuration: .standard())
        #expect(observation.arrivalRate == 5)
        #expect(observation.meanInputTokens == 1_500)
        #expect(observation.meanOutputTokens == 250)
    }

    @Test("The frontend's counters win over a window when both are given")
    func frontendWins() {
        var fixture = ClusterFixture()
        fixture.add(.prefill, gpus: [0])
        let first = FrontendTelemetry(scrapedAt: Timestamp(seconds: 90), requestsArrived: 0, inputTokens: 0, outputTokens: 0, requestsCompleted: 0)
        let second = FrontendTelemetry(scrapedAt: Timestamp(seconds: 100), requestsArrived: 30, inputTokens: 30_000, outputTokens: 3_000, requestsCompleted: 30)
        let window = TrafficWindow(durationSeconds: 10, requests: 500, meanInputTokens: 99, meanOutputTokens: 99)
        let (_, memory) = IntervalObserver.observe(windowSnapshot(fixture, at: 90, window, frontend: first), memory: ObservationMemory(), configuration: .standard())
        let (observation, _) = IntervalObserver.observe(windowSnapshot(fixture, at: 100, window, frontend: second), memory: memory, configuration: .standard())
        #expect(observation.arrivalRate == 3)
        #expect(observation.meanInputTokens == 1_000)
    }

    @Test("The caller's latency percentile is used when no histogram is trusted")
    func windowLatency() {
        var fixture = ClusterFixture()
        fixture.add(.prefill, gpus: [0])
        let window = TrafficWindow(durationSeconds: 10, requests: 40, ttftSeconds: 1.7, interTokenLatencySeconds: 0.08)
        let (observation, _) = IntervalObserver.observe(windowSnapshot(fixture, at: 100, window), memory: ObservationMemory(), configuration: .standard())
        #expect(observation.ttftQuantile == 1.7)
        #expect(observation.tpotQuantile == 0.08)
        let empty = TrafficWindow(durationSeconds: 10, requests: 0, ttftSeconds: 1.7)
        let (idle, _) = IntervalObserver.observe(windowSnapshot(fixture, at: 100, empty), memory: ObservationMemory(), configuration: .standard())
        #expect(idle.ttftQuantile == nil)
        #expect(idle.arrivalRate == 0)
    }

    @Test("Workers without telemetry are not stale when the caller sends windows; the controller acts")
    func windowOnlyCallersAreNotHeld() {
        var fixture = ClusterFixture()
        fixture.add(.prefill, gpus: [0])
        fixture.add(.decode, gpus: [1])
        var controller = Controller(configuration: .standard())
        var decision: Decision?
        for tick in 0..<30 {
            let window = TrafficWindow(durationSeconds: 10, requests: 400, meanInputTokens: 4_000, meanOutputTokens: 300)
            decision = controller.decide(windowSnapshot(fixture, at: Double(tick) * 10, window))
        }
        let last = decision!
        #expect(!last.has(.telemetryStale))
        #expect(last.desired.prefill > 1)
        #expect(!last.actions.isEmpty)

        // Without a window the same telemetry-less cluster is held, as before.
        var held = Controller(configuration: .standard())
        let without = held.decide(fixture.snapshot(at: 0))
        #expect(without.has(.telemetryStale))
    }

    @Test("Flat traffic is never reported as rising, however much headroom the plan keeps; a ramp is")
    func forecastRisingOnlyWithATrend() {
        var fixture = ClusterFixture()
        fixture.add(.prefill, gpus: [0])
        fixture.add(.decode, gpus: [1])
        var flat = Controller(configuration: .standard())
        var rising = Controller(configuration: .standard())
        var flatDecision: Decision?, risingDecision: Decision?
        for tick in 0..<30 {
            var flatSnapshot = fixture.snapshot(at: Double(tick) * 10)
            flatSnapshot.traffic = TrafficWindow(durationSeconds: 10, requests: 100, meanInputTokens: 1_000, meanOutputTokens: 200)
            flatDecision = flat.decide(flatSnapshot)
            var risingSnapshot = fixture.snapshot(at: Double(tick) * 10)
            risingSnapshot.traffic = TrafficWindow(durationSeconds: 10, requests: 20 + Double(tick) * 10, meanInputTokens: 1_000, meanOutputTokens: 200)
            risingDecision = rising.decide(risingSnapshot)
        }
        #expect(flatDecision!.estimate.forecastArrivalRate > flatDecision!.estimate.arrivalRate)
        #expect(!flatDecision!.has(.forecastRising))
        #expect(risingDecision!.has(.forecastRising))
    }
}

@Suite("Prefill priors with attention")
struct PrefillAttentionTests {
    @Test("The quadratic term slows long prompts and leaves short ones nearly untouched")
    func attentionSlowsLongPrompts() {
        let prior = PrefillPerformance(tokensPerSecond: 10_000, batchOverheadSeconds: 0.005, attentionSecondsPerTokenSquared: 2e-9)
        #expect(prior.tokensPerSecond(promptTokens: nil) == 10_000)
        #expect(abs(prior.tokensPerSecond(promptTokens: 100) - 10_000) < 30)
        // 1 / (1e-4 + 2e-9 × 6000) = 1 / 1.12e-4 ≈ 8,929 tokens/s.
        #expect(abs(prior.tokensPerSecond(promptTokens: 6_000) - 8_928.6) < 1)
        #expect(abs(prior.serviceTime(inputTokens: 6_000) - (0.005 + 0.6 + 0.072)) < 1e-9)
        let linear = PrefillPerformance(tokensPerSecond: 10_000)
        #expect(linear.tokensPerSecond(promptTokens: 6_000) == 10_000)
    }

    @Test("The estimator plans prefill capacity at the prompt lengths it sees")
    func estimatorUsesPromptLength() {
        var fixture = ClusterFixture()
        fixture.add(.prefill, gpus: [0])
        fixture.add(.decode, gpus: [1])
        func capacity(isl: Double, attention: Double?) -> Double? {
            var configuration = ControllerConfiguration.standard()
            configuration.priors.prefill = PrefillPerformance(tokensPerSecond: 10_000, attentionSecondsPerTokenSquared: attention)
            var state = EstimatorState(configuration: configuration)
            var snapshot = fixture.snapshot(at: 10)
            snapshot.traffic = TrafficWindow(durationSeconds: 10, requests: 50, meanInputTokens: isl, meanOutputTokens: 100)
            return Estimator.update(&state, snapshot: snapshot, configuration: configuration).capacityPerInstance.prefill
        }
        #expect(capacity(isl: 6_000, attention: nil) == 10_000)
        let long = capacity(isl: 6_000, attention: 2e-9) ?? 0
        let short = capacity(isl: 500, attention: 2e-9) ?? 0
        #expect(long < short)
        #expect(abs(long - 8_928.6) < 1)
    }
}

@Suite("Burstiness of arrivals")
struct BurstinessTests {
    private func run(counts: [Double]) -> TrafficEstimate {
        var fixture = ClusterFixture()
        fixture.add(.prefill, gpus: [0])
        fixture.add(.decode, gpus: [1])
        let configuration = ControllerConfiguration.standard()
        var state = EstimatorState(configuration: configuration)
        var estimate: TrafficEstimate?
        for (index, count) in counts.enumerated() {
            var snapshot = fixture.snapshot(at: Double(index + 1) * 10)
            snapshot.traffic = TrafficWindow(durationSeconds: 10, requests: count, meanInputTokens: 1_000, meanOutputTokens: 100)
            estimate = Estimator.update(&state, snapshot: snapshot, configuration: configuration)
        }
        return estimate!
    }

    @Test("Counts that vary as much as Poisson ones count as Poisson, and change nothing")
    func poissonLike() {
        // 100, 114, 100, 86, …: variance ≈ mean, the Poisson signature, and neighbouring ticks
        // differ by about what independent Poisson counts would.
        let estimate = run(counts: (0..<60).map { [100, 114, 100, 86][$0 % 4] })
        #expect(estimate.arrivalBurstiness == 1)
        let capacity = estimate.capacityPerInstance.prefill
        #expect(estimate.utilisationTarget.prefill == Estimator.prefillUtilisation(
            demand: estimate.demand.prefill, capacity: capacity.map { $0 * estimate.corrections.prefill }, isl: 1_000,
            burstiness: 1, configuration: .standard()))
    }

    @Test("Bursts are measured, and prefill plans with more headroom for them")
    func bursts() {
        // The same mean, arriving as nothing, then a crowd.
        let bursty = run(counts: (0..<60).map { $0 % 2 == 0 ? 0 : 200 })
        let steady = run(counts: (0..<60).map { _ in 100 })
        #expect(bursty.arrivalBurstiness > 2)
        #expect(bursty.arrivalBurstiness <= ControllerConfiguration.Estimation().maxBurstiness)
        #expect(steady.arrivalBurstiness == 1)
        #expect(bursty.utilisationTarget.prefill < steady.utilisationTarget.prefill)
    }

    @Test("A rate that ramps or swings smoothly is not mistaken for bursts")
    func rampIsNotBursty() {
        // 100 → 1,000 requests a tick and back: a tenfold swing with no clumps at all. A level
        // that lags such a rate once read it as bursts and sized prefill for clumps.
        let ramp = (0..<60).map { Double(100 + 30 * min($0, 59 - $0)) }
        #expect(run(counts: ramp).arrivalBurstiness == 1)
    }

    @Test("Idle minutes between bursts do not wash their burstiness out; Poisson-like traffic does, tick by tick")
    func idleMinutesKeepBurstiness() {
        // Clumped ticks, then six idle minutes (too few requests to measure anything), then a
        // trickle picking up: the trickle's first samples speak for their ticks, not for the
        // idle minutes before them, so the bursts are still remembered when the next one comes.
        let clumped = (0..<60).map { $0 % 2 == 0 ? 14.0 : 26 }
        let idle = [4.0] + Array(repeating: 0, count: 36)
        let trickle = [3.0, 6, 9] + Array(repeating: 12, count: 10)
        #expect(run(counts: clumped + idle + trickle).arrivalBurstiness > 2)
        // Ten minutes of Poisson-like traffic after the idle minutes do replace them.
        let poisson = (0..<60).map { [100.0, 114, 100, 86][$0 % 4] }
        #expect(run(counts: clumped + idle + poisson).arrivalBurstiness == 1)
    }

    @Test("Too few samples, or too few requests per tick, say nothing about bursts")
    func notEnoughEvidence() {
        #expect(run(counts: [0, 200, 0, 200]).arrivalBurstiness == 1)
        #expect(run(counts: (0..<60).map { $0 % 2 == 0 ? 0 : 4 }).arrivalBurstiness == 1)
    }
}
