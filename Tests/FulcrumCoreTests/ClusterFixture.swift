@testable import FulcrumCore

/// Builds snapshots for tests: nodes of `gpusPerNode` GPUs and workers placed by hand.
struct ClusterFixture {
    var nodes: [NodeSnapshot]
    var workers: [WorkerSnapshot] = []
    private var nextID = 0

    init(nodeCount: Int = 2, gpusPerNode: Int = 8) {
        nodes = (0..<nodeCount).map { NodeSnapshot(name: "node\($0)", gpus: Array(0..<gpusPerNode)) }
    }

    @discardableResult
    mutating func add(
        _ role: Role,
        node: String = "node0",
        gpus: [Int],
        lifecycle: WorkerLifecycle = .ready,
        startedAt: Double = 0,
        telemetry: WorkerTelemetry? = nil
    ) -> WorkerID {
        let id = WorkerID("\(role)-\(nextID)")
        nextID += 1
        workers.append(WorkerSnapshot(
            id: id, role: role, node: node, gpus: gpus, lifecycle: lifecycle,
            startedAt: Timestamp(seconds: startedAt),
            readyAt: lifecycle == .ready ? Timestamp(seconds: startedAt) : nil,
            telemetry: telemetry
        ))
        return id
    }

    mutating func update(_ id: WorkerID, _ change: (inout WorkerSnapshot) -> Void) {
        guard let index = workers.firstIndex(where: { $0.id == id }) else { return }
        change(&workers[index])
    }

    func snapshot(at time: Double, frontend: FrontendTelemetry? = nil) -> ClusterSnapshot {
        ClusterSnapshot(time: Timestamp(seconds: time), nodes: nodes, workers: workers, frontend: frontend)
    }
}

extension ControllerConfiguration {
    /// One-GPU instances, 16-GPU budget, profile priors: prefill 10k tok/s, decode sized by
    /// a step model, TTFT 1 s, TPOT 50 ms.
    static func standard(maxGPUs: Int = 16, priors: PerformancePriors? = nil) -> ControllerConfiguration {
        ControllerConfiguration(
            slo: ServiceLevelObjective(ttftSeconds: 1, tpotSeconds: 0.05, percentile: 0.9),
            placement: PlacementConstraints(gpusPerInstance: PerRole(prefill: 1, decode: 1), maxTotalGPUs: maxGPUs),
            priors: priors ?? PerformancePriors(
                prefill: PrefillPerformance(tokensPerSecond: 10_000),
                decode: DecodePerformance(
                    stepBaseSeconds: 0.01, stepPerSequenceSeconds: 0.0001,
                    stepPerContextTokenSeconds: 0.000_000_1, kvCapacityTokens: 500_000, maxBatch: 256)
            )
        )
    }
}

/// Telemetry of a worker that has processed `finished` requests of the given lengths.
func telemetry(
    at time: Double,
    finished: Double,
    promptTokens: Double,
    generationTokens: Double,
    waiting: Double = 0,
    running: Double = 0,
    kv: Double? = nil
) -> WorkerTelemetry {
    WorkerTelemetry(
        scrapedAt: Timestamp(seconds: time), requestsWaiting: waiting, requestsRunning: running,
        kvCacheUsage: kv, promptTokens: promptTokens, generationTokens: generationTokens, requestsFinished: finished
    )
}
