import Foundation
import FulcrumCore

/// Snapshots of a small cluster whose load rises, as a daemon would see them tick by tick.
enum DecisionFixtures {
    static let configuration = ControllerConfiguration(
        slo: ServiceLevelObjective(ttftSeconds: 1, tpotSeconds: 0.05, percentile: 0.9),
        placement: PlacementConstraints(gpusPerInstance: PerRole(repeating: 1), maxTotalGPUs: 8),
        priors: PerformancePriors(
            prefill: PrefillPerformance(tokensPerSecond: 8_000, batchOverheadSeconds: 0.01),
            decode: DecodePerformance(stepBaseSeconds: 0.01, stepPerSequenceSeconds: 0.0002, stepPerContextTokenSeconds: 0.000_000_02,
                                      kvCapacityTokens: 400_000, maxBatch: 128)
        )
    )

    static let nodes = [NodeSnapshot(name: "gpu-a", gpus: Array(0..<8))]

    static func histogram(observations: Double, below bound: Double, sum: Double) -> CumulativeHistogram {
        CumulativeHistogram(bounds: [bound / 4, bound, bound * 4], countsPerBucket: [observations * 0.5, observations * 0.45, observations * 0.05, 0], sum: sum)
    }

    /// Tick `index` (10 s apart) of a prefill-heavy load growing by 20 % a tick.
    static func snapshot(tick index: Int) -> ClusterSnapshot {
        let time = 100 + Double(index) * 10
        let rate = 4 * pow(1.2, Double(index))
        var cumulativeRequests = 0.0
        for step in 0...index { cumulativeRequests += 10 * 4 * pow(1.2, Double(step)) }
        let prefill = WorkerSnapshot(
            id: "llm-prefill@g0.service", role: .prefill, node: "gpu-a", gpus: [0], lifecycle: .ready,
            startedAt: Timestamp(seconds: 0), readyAt: Timestamp(seconds: 60),
            telemetry: WorkerTelemetry(
                scrapedAt: Timestamp(seconds: time - 0.5), requestsWaiting: rate > 8 ? rate / 2 : 0, requestsRunning: min(rate, 8),
                promptTokens: cumulativeRequests * 3_000, requestsFinished: cumulativeRequests,
                timeToFirstToken: histogram(observations: cumulativeRequests, below: 0.8, sum: cumulativeRequests * 0.4)
            )
        )
        let decode = WorkerSnapshot(
            id: "llm-decode@g1.service", role: .decode, node: "gpu-a", gpus: [1], lifecycle: .ready,
            startedAt: Timestamp(seconds: 0), readyAt: Timestamp(seconds: 50),
            telemetry: WorkerTelemetry(
                scrapedAt: Timestamp(seconds: time - 0.4), requestsRunning: rate * 4, kvCacheUsage: min(0.99, rate / 40),
                generationTokens: cumulativeRequests * 200, requestsFinished: cumulativeRequests,
                interTokenLatency: histogram(observations: cumulativeRequests * 200, below: 0.03, sum: cumulativeRequests * 200 * 0.02)
            )
        )
        var workers = [prefill, decode]
        if index >= 3 {
            workers.append(WorkerSnapshot(id: "llm-prefill@g2.service", role: .prefill, node: "gpu-a", gpus: [2], lifecycle: .starting,
                                          startedAt: Timestamp(seconds: 125)))
        }
        return ClusterSnapshot(time: Timestamp(seconds: time), nodes: nodes, workers: workers)
    }

    /// A window-only snapshot (no per-worker telemetry), as an embedding orchestrator sends.
    static func windowSnapshot(time: Double, requests: Double, isl: Double = 2_000, osl: Double = 300) -> ClusterSnapshot {
        ClusterSnapshot(
            time: Timestamp(seconds: time), nodes: nodes,
            workers: [
                WorkerSnapshot(id: "p0", role: .prefill, node: "gpu-a", gpus: [0], lifecycle: .ready, startedAt: Timestamp(seconds: 0), readyAt: Timestamp(seconds: 1)),
                WorkerSnapshot(id: "d0", role: .decode, node: "gpu-a", gpus: [1], lifecycle: .ready, startedAt: Timestamp(seconds: 0), readyAt: Timestamp(seconds: 1)),
            ],
            traffic: TrafficWindow(durationSeconds: 10, requests: requests, meanInputTokens: isl, meanOutputTokens: osl)
        )
    }
}
