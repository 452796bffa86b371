import Testing
@testable import FulcrumCore

@Suite("Estimation from scraped counters")
struct EstimatorTests {
    let configuration = ControllerConfiguration.standard()

    @Test("arrival rate, mean input and output lengths come from counter deltas")
    func ratesFromCounterDeltas() throws {
        var cluster = ClusterFixture()
        let prefill = cluster.add(.prefill, gpus: [0], telemetry: telemetry(at: 0, finished: 1_000, promptTokens: 1_000_000, generationTokens: 1_000))
        let decode = cluster.add(.decode, gpus: [1], telemetry: telemetry(at: 0, finished: 900, promptTokens: 900_000, generationTokens: 180_000))
        var memory = ObservationMemory()
        (_, memory) = IntervalObserver.observe(cluster.snapshot(at: 0), memory: memory, configuration: configuration)

        // In 10 s: 100 requests of 2,000 prompt tokens prefilled; 50 finished decoding with 300 tokens each.
        cluster.update(prefill) { $0.telemetry = telemetry(at: 10, finished: 1_100, promptTokens: 1_200_000, generationTokens: 1_100) }
        cluster.update(decode) { $0.telemetry = telemetry(at: 10, finished: 950, promptTokens: 1_000_000, generationTokens: 195_000) }
        let (observation, _) = IntervalObserver.observe(cluster.snapshot(at: 10), memory: memory, configuration: configuration)
        #expect(try #require(observation.arrivalRate) == 10)
        #expect(try #require(observation.meanInputTokens) == 2_000)
        #expect(try #require(observation.meanOutputTokens) == 300)
    }

    @Test("arrivals count the growth of queued work, so an overloaded tier does not hide demand")
    func arrivalsIncludeQueueGrowth() throws {
        var cluster = ClusterFixture()
        let prefill = cluster.add(.prefill, gpus: [0], telemetry: telemetry(at: 0, finished: 0, promptTokens: 0, generationTokens: 0, waiting: 10, running: 2))
        var memory = ObservationMemory()
        (_, memory) = IntervalObserver.observe(cluster.snapshot(at: 0), memory: memory, configuration: configuration)
        cluster.update(prefill) { $0.telemetry = telemetry(at: 10, finished: 50, promptTokens: 50_000, generationTokens: 50, waiting: 60, running: 2) }
        let (observation, _) = IntervalObserver.observe(cluster.snapshot(at: 10), memory: memory, configuration: configuration)
        // 50 finished + 50 more queued in 10 s = 10 req/s arriving.
        #expect(try #require(observation.arrivalRate) == 10)
    }

    @Test("a counter reset counts the new value, never a negative rate")
    func counterReset() throws {
        var cluster = ClusterFixture()
        let prefill = cluster.add(.prefill, gpus: [0], telemetry: telemetry(at: 0, finished: 5_000, promptTokens: 5_000_000, generationTokens: 5_000))
        var memory = ObservationMemory()
        (_, memory) = IntervalObserver.observe(cluster.snapshot(at: 0), memory: memory, configuration: configuration)
        // The worker restarted: counters begin again at zero and now read 20 requests.
        cluster.update(prefill) { $0.telemetry = telemetry(at: 10, finished: 20, promptTokens: 30_000, generationTokens: 20) }
        let (observation, _) = IntervalObserver.observe(cluster.snapshot(at: 10), memory: memory, configuration: configuration)
        #expect(try #require(observation.arrivalRate) == 2)
        #expect(try #require(observation.meanInputTokens) == 1_500)
    }

    @Test("a worker seen for the first time contributes no delta; a vanished one is simply absent")
    func missingWorkers() {
        var cluster = ClusterFixture()
        cluster.add(.prefill, gpus: [0], telemetry: telemetry(at: 10, finished: 9_999, promptTokens: 1e7, generationTokens: 9_999))
        let (observation, memory) = IntervalObserver.observe(cluster.snapshot(at: 10), memory: ObservationMemory(), configuration: configuration)
        #expect(observation.arrivalRate == nil)
        let empty = ClusterFixture()
        let (next, _) = IntervalObserver.observe(empty.snapshot(at: 20), memory: memory, configuration: configuration)
        #expect(next.arrivalRate == nil)
    }

    @Test("capacity is learned only from intervals in which the queue stayed non-empty")
    func capacityFromSaturatedSamplesOnly() throws {
        let noPriors = ControllerConfiguration.standard(priors: PerformancePriors())
        var state = EstimatorState(configuration: noPriors)
        var cluster = ClusterFixture()
        let prefill = cluster.add(.prefill, gpus: [0], telemetry: telemetry(at: 0, finished: 0, promptTokens: 0, generationTokens: 0))
        _ = Estimator.update(&state, snapshot: cluster.snapshot(at: 0), configuration: noPriors)

        // Idle interval: 3,000 tok/s served with an empty queue is demand, not capacity.
        cluster.update(prefill) { $0.telemetry = telemetry(at: 10, finished: 30, promptTokens: 30_000, generationTokens: 30, waiting: 5) }
        var estimate = Estimator.update(&state, snapshot: cluster.snapshot(at: 10), configuration: noPriors)
        #expect(estimate.capacityPerInstance.prefill == nil)
        #expect(estimate.capacitySamples.prefill == 0)

        // Queue non-empty at both ends: 8,000 tok/s is what the instance can do.
        cluster.update(prefill) { $0.telemetry = telemetry(at: 20, finished: 110, promptTokens: 110_000, generationTokens: 110, waiting: 7) }
        estimate = Estimator.update(&state, snapshot: cluster.snapshot(at: 20), configuration: noPriors)
        #expect(estimate.capacitySamples.prefill == 1)
        #expect(try #require(estimate.capacityPerInstance.prefill) == 8_000)
    }

    @Test("with a prior, saturated samples move the estimate by their weight against the prior's")
    func capacityBlendsWithPrior() throws {
        var state = EstimatorState(configuration: configuration)
        var cluster = ClusterFixture()
        let prefill = cluster.add(.prefill, gpus: [0], telemetry: telemetry(at: 0, finished: 0, promptTokens: 0, generationTokens: 0, waiting: 3))
        _ = Estimator.update(&state, snapshot: cluster.snapshot(at: 0), configuration: configuration)
        // The prior says 10,000 tok/s; the instance does 5,000 while saturated.
        cluster.update(prefill) { $0.telemetry = telemetry(at: 10, finished: 50, promptTokens: 50_000, generationTokens: 50, waiting: 3) }
        let estimate = Estimator.update(&state, snapshot: cluster.snapshot(at: 10), configuration: configuration)
        // Ratio (10·1 + 0.5) / (10 + 1) of the prior.
        let expected = 10_000 * (10 + 0.5) / 11
        #expect(abs(try #require(estimate.capacityPerInstance.prefill) - expected) < 1e-6)
    }

    @Test("start-up time is learned from starting → ready transitions")
    func startupLearning() {
        var state = EstimatorState(configuration: configuration)
        var cluster = ClusterFixture()
        let worker = cluster.add(.decode, gpus: [0], lifecycle: .starting, startedAt: 100)
        _ = Estimator.update(&state, snapshot: cluster.snapshot(at: 110), configuration: configuration)
        cluster.update(worker) {
            $0.lifecycle = .ready
            $0.readyAt = Timestamp(seconds: 340)
        }
        _ = Estimator.update(&state, snapshot: cluster.snapshot(at: 345), configuration: configuration)
        // Prior 180 s as one pseudo-sample, one observation of 240 s: (180 + 240) / 2.
        #expect(state.startupSamples == 1)
        #expect(state.startupSeconds == 210)
    }

    @Test("a rising arrival rate is forecast one start-up time ahead")
    func forecastFollowsTrend() {
        var state = EstimatorState(configuration: configuration)
        var cluster = ClusterFixture()
        let prefill = cluster.add(.prefill, gpus: [0], telemetry: telemetry(at: 0, finished: 0, promptTokens: 0, generationTokens: 0))
        var finished = 0.0
        var estimate: TrafficEstimate?
        // The rate grows by 0.01 req/s every second.
        for tick in 1...60 {
            let time = Double(tick) * 10
            finished += 10 * 0.01 * time
            cluster.update(prefill) { $0.telemetry = telemetry(at: time, finished: finished, promptTokens: finished * 1_000, generationTokens: finished) }
            estimate = Estimator.update(&state, snapshot: cluster.snapshot(at: time), configuration: configuration)
        }
        guard let estimate else { Issue.record("no estimate"); return }
        #expect(estimate.arrivalTrend > 0.005)
        #expect(estimate.forecastArrivalRate > estimate.arrivalRate)
        #expect(estimate.forecastArrivalRate <= estimate.arrivalRate * configuration.estimation.maxForecastGrowth)
    }

    @Test("latency above target shrinks the planned capacity, bounded, and it recovers once latency is fine")
    func latencyCorrection() throws {
        var state = EstimatorState(configuration: configuration)
        var cluster = ClusterFixture()
        let bounds = [0.1, 0.5, 1, 2.5, 5]
        func ttft(_ slow: Double, _ fast: Double) -> CumulativeHistogram {
            CumulativeHistogram(bounds: bounds, countsPerBucket: [fast, 0, 0, 0, slow, 0], sum: 0)
        }
        let prefill = cluster.add(.prefill, gpus: [0], telemetry: {
            var t = telemetry(at: 0, finished: 0, promptTokens: 0, generationTokens: 0)
            t.timeToFirstToken = ttft(0, 0)
            return t
        }())
        _ = Estimator.update(&state, snapshot: cluster.snapshot(at: 0), configuration: configuration)
        var slow = 0.0
        var fast = 0.0
        var time = 0.0
        var corrections: [Double] = []
        for _ in 0..<40 {
            time += 10
            slow += 10
            // Requests queue on the instance at a tenth of its estimated capacity, well within
            // what the queue model plans for one instance: the miss is an estimate too high.
            cluster.update(prefill) {
                $0.telemetry = telemetry(at: time, finished: slow + fast, promptTokens: (slow + fast) * 1_000, generationTokens: slow + fast, waiting: 5)
                $0.telemetry?.timeToFirstToken = ttft(slow, fast)
            }
            _ = Estimator.update(&state, snapshot: cluster.snapshot(at: time), configuration: configuration)
            corrections.append(state.corrections.prefill)
        }
        // A miss at twice the target tightens by the 20 % step, once per 60 s latency window,
        // down to the bound.
        let step = 1 - configuration.estimation.correctionStep
        let first = try #require(corrections.firstIndex { $0 < 1 })
        #expect(corrections[first...(first + 5)].allSatisfy { abs($0 - step) < 1e-9 })
        #expect(abs(corrections[first + 6] - step * step) < 1e-9)
        #expect(state.corrections.prefill == configuration.estimation.minCorrection)
        // Three recovery time constants of fast traffic bring it back within 5 % of 1.
        for _ in 0..<Int(3 * configuration.estimation.correctionRecoveryTimeConstant / 10) {
            time += 10
            fast += 100
            cluster.update(prefill) {
                $0.telemetry = telemetry(at: time, finished: slow + fast, promptTokens: (slow + fast) * 1_000, generationTokens: slow + fast)
                $0.telemetry?.timeToFirstToken = ttft(slow, fast)
            }
            _ = Estimator.update(&state, snapshot: cluster.snapshot(at: time), configuration: configuration)
        }
        #expect(state.corrections.prefill > 0.95)
        #expect(state.corrections.decode == 1)
    }
}
