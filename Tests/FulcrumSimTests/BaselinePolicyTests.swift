import FulcrumCore
import FulcrumTraces
import Testing
@testable import FulcrumSim

// Baselines driven directly with hand-built snapshots; no engine involved.
//
// Profile used throughout (numbers chosen so hand arithmetic stays exact enough):
//   prefill: 10 000 tokens/s, 0.05 s batch overhead → TTFT₀(2000) = 0.05 + 0.2 = 0.25 s,
//            so 2000 / 0.25 = 8000 tokens/s per engine (1 GPU).
//   decode:  step = 0.010 + batch·(0.0002 + 0.000001·context), KV 1 000 000 tokens, max batch 256.
//            At context 2100 a sequence costs 0.0023 s per step.

private enum Fixture {
    static let priors = PerformancePriors(
        prefill: PrefillPerformance(tokensPerSecond: 10_000, batchOverheadSeconds: 0.05),
        decode: DecodePerformance(
            stepBaseSeconds: 0.010,
            stepPerSequenceSeconds: 0.0002,
            stepPerContextTokenSeconds: 0.000001,
            kvCapacityTokens: 1_000_000,
            maxBatch: 256
        )
    )
    static let slo = ServiceLevelObjective(ttftSeconds: 1.0, tpotSeconds: 0.05, percentile: 0.9)

    static func environment(
        gpus: PerRole<Int> = PerRole(prefill: 1, decode: 1),
        budget: Int = 16,
        trace: [TraceRequest] = []
    ) -> PolicyEnvironment {
        PolicyEnvironment(
            priors: priors,
            slo: slo,
            placement: PlacementConstraints(gpusPerInstance: gpus, maxTotalGPUs: budget),
            expectedStartupSeconds: 120,
            hindsight: trace
        )
    }

    static let nodes = [
        NodeSnapshot(name: "n1", gpus: Array(0..<8)),
        NodeSnapshot(name: "n2", gpus: Array(0..<8)),
    ]

    /// One worker description for `snapshot`.
    struct Spec {
        var role: Role
        var lifecycle: WorkerLifecycle = .ready
        var telemetry: (Timestamp) -> WorkerTelemetry? = { _ in nil }
    }

    /// Workers get ids `p0, p1, …` / `d0, d1, …` in order and GPUs packed onto the nodes.
    static func snapshot(
        time: Double,
        workers specs: [Spec],
        gpus: PerRole<Int> = PerRole(prefill: 1, decode: 1),
        frontend: FrontendTelemetry? = nil
    ) -> ClusterSnapshot {
        var workers: [WorkerSnapshot] = []
        var nodeIndex = 0
        var nextGPU = 0
        var counters = PerRole(repeating: 0)
        let now = Timestamp(seconds: time)
        for spec in specs {
            let size = gpus[spec.role]
            if nextGPU + size > 8 {
                nodeIndex += 1
                nextGPU = 0
            }
            let id = WorkerID("\(spec.role == .prefill ? "p" : "d")\(counters[spec.role])")
            counters[spec.role] += 1
            workers.append(WorkerSnapshot(
                id: id,
                role: spec.role,
                node: nodes[nodeIndex].name,
                gpus: Array(nextGPU..<(nextGPU + size)),
                lifecycle: spec.lifecycle,
                startedAt: Timestamp(seconds: 0),
                readyAt: spec.lifecycle == .ready ? Timestamp(seconds: 0) : nil,
                telemetry: spec.telemetry(now)
            ))
            nextGPU += size
        }
        return ClusterSnapshot(time: now, nodes: nodes, workers: workers, frontend: frontend)
    }

    static func ready(_ prefill: Int, _ decode: Int) -> [Spec] {
        Array(repeating: Spec(role: .prefill), count: prefill) + Array(repeating: Spec(role: .decode), count: decode)
    }

    /// A histogram whose only meaningful parts are `_count` and `_sum`.
    static func histogram(count: Double, sum: Double) -> CumulativeHistogram {
        CumulativeHistogram(bounds: [1_000_000], countsPerBucket: [count], sum: sum)
    }

    static func frontend(
        at time: Double,
        requests: Double,
        isl: Double,
        osl: Double,
        ttft: Double,
        itl: Double
    ) -> FrontendTelemetry {
        FrontendTelemetry(
            scrapedAt: Timestamp(seconds: time),
            requestsArrived: requests,
            inputTokens: requests * isl,
            outputTokens: requests * osl,
            requestsCompleted: requests,
            timeToFirstToken: histogram(count: requests, sum: requests * ttft),
            interTokenLatency: histogram(count: requests * (osl - 1), sum: requests * (osl - 1) * itl)
        )
    }
}

private func startedRoles(_ actions: [ScalingAction]) -> PerRole<Int> {
    var started = PerRole(repeating: 0)
    for case let .start(role, _, _) in actions { started[role] += 1 }
    return started
}

private func drained(_ actions: [ScalingAction]) -> Int {
    actions.reduce(0) { count, action in
        if case .drain = action { return count + 1 }
        return count
    }
}

// MARK: - dynamo-sla

@Suite("BaselinePolicyTests: dynamo-sla")
struct DynamoSLATests {
    let gpus = PerRole(prefill: 1, decode: 1)

    @Test func replicaRulesMatchHandComputation() throws {
        // 1800 requests per 180 s = 10 req/s, ISL 2000, OSL 200.
        // Prefill: 10·2000 = 20 000 tok/s · min(1, 0.7) = 14 000 / 8000 = 1.75 → 2.
        // Decode: target 0.05 / 1.25 = 0.04 s; context 2100; batch ⌊(0.04 − 0.01)/0.0023⌋ = 13,
        //         step 0.0399 s → 325.8 tok/s; 1800·200/180 = 2000 tok/s / 325.8 = 6.14 → 7.
        let corrected = try #require(DynamoSLAPolicy.requiredReplicas(
            predictedRequests: 1800, isl: 2000, osl: 200, interval: 180,
            prefillCorrection: 0.7, decodeCorrection: 1.25, itlTarget: 0.05,
            minEndpoint: 1, priors: Fixture.priors, gpusPerInstance: gpus))
        #expect(corrected == PerRole(prefill: 2, decode: 7))

        // A prefill correction above 1 is capped at 1: 20 000 / 8000 = 2.5 → 3.
        // Without decode correction: batch ⌊0.04/0.0023⌋ = 17, step 0.0491 → 346.2 tok/s → 5.78 → 6.
        let uncorrected = try #require(DynamoSLAPolicy.requiredReplicas(
            predictedRequests: 1800, isl: 2000, osl: 200, interval: 180,
            prefillCorrection: 1.6, decodeCorrection: 1.0, itlTarget: 0.05,
            minEndpoint: 1, priors: Fixture.priors, gpusPerInstance: gpus))
        #expect(uncorrected == PerRole(prefill: 3, decode: 6))

        // Two GPUs per prefill engine: per-GPU throughput halves and the division by GPUs per
        // engine cancels it, as in Dynamo; min_endpoint applies to tiny loads.
        let tiny = try #require(DynamoSLAPolicy.requiredReplicas(
            predictedRequests: 9, isl: 2000, osl: 200, interval: 180,
            prefillCorrection: 1, decodeCorrection: 1, itlTarget: 0.05,
            minEndpoint: 2, priors: Fixture.priors, gpusPerInstance: PerRole(prefill: 2, decode: 1)))
        #expect(tiny == PerRole(prefill: 2, decode: 2))
    }

    @Test func overBudgetScalesBothDownProportionally() {
        // (3, 7) on 1-GPU engines needs 10 GPUs; budget 8 → scale 0.8: prefill ⌊2.4⌋ = 2, decode
        // gets the remaining 6.
        #expect(DynamoSLAPolicy.applyBudget(PerRole(prefill: 3, decode: 7), gpusPerInstance: gpus, budget: 8, minEndpoint: 1)
            == PerRole(prefill: 2, decode: 6))
        // 2-GPU engines: 20 GPUs for budget 12 → scale 0.6: prefill ⌊1.8⌋ = 1, decode (12 − 2)/2 = 5.
        #expect(DynamoSLAPolicy.applyBudget(PerRole(prefill: 3, decode: 7), gpusPerInstance: PerRole(prefill: 2, decode: 2), budget: 12, minEndpoint: 1)
            == PerRole(prefill: 1, decode: 5))
        // Prefill is capped so that min_endpoint decode engines still fit: (20, 1) for budget 8
        // → scale 8/21: ⌊7.6⌋ = 7 prefill, 1 decode.
        #expect(DynamoSLAPolicy.applyBudget(PerRole(prefill: 20, decode: 1), gpusPerInstance: gpus, budget: 8, minEndpoint: 1)
            == PerRole(prefill: 7, decode: 1))
        // Within budget: untouched. Below the minimum of both: zero.
        #expect(DynamoSLAPolicy.applyBudget(PerRole(prefill: 3, decode: 5), gpusPerInstance: gpus, budget: 8, minEndpoint: 1)
            == PerRole(prefill: 3, decode: 5))
        #expect(DynamoSLAPolicy.applyBudget(PerRole(prefill: 3, decode: 5), gpusPerInstance: gpus, budget: 1, minEndpoint: 1)
            == PerRole(prefill: 0, decode: 0))
    }

    /// Two scrapes 180 s apart: 1800 requests, ISL 2000, OSL 200, TTFT 0.175 s, ITL 0.05 s, on
    /// 3 prefill and 10 decode workers.
    private func intervalSnapshots(decodeLifecycle: WorkerLifecycle = .ready) -> (ClusterSnapshot, ClusterSnapshot) {
        var specs = Fixture.ready(3, 9)
        specs.append(Fixture.Spec(role: .decode, lifecycle: decodeLifecycle))
        let before = Fixture.snapshot(time: 0, workers: specs,
                                      frontend: Fixture.frontend(at: 0, requests: 100, isl: 2000, osl: 200, ttft: 0.175, itl: 0.05))
        let after = Fixture.snapshot(time: 180, workers: specs,
                                     frontend: Fixture.frontend(at: 180, requests: 1900, isl: 2000, osl: 200, ttft: 0.175, itl: 0.05))
        return (before, after)
    }

    @Test func endToEndUsesMeasuredRatesAndCorrections() throws {
        let (before, after) = intervalSnapshots()
        var policy = DynamoSLAPolicy()
        #expect(policy.name == "dynamo-sla")
        #expect(policy.tickInterval == 180)
        let environment = Fixture.environment()

        let first = policy.tick(snapshot: before, environment: environment)
        #expect(first.desired == PerRole(prefill: 3, decode: 10))
        #expect(first.actions.isEmpty)

        let second = policy.tick(snapshot: after, environment: environment)
        let decision = try #require(policy.lastDecision)
        #expect(abs(decision.observedRequests - 1800) < 1e-9)
        #expect(abs((decision.observedISL ?? 0) - 2000) < 1e-9)
        #expect(abs((decision.observedOSL ?? 0) - 200) < 1e-9)
        // p = 0.175 / 0.25 = 0.7.
        #expect(abs(decision.prefillCorrection - 0.7) < 1e-9)
        // Little's law: 1800/10 requests · (0.175 + 0.05·199 = 10.125 s) / 180 s = 10.125 per
        // worker → expected ITL 0.01 + 10.125·0.0023 = 0.0332875 → d = 0.05 / 0.0332875.
        #expect(abs(decision.decodeCorrection - 0.05 / 0.0332875) < 1e-9)
        // Prefill: 20 000·0.7 / 8000 = 1.75 → 2. Decode: corrected target 0.0332875 → batch 10,
        // step 0.033 → 303.0 tok/s → 2000 / 303.0 = 6.6 → 7 (6 without the correction).
        #expect(decision.computed == PerRole(prefill: 2, decode: 7))
        #expect(decision.applied)
        #expect(second.desired == PerRole(prefill: 2, decode: 7))
        #expect(drained(second.actions) == 4)
        #expect(startedRoles(second.actions) == PerRole(repeating: 0))
    }

    @Test func waitsWhileAPreviousChangeIsStillStarting() throws {
        let (before, after) = intervalSnapshots(decodeLifecycle: .starting)
        var policy = DynamoSLAPolicy(configuration: .init(initial: PerRole(prefill: 3, decode: 10)))
        let environment = Fixture.environment()
        _ = policy.tick(snapshot: before, environment: environment)
        let output = policy.tick(snapshot: after, environment: environment)
        let decision = try #require(policy.lastDecision)
        #expect(decision.computed != nil)
        #expect(!decision.applied)
        #expect(output.desired == PerRole(prefill: 3, decode: 10))
        #expect(drained(output.actions) == 0)
    }

    @Test func overBudgetEndToEnd() throws {
        // Same traffic, budget 6: (2, 7) needs 9 → scale 6/9: prefill ⌊1.33⌋ = 1, decode 5.
        let (before, after) = intervalSnapshots()
        var policy = DynamoSLAPolicy(configuration: .init(maxGPUBudget: 6))
        let environment = Fixture.environment()
        _ = policy.tick(snapshot: before, environment: environment)
        let output = policy.tick(snapshot: after, environment: environment)
        #expect(policy.lastDecision?.computed == PerRole(prefill: 2, decode: 7))
        #expect(output.desired == PerRole(prefill: 1, decode: 5))
    }

    @Test func skipsIntervalsWithoutTraffic() {
        let specs = Fixture.ready(2, 2)
        let frontend = Fixture.frontend(at: 0, requests: 50, isl: 2000, osl: 200, ttft: 0.2, itl: 0.03)
        var policy = DynamoSLAPolicy()
        let environment = Fixture.environment()
        _ = policy.tick(snapshot: Fixture.snapshot(time: 0, workers: specs, frontend: frontend), environment: environment)
        let output = policy.tick(snapshot: Fixture.snapshot(time: 180, workers: specs, frontend: frontend), environment: environment)
        #expect(policy.lastDecision?.metricsValid == false)
        #expect(policy.lastDecision?.computed == nil)
        #expect(output.desired == PerRole(prefill: 2, decode: 2))
    }

    @Test func workerCountersHandleResetsAndNewWorkers() {
        // No frontend: arrivals and ISL from prefill workers' counters. p0 goes 100 → 160
        // (+60); p1 was restarted (counter 500 → 40, a reset: +40); p2 is new (+30).
        func prefill(_ finished: Double) -> Fixture.Spec {
            Fixture.Spec(role: .prefill) { time in
                WorkerTelemetry(scrapedAt: time, promptTokens: finished * 1000, requestsFinished: finished,
                                timeToFirstToken: Fixture.histogram(count: finished, sum: finished * 0.3))
            }
        }
        func decode(_ finished: Double) -> Fixture.Spec {
            Fixture.Spec(role: .decode) { time in
                WorkerTelemetry(scrapedAt: time, generationTokens: finished * 100, requestsFinished: finished,
                                interTokenLatency: Fixture.histogram(count: finished * 99, sum: finished * 99 * 0.02))
            }
        }
        let before = Fixture.snapshot(time: 0, workers: [prefill(100), prefill(500), decode(10)])
        let after = Fixture.snapshot(time: 60, workers: [prefill(160), prefill(40), prefill(30), decode(40)])
        let sample = DynamoTraffic.sample(previous: before, current: after)
        #expect(sample.requests == 130)
        #expect(sample.isl == 1000)
        #expect(sample.osl == 100)
        #expect(abs((sample.ttft ?? 0) - 0.3) < 1e-12)
        #expect(abs((sample.itl ?? 0) - 0.02) < 1e-12)
        #expect(sample.elapsed == 60)
    }

    @Test func predictors() {
        var constant = DynamoLoadPredictor(kind: .constant)
        constant.add(0)  // leading idle zeros are skipped
        #expect(constant.buffer.isEmpty)
        constant.add(.nan)
        constant.add(12)
        constant.add(0)  // but zeros after traffic count
        constant.add(30)
        #expect(constant.buffer == [12, 0, 30])
        #expect(constant.predictNext() == 30)

        var kalman = DynamoLoadPredictor(kind: .kalman)
        for _ in 0..<5 { kalman.add(40) }
        #expect(abs(kalman.predictNext() - 40) < 1e-9)
        var rising = DynamoLoadPredictor(kind: .kalman)
        for value in stride(from: 10.0, through: 200, by: 10) { rising.add(value) }
        // A local-linear-trend filter extrapolates the trend beyond the last point.
        #expect(rising.predictNext() > 200)
    }
}

// MARK: - dynamo-load

@Suite("BaselinePolicyTests: dynamo-load")
struct DynamoLoadTests {
    /// 30 s adjustments sampled every 10 s keep the sequences short.
    let configuration = DynamoLoadPolicy.Configuration(adjustmentInterval: 30, metricPullingInterval: 10)

    /// `prefill` ready prefill workers each with `queue` waiting requests, `decode` ready decode
    /// workers each at KV usage `kv`.
    func snapshot(_ time: Double, prefill: Int = 2, decode: Int = 2, queue: Double, kv: Double,
                  starting: [Role] = []) -> ClusterSnapshot {
        let prefillSpec = Fixture.Spec(role: .prefill) { WorkerTelemetry(scrapedAt: $0, requestsWaiting: queue, requestsRunning: 1) }
        let decodeSpec = Fixture.Spec(role: .decode) { WorkerTelemetry(scrapedAt: $0, requestsRunning: 10, kvCacheUsage: kv) }
        var specs = Array(repeating: prefillSpec, count: prefill) + Array(repeating: decodeSpec, count: decode)
        specs += starting.map { Fixture.Spec(role: $0, lifecycle: .starting) }
        return Fixture.snapshot(time: time, workers: specs)
    }

    @Test func defaultsFollowDynamo() {
        let policy = DynamoLoadPolicy()
        #expect(policy.name == "dynamo-load")
        #expect(policy.tickInterval == 10)
        #expect(policy.configuration.adjustmentInterval == 180)
        #expect(policy.configuration.prefillQueueScaleUpThreshold == 5)
        #expect(policy.configuration.prefillQueueScaleDownThreshold == 0.2)
        #expect(policy.configuration.decodeKVScaleUpThreshold == 0.9)
        #expect(policy.configuration.decodeKVScaleDownThreshold == 0.5)
        #expect(policy.configuration.newDecodeWorkerGracePeriod == 3)
    }

    @Test func movesAtMostOnePerRoleAndBlocksUntilReady() {
        var policy = DynamoLoadPolicy(configuration: configuration)
        let environment = Fixture.environment()
        // Huge, growing prefill queue and a full KV cache: still +1 each.
        for (index, time) in [0.0, 10, 20].enumerated() {
            let output = policy.tick(snapshot: snapshot(time, queue: 50 + Double(index) * 10, kv: 0.99), environment: environment)
            #expect(output.desired == PerRole(prefill: 2, decode: 2))
        }
        let adjusted = policy.tick(snapshot: snapshot(30, queue: 90, kv: 0.99), environment: environment)
        #expect(adjusted.desired == PerRole(prefill: 3, decode: 3))
        #expect(startedRoles(adjusted.actions) == PerRole(prefill: 1, decode: 1))

        // While the new workers start, nothing is sampled or decided, even 40 s later.
        for time in [40.0, 50, 60, 70] {
            let waiting = policy.tick(snapshot: snapshot(time, queue: 200, kv: 1.0, starting: [.prefill, .decode]), environment: environment)
            #expect(waiting.desired == PerRole(prefill: 3, decode: 3))
            #expect(waiting.actions.isEmpty)
        }
        #expect(policy.lastAdjustment?.time == Timestamp(seconds: 30))

        // Ready at 80: a fresh interval starts there, so the next adjustment is at 110.
        _ = policy.tick(snapshot: snapshot(80, prefill: 3, decode: 3, queue: 200, kv: 1.0), environment: environment)
        _ = policy.tick(snapshot: snapshot(100, prefill: 3, decode: 3, queue: 200, kv: 1.0), environment: environment)
        #expect(policy.lastAdjustment?.time == Timestamp(seconds: 30))
        let next = policy.tick(snapshot: snapshot(110, prefill: 3, decode: 3, queue: 200, kv: 1.0), environment: environment)
        #expect(policy.lastAdjustment?.time == Timestamp(seconds: 110))
        #expect(next.desired == PerRole(prefill: 4, decode: 4))
    }

    @Test func thresholdsAreStrict() {
        let environment = Fixture.environment()
        // Exactly at the scale-up thresholds (queue 5 = 2.5 per worker · 2; KV at a threshold of
        // 0.75, exactly representable so that the mean is exact): no change.
        var atThreshold = DynamoLoadPolicy(configuration: .init(adjustmentInterval: 30, metricPullingInterval: 10, decodeKVScaleUpThreshold: 0.75))
        var output = PolicyOutput(actions: [], desired: PerRole(repeating: 0))
        for time in [0.0, 10, 20, 30] {
            output = atThreshold.tick(snapshot: snapshot(time, queue: 2.5, kv: 0.75), environment: environment)
        }
        #expect(atThreshold.lastAdjustment != nil)
        #expect(output.desired == PerRole(prefill: 2, decode: 2))

        // Between the thresholds (queue 1, KV 0.7): no change either.
        var between = DynamoLoadPolicy(configuration: configuration)
        for time in [0.0, 10, 20, 30] {
            output = between.tick(snapshot: snapshot(time, queue: 0.5, kv: 0.7), environment: environment)
        }
        #expect(output.desired == PerRole(prefill: 2, decode: 2))

        // Below the scale-down thresholds (queue 0, KV 0.3): −1 each, never below min_endpoint.
        var low = DynamoLoadPolicy(configuration: configuration)
        for time in [0.0, 10, 20, 30] {
            output = low.tick(snapshot: snapshot(time, queue: 0, kv: 0.3), environment: environment)
        }
        #expect(output.desired == PerRole(prefill: 1, decode: 1))
        #expect(drained(output.actions) == 2)
        var atMinimum = DynamoLoadPolicy(configuration: configuration)
        for time in [0.0, 10, 20, 30] {
            output = atMinimum.tick(snapshot: snapshot(time, prefill: 1, decode: 1, queue: 0, kv: 0.3), environment: environment)
        }
        #expect(output.desired == PerRole(prefill: 1, decode: 1))
    }

    @Test func waitingRequestsRaiseTheKVLoad() {
        // KV 0.85 plus 0.02 per waiting request on a busy worker: 0.85 + 0.02·5 = 0.95 > 0.9.
        var policy = DynamoLoadPolicy(configuration: configuration)
        let environment = Fixture.environment()
        let decodeSpec = Fixture.Spec(role: .decode) { WorkerTelemetry(scrapedAt: $0, requestsWaiting: 5, requestsRunning: 20, kvCacheUsage: 0.85) }
        let prefillSpec = Fixture.Spec(role: .prefill) { WorkerTelemetry(scrapedAt: $0, requestsWaiting: 1) }
        var output = PolicyOutput(actions: [], desired: PerRole(repeating: 0))
        for time in [0.0, 10, 20, 30] {
            output = policy.tick(snapshot: Fixture.snapshot(time: time, workers: [prefillSpec, decodeSpec, decodeSpec]), environment: environment)
        }
        #expect(abs((policy.lastAdjustment?.averageKVLoad ?? 0) - 0.95) < 1e-12)
        #expect(output.desired == PerRole(prefill: 1, decode: 3))
    }

    @Test func drainingQueueTrendVetoesPrefillScaleUp() {
        // Mean queue (24 + 16 + 8 + 2)/4 = 12.5 > 5, but the trend predicts
        // 2 + (2 − 24)·3 < 5, so no prefill worker is added.
        var policy = DynamoLoadPolicy(configuration: configuration)
        let environment = Fixture.environment()
        var output = PolicyOutput(actions: [], desired: PerRole(repeating: 0))
        for (time, perWorker) in [(0.0, 12.0), (10, 8), (20, 4), (30, 1)] {
            output = policy.tick(snapshot: snapshot(time, queue: perWorker, kv: 0.7), environment: environment)
        }
        #expect(policy.lastAdjustment?.averagePrefillQueue == 12.5)
        #expect(output.desired == PerRole(prefill: 2, decode: 2))
    }

    @Test func decodeGracePeriodAfterScaleUp() {
        var policy = DynamoLoadPolicy(configuration: configuration)
        let environment = Fixture.environment()
        for time in [0.0, 10, 20, 30] {
            _ = policy.tick(snapshot: snapshot(time, queue: 1, kv: 0.95), environment: environment)
        }
        #expect(policy.target == PerRole(prefill: 2, decode: 3))
        #expect(policy.decodeGraceRemaining == 2)

        // The new worker is ready at 40; then the KV load collapses. Scale-down is vetoed at the
        // adjustments at 70 and 100 and happens at 130.
        var desired: [Double: PerRole<Int>] = [:]
        for time in stride(from: 40.0, through: 130, by: 10) {
            desired[time] = policy.tick(snapshot: snapshot(time, decode: 3, queue: 1, kv: 0.1), environment: environment).desired
        }
        #expect(desired[70] == PerRole(prefill: 2, decode: 3))
        #expect(desired[100] == PerRole(prefill: 2, decode: 3))
        #expect(desired[130] == PerRole(prefill: 2, decode: 2))
        #expect(policy.lastAdjustment?.time == Timestamp(seconds: 130))
    }

    @Test func respectsTheGPUBudget() {
        let environment = Fixture.environment()
        // 2 + 2 GPUs in use, budget 4: no room for anything.
        var full = DynamoLoadPolicy(configuration: .init(adjustmentInterval: 30, metricPullingInterval: 10, maxGPUBudget: 4))
        var output = PolicyOutput(actions: [], desired: PerRole(repeating: 0))
        for time in [0.0, 10, 20, 30] {
            output = full.tick(snapshot: snapshot(time, queue: 50, kv: 0.99), environment: environment)
        }
        #expect(output.desired == PerRole(prefill: 2, decode: 2))
        // Budget 5: prefill is checked first and takes the last GPU.
        var oneLeft = DynamoLoadPolicy(configuration: .init(adjustmentInterval: 30, metricPullingInterval: 10, maxGPUBudget: 5))
        for time in [0.0, 10, 20, 30] {
            output = oneLeft.tick(snapshot: snapshot(time, queue: 50, kv: 0.99), environment: environment)
        }
        #expect(output.desired == PerRole(prefill: 3, decode: 2))
    }

    @Test func noAdjustmentWhenWorkersChangedDuringTheInterval() {
        var policy = DynamoLoadPolicy(configuration: configuration)
        let environment = Fixture.environment()
        _ = policy.tick(snapshot: snapshot(0, queue: 50, kv: 0.99), environment: environment)
        _ = policy.tick(snapshot: snapshot(10, queue: 50, kv: 0.99), environment: environment)
        _ = policy.tick(snapshot: snapshot(20, decode: 1, queue: 50, kv: 0.99), environment: environment)
        let output = policy.tick(snapshot: snapshot(30, decode: 1, queue: 50, kv: 0.99), environment: environment)
        #expect(policy.lastAdjustment?.workersUnchanged == false)
        #expect(policy.target == PerRole(prefill: 2, decode: 2))
        // The spec still says 2 decode: the lost one is replaced, as a Deployment would.
        #expect(startedRoles(output.actions) == PerRole(prefill: 0, decode: 1))
    }
}

// MARK: - aiconfigurator

@Suite("BaselinePolicyTests: aiconfigurator")
struct AIConfiguratorTests {
    /// Independent brute force: among Np, Nd ≥ 1 within budget, those covering the rate; the
    /// best requests/s per GPU (fewest GPUs on ties); else the most requests/s.
    func bruteForce(p: Double, d: Double, gpus: PerRole<Int>, budget: Int, rate: Double) -> PerRole<Int>? {
        var best: (counts: PerRole<Int>, key: (Double, Int))?
        var fallback: (counts: PerRole<Int>, key: (Double, Int))?
        guard budget >= gpus.prefill + gpus.decode else { return nil }
        for np in 1...budget {
            for nd in 1...budget where np * gpus.prefill + nd * gpus.decode <= budget {
                let seqs = min(p * Double(np) * 0.9, d * Double(nd) * 0.92)
                let used = np * gpus.prefill + nd * gpus.decode
                let efficiency = seqs / Double(used)
                if seqs >= rate {
                    if best == nil || efficiency > best!.key.0 + 1e-12
                        || (abs(efficiency - best!.key.0) <= 1e-12 && used < best!.key.1) {
                        best = (PerRole(prefill: np, decode: nd), (efficiency, used))
                    }
                }
                if fallback == nil || seqs > fallback!.key.0 + 1e-12
                    || (abs(seqs - fallback!.key.0) <= 1e-12 && used < fallback!.key.1) {
                    fallback = (PerRole(prefill: np, decode: nd), (seqs, used))
                }
            }
        }
        return (best ?? fallback)?.counts
    }

    @Test func handCases() {
        let ones = PerRole(prefill: 1, decode: 1)
        let rates = PerRole(prefill: 2.0, decode: 1.0)
        // Light load: (1, 2) gives min(1.8, 1.84)/3 = 0.6 per GPU, the best; (2, 4) ties at 6 GPUs.
        #expect(AIConfiguratorPolicy.choose(perInstance: rates, gpusPerInstance: ones, budget: 12, requiredRequestsPerSecond: 0.1)?.counts
            == PerRole(prefill: 1, decode: 2))
        // 2 req/s: (1, 2) carries only 1.8; (2, 4) carries 3.6 at the same efficiency.
        #expect(AIConfiguratorPolicy.choose(perInstance: rates, gpusPerInstance: ones, budget: 12, requiredRequestsPerSecond: 2)?.counts
            == PerRole(prefill: 2, decode: 4))
        // Budget 5: (2, 3) carries 2.76 ≥ 2 (0.552 per GPU), the only sufficient shape.
        #expect(AIConfiguratorPolicy.choose(perInstance: rates, gpusPerInstance: ones, budget: 5, requiredRequestsPerSecond: 2)?.counts
            == PerRole(prefill: 2, decode: 3))
        // Budget 4 cannot carry 2 req/s: the most throughput, (2, 2) with 1.84.
        #expect(AIConfiguratorPolicy.choose(perInstance: rates, gpusPerInstance: ones, budget: 4, requiredRequestsPerSecond: 2)?.counts
            == PerRole(prefill: 2, decode: 2))
        // Not even one of each fits.
        #expect(AIConfiguratorPolicy.choose(perInstance: rates, gpusPerInstance: PerRole(prefill: 2, decode: 2), budget: 3, requiredRequestsPerSecond: 1) == nil)
    }

    @Test func matchesBruteForceOnSmallCases() {
        let shapes = [PerRole(prefill: 1, decode: 1), PerRole(prefill: 1, decode: 2), PerRole(prefill: 2, decode: 1), PerRole(prefill: 2, decode: 4)]
        let rates: [PerRole<Double>] = [
            PerRole(prefill: 2.0, decode: 1.0), PerRole(prefill: 0.7, decode: 1.3),
            PerRole(prefill: 3.1, decode: 0.45), PerRole(prefill: 1.0, decode: 1.0),
        ]
        var checked = 0
        for gpus in shapes {
            for rate in rates {
                for budget in [2, 3, 5, 8, 13] {
                    for required in [0.0, 0.5, 1.7, 3.3, 9.0] {
                        let chosen = AIConfiguratorPolicy.choose(perInstance: rate, gpusPerInstance: gpus, budget: budget, requiredRequestsPerSecond: required)?.counts
                        #expect(chosen == bruteForce(p: rate.prefill, d: rate.decode, gpus: gpus, budget: budget, rate: required),
                                "gpus \(gpus) rates \(rate) budget \(budget) required \(required)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked == 400)
    }

    @Test func configuresFromTheTraceAndHolds() throws {
        // 600 requests over 300 s (2 req/s), ISL 2000, OSL 200.
        // P = 1 / 0.25 s = 4 req/s. D: 346.2 tok/s at TPOT 0.05 and context 2100 / 200 = 1.731 req/s.
        let trace = (0..<600).map { TraceRequest(arrival: Double($0) * 300 / 599, inputTokens: 2000, outputTokens: 200) }
        let rates = try #require(AIConfiguratorPolicy.perInstanceRequestsPerSecond(
            meanISL: 2000, meanOSL: 200, priors: Fixture.priors, slo: Fixture.slo, gpusPerInstance: PerRole(prefill: 1, decode: 1)))
        #expect(abs(rates.prefill - 4) < 1e-9)
        #expect(abs(rates.decode - (17 / 0.0491) / 200) < 1e-9)
        #expect(abs(AIConfiguratorPolicy.meanArrivalRate(trace) - 2) < 1e-9)
        let expected = bruteForce(p: rates.prefill, d: rates.decode, gpus: PerRole(prefill: 1, decode: 1), budget: 16, rate: 2)
        // Integer rate matching is not scale-invariant: (4, 9) gives min(14.4, 14.33)/13 = 1.103
        // req/s per GPU, better than (5, 11) 1.095, (3, 7) 1.080 and (1, 2) 1.062.
        #expect(expected == PerRole(prefill: 4, decode: 9))

        var policy = AIConfiguratorPolicy()
        #expect(policy.name == "aiconfigurator")
        let environment = Fixture.environment(trace: trace)
        let first = policy.tick(snapshot: Fixture.snapshot(time: 0, workers: []), environment: environment)
        #expect(first.desired == expected)
        #expect(startedRoles(first.actions) == PerRole(prefill: 4, decode: 9))
        // Held: whatever runs later is brought back to the chosen counts.
        let later = policy.tick(snapshot: Fixture.snapshot(time: 600, workers: Fixture.ready(6, 10)), environment: environment)
        #expect(later.desired == expected)
        #expect(drained(later.actions) == 3)
        #expect(policy.chosen == expected)
    }
}

// MARK: - hindsight-mean (formerly oracle)

@Suite("BaselinePolicyTests: hindsight-mean")
struct HindsightMeanTests {
    /// Window 0: 600 requests (10/s); window 1: 60 (1/s); window 2: none; window 3: 1.
    let trace: [TraceRequest] =
        (0..<600).map { TraceRequest(arrival: Double($0) * 0.1, inputTokens: 2000, outputTokens: 200) }
        + (0..<60).map { TraceRequest(arrival: 60 + Double($0), inputTokens: 2000, outputTokens: 200) }
        + [TraceRequest(arrival: 200, inputTokens: 500, outputTokens: 10)]

    @Test func windowsAndSizing() throws {
        let windows = HindsightMeanPolicy.windowDemands(trace: trace, window: 60)
        #expect(windows.map(\.requests) == [600, 60, 0, 1])
        #expect(abs(windows[0].rate - 10) < 1e-12)

        // Window 0: prefill 10·2000 = 20 000 tok/s at 8000 per instance → 2.5 → 3;
        // decode 10·200 = 2000 tok/s at 17/0.0491 = 346.2 → 5.78 → 6.
        let gpus = PerRole(prefill: 1, decode: 1)
        let busy = HindsightMeanPolicy.size(demand: windows[0], priors: Fixture.priors, slo: Fixture.slo, gpusPerInstance: gpus, budget: 16, minimumPerRole: 1)
        #expect(busy == PerRole(prefill: 3, decode: 6))
        // Budget 6: the best worse-role coverage is (2, 4): min(16 000/20 000, 1385/2000) = 0.69.
        let tight = HindsightMeanPolicy.size(demand: windows[0], priors: Fixture.priors, slo: Fixture.slo, gpusPerInstance: gpus, budget: 6, minimumPerRole: 1)
        #expect(tight == PerRole(prefill: 2, decode: 4))
    }

    @Test func followsTheWindowsWithInstantStarts() {
        // No look-ahead and no headroom, so the counts are the hand-computed coverage above.
        var policy = HindsightMeanPolicy(lookAheadWindows: 0, utilisation: PerRole(repeating: 1))
        #expect(policy.name == "hindsight-mean")
        #expect(policy.tickInterval == 60)
        #expect(policy.startsInstantly)
        let environment = Fixture.environment(trace: trace)
        let first = policy.tick(snapshot: Fixture.snapshot(time: 0, workers: Fixture.ready(1, 1)), environment: environment)
        #expect(first.desired == PerRole(prefill: 3, decode: 6))
        #expect(startedRoles(first.actions) == PerRole(prefill: 2, decode: 5))
        // A tick a hair early still belongs to the next window: 1 req/s needs one of each.
        let second = policy.tick(snapshot: Fixture.snapshot(time: 59.99999999, workers: Fixture.ready(3, 6)), environment: environment)
        #expect(second.desired == PerRole(prefill: 1, decode: 1))
        #expect(drained(second.actions) == 7)
        let empty = policy.tick(snapshot: Fixture.snapshot(time: 120, workers: Fixture.ready(1, 1)), environment: environment)
        #expect(empty.desired == PerRole(prefill: 1, decode: 1))
        let afterTrace = policy.tick(snapshot: Fixture.snapshot(time: 600, workers: Fixture.ready(1, 1)), environment: environment)
        #expect(afterTrace.desired == PerRole(prefill: 1, decode: 1))
    }
}

@Suite struct HindsightMeanLookAheadTests {
    @Test func coversTheNextWindowBeforeItStarts() {
        // A quiet first window, then 10 req/s: with look-ahead the surge is staffed at t = 0.
        let trace = [TraceRequest(arrival: 1, inputTokens: 2000, outputTokens: 200)]
            + (0..<600).map { TraceRequest(arrival: 60 + Double($0) * 0.1, inputTokens: 2000, outputTokens: 200) }
        var ahead = HindsightMeanPolicy(lookAheadWindows: 1, utilisation: PerRole(repeating: 1))
        var blind = HindsightMeanPolicy(lookAheadWindows: 0, utilisation: PerRole(repeating: 1))
        let environment = Fixture.environment(trace: trace)
        let snapshot = Fixture.snapshot(time: 0, workers: Fixture.ready(1, 1))
        #expect(ahead.tick(snapshot: snapshot, environment: environment).desired == PerRole(prefill: 3, decode: 6))
        #expect(blind.tick(snapshot: snapshot, environment: environment).desired == PerRole(prefill: 1, decode: 1))
        // Headroom: planning at 50 % utilisation doubles the continuous need.
        var halfLoaded = HindsightMeanPolicy(lookAheadWindows: 1, utilisation: PerRole(repeating: 0.5))
        let desired = halfLoaded.tick(snapshot: snapshot, environment: environment).desired
        #expect(desired == PerRole(prefill: 5, decode: 11))
    }

    @Test func leadVariantStartsAStartupTimeAheadAndPaysStartups() {
        // The surge begins at t = 180; the fixture's start-up time is 120 s (two windows).
        let trace = [TraceRequest(arrival: 1, inputTokens: 2000, outputTokens: 200)]
            + (0..<600).map { TraceRequest(arrival: 180 + Double($0) * 0.1, inputTokens: 2000, outputTokens: 200) }
        var lead = HindsightMeanPolicy(lookAheadWindows: 1, utilisation: PerRole(repeating: 1), paysStartups: true)
        var instant = HindsightMeanPolicy(lookAheadWindows: 1, utilisation: PerRole(repeating: 1))
        #expect(lead.name == "hindsight-lead:1")
        #expect(!lead.startsInstantly)
        let environment = Fixture.environment(trace: trace)
        let snapshot = Fixture.snapshot(time: 0, workers: Fixture.ready(1, 1))
        // Windows 0…3 are covered at t = 0, so the workers are ready by t = 120 < 180.
        #expect(lead.tick(snapshot: snapshot, environment: environment).desired == PerRole(prefill: 3, decode: 6))
        #expect(instant.tick(snapshot: snapshot, environment: environment).desired == PerRole(prefill: 1, decode: 1))
    }
}
