@testable import FulcrumCore

/// Steps a fixture cluster through time with a given traffic: each ready worker's counters
/// advance by its share of the load, as a real scrape would show them, and the controller's
/// start/drain actions are applied (starts become ready after `startupSeconds`, drains
/// finish at the next tick).
struct TrafficDriver {
    var cluster: ClusterFixture
    var controller: Controller
    var time: Double = 0
    var startupSeconds: Double = 120
    var tickSeconds: Double = 10
    var staleWorkers: Set<WorkerID> = []
    /// Whether prefill workers export a TTFT histogram (every request's first token in 0.1 s).
    var reportsTTFT = false
    private var counters: [WorkerID: (finished: Double, prompt: Double, generated: Double)] = [:]
    private var spawned = 0

    init(cluster: ClusterFixture, configuration: ControllerConfiguration) {
        self.cluster = cluster
        self.controller = Controller(configuration: configuration)
    }

    /// Advances one tick with `rate` req/s of `isl`/`osl` tokens, `queued` requests waiting
    /// on each worker, then asks the controller and applies its actions.
    @discardableResult
    mutating func tick(rate: Double, isl: Double = 1_000, osl: Double = 200, queued: Double = 0, overrides: Overrides = .none,
                       prefixHitRate: Double? = nil, kvTransferSeconds: Double? = nil) -> Decision {
        time += tickSeconds
        let now = time
        // Finish drains from the last tick and starts whose start-up time has passed.
        cluster.workers.removeAll { $0.lifecycle == .draining }
        for index in cluster.workers.indices where cluster.workers[index].lifecycle == .starting
            && now - cluster.workers[index].startedAt.seconds >= startupSeconds {
            cluster.workers[index].lifecycle = .ready
            cluster.workers[index].readyAt = Timestamp(seconds: now)
        }
        for role in Role.allCases {
            let ready = cluster.workers.indices.filter { cluster.workers[$0].role == role && cluster.workers[$0].lifecycle == .ready }
            for index in ready {
                let id = cluster.workers[index].id
                if staleWorkers.contains(id) { continue }
                var counter = counters[id] ?? (0, 0, 0)
                let share = rate * tickSeconds / Double(ready.count)
                counter.finished += share
                counter.prompt += share * isl
                counter.generated += role == .prefill ? share : share * osl
                counters[id] = counter
                cluster.workers[index].telemetry = telemetry(
                    at: now, finished: counter.finished, promptTokens: counter.prompt,
                    generationTokens: counter.generated, waiting: queued, running: min(share, 8)
                )
                // Prefix caches as vLLM counts them: every prompt token is looked up.
                if role == .prefill, let prefixHitRate {
                    cluster.workers[index].telemetry?.prefixCacheQueries = counter.prompt
                    cluster.workers[index].telemetry?.prefixCacheHits = counter.prompt * prefixHitRate
                }
                cluster.workers[index].telemetry?.kvTransferSeconds = kvTransferSeconds
                if role == .prefill, reportsTTFT {
                    cluster.workers[index].telemetry?.timeToFirstToken = CumulativeHistogram(
                        bounds: [0.1, 0.5, 1, 2], countsPerBucket: [counter.finished, 0, 0, 0, 0], sum: 0.05 * counter.finished)
                }
            }
        }
        let decision = controller.decide(cluster.snapshot(at: now), overrides: overrides)
        apply(decision.actions)
        return decision
    }

    mutating func apply(_ actions: [ScalingAction]) {
        for action in actions {
            switch action {
            case let .start(role, node, gpus):
                spawned += 1
                cluster.workers.append(WorkerSnapshot(
                    id: WorkerID("\(role)-new-\(spawned)"), role: role, node: node, gpus: gpus,
                    lifecycle: .starting, startedAt: Timestamp(seconds: time)))
            case let .drain(worker):
                cluster.update(worker) { $0.lifecycle = .draining }
            case let .cancelDrain(worker):
                cluster.update(worker) { $0.lifecycle = .ready }
            }
        }
    }

    func count(_ role: Role, _ lifecycles: Set<WorkerLifecycle> = [.ready, .starting]) -> Int {
        cluster.workers.filter { $0.role == role && lifecycles.contains($0.lifecycle) }.count
    }
}
