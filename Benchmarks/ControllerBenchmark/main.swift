// One control tick at fleet size (#15): the controller fed a snapshot of 1,000 workers on 128
// nodes (ready, starting and draining, every ready worker with full latency histograms), timed
// from snapshot to decision: observe → estimate → rate-match → stabilise → plan.
//
//   swift run -c release ControllerBenchmark [ticks]     # default 2,000 ticks
//
// Prints the latency distribution of `Controller.decide` and the heap allocations per tick.
import CAllocationCounter
import FulcrumCore
import Foundation

let ticks = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 2_000
let tickSeconds = 10.0

/// vLLM's bucket bounds (TTFT 22 + +Inf, ITL 19 + +Inf), as a real scrape carries them.
let ttftBounds: [Double] = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560, .infinity]
let itlBounds: [Double] = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, .infinity]

/// The fleet: 128 nodes × 8 GPUs; 400 prefill and 600 decode one-GPU workers, of which 40
/// are starting and 20 draining; the rest ready and scraped every tick.
struct Fleet {
    var nodes: [NodeSnapshot] = (0..<128).map { NodeSnapshot(name: "node\($0)", gpus: Array(0..<8)) }
    var workers: [WorkerSnapshot] = []
    var served: [Double] = []

    init() {
        for index in 0..<1_000 {
            let role: Role = index < 400 ? .prefill : .decode
            let lifecycle: WorkerLifecycle = index % 50 == 7 ? .starting : (index % 50 == 9 ? .draining : .ready)
            workers.append(WorkerSnapshot(
                id: WorkerID("node\(index / 8)/llm-\(role)@g\(index % 8).service"), role: role,
                node: "node\(index / 8)", gpus: [index % 8], lifecycle: lifecycle,
                startedAt: Timestamp(seconds: 0), readyAt: lifecycle == .starting ? nil : Timestamp(seconds: 60)))
            served.append(0)
        }
    }

    /// Every scraped worker's counters and histograms advance by one tick of steady load.
    mutating func advance(to time: Double) {
        for index in workers.indices where workers[index].lifecycle != .starting {
            served[index] += 2 * tickSeconds * (1 + Double(index % 7) / 10)
            let requests = served[index]
            let isPrefill = workers[index].role == .prefill
            let histogram = isPrefill
                ? CumulativeHistogram(bounds: ttftBounds, countsPerBucket: spread(requests, over: ttftBounds.count, peak: 8), sum: requests * 0.3)
                : CumulativeHistogram(bounds: itlBounds, countsPerBucket: spread(requests * 200, over: itlBounds.count, peak: 2), sum: requests * 200 * 0.02)
            workers[index].telemetry = WorkerTelemetry(
                scrapedAt: Timestamp(seconds: time - 0.5), requestsWaiting: Double(index % 3), requestsRunning: 8,
                kvCacheUsage: isPrefill ? 0.2 : 0.6, promptTokens: requests * 2_000, generationTokens: requests * (isPrefill ? 1 : 200),
                requestsFinished: requests,
                timeToFirstToken: isPrefill ? histogram : nil, interTokenLatency: isPrefill ? nil : histogram)
        }
    }

    func snapshot(at time: Double) -> ClusterSnapshot {
        ClusterSnapshot(time: Timestamp(seconds: time), nodes: nodes, workers: workers)
    }
}

/// `total` observations over `count` buckets, most of them in bucket `peak`.
func spread(_ total: Double, over count: Int, peak: Int) -> [Double] {
    (0..<count).map { $0 == peak ? total * 0.9 : total * 0.1 / Double(count - 1) }
}

let configuration = ControllerConfiguration(
    slo: .default,
    placement: PlacementConstraints(gpusPerInstance: PerRole(prefill: 1, decode: 1), maxTotalGPUs: 1_024),
    priors: PerformancePriors(
        prefill: PrefillPerformance(tokensPerSecond: 20_000),
        decode: DecodePerformance(stepBaseSeconds: 0.01, stepPerSequenceSeconds: 0.0001,
                                  stepPerContextTokenSeconds: 0.000_000_1, kvCapacityTokens: 500_000, maxBatch: 256)))
var controller = Controller(configuration: configuration)
var fleet = Fleet()
let clock = ContinuousClock()
var latencies: [Double] = []
var allocations: [UInt64] = []
/// The two parts that walk every worker, timed alone on the same snapshots.
var observeLatencies: [Double] = []
var planLatencies: [Double] = []
var memory = ObservationMemory()
func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
}
var actions = 0
for tick in 1...ticks {
    let time = Double(tick) * tickSeconds
    fleet.advance(to: time)
    let snapshot = fleet.snapshot(at: time)
    let allocationsBefore = fulcrum_allocation_count()
    let start = clock.now
    let decision = controller.decide(snapshot, overrides: .none)
    let elapsed = clock.now - start
    allocations.append(fulcrum_allocation_count() - allocationsBefore)
    latencies.append(milliseconds(elapsed))
    actions += decision.actions.count
    let observeStart = clock.now
    memory = IntervalObserver.observe(snapshot, memory: memory, configuration: configuration).1
    observeLatencies.append(milliseconds(clock.now - observeStart))
    let planStart = clock.now
    _ = Planner.plan(desired: decision.desired, snapshot: snapshot, constraints: configuration.placement)
    planLatencies.append(milliseconds(clock.now - planStart))
}

func percentile<T: Comparable>(_ sorted: [T], _ p: Double) -> T { sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))] }
let sortedLatency = latencies.sorted()
let sortedAllocations = allocations.sorted()
let workers = fleet.workers.count
let ready = fleet.workers.count { $0.lifecycle == .ready }
print("Control tick at fleet size: \(workers) workers (\(ready) ready, full histograms) on \(fleet.nodes.count) nodes, \(ticks) ticks")
print(String(format: "decide   median %.3f ms   p90 %.3f ms   p99 %.3f ms   max %.3f ms",
             percentile(sortedLatency, 0.5), percentile(sortedLatency, 0.9), percentile(sortedLatency, 0.99), sortedLatency.last ?? 0))
let observeSorted = observeLatencies.sorted()
let planSorted = planLatencies.sorted()
print(String(format: "  of which observe (counter and histogram deltas of every worker) median %.3f ms, plan (GPU ledger and placement) median %.3f ms",
             percentile(observeSorted, 0.5), percentile(planSorted, 0.5)))
print("heap allocations per tick: median \(percentile(sortedAllocations, 0.5)), p99 \(percentile(sortedAllocations, 0.99))")
print("actions planned over the run: \(actions) (the snapshot is not changed by them: every tick plans against the same fleet)")
print(String(format: "goal: median ≤ 1 ms — %@", percentile(sortedLatency, 0.5) <= 1 ? "met" : "not met"))
