import FulcrumCore

// Shared pieces of the baseline policies (dynamo-sla, dynamo-load, aiconfigurator, hindsight-mean).
// See docs/baselines.md for the sources each one follows and what was simplified.

/// The offline profile as NVIDIA Dynamo's pre-deployment profiler would report it, derived from
/// the simulator's performance priors.
///
/// Dynamo's `PrefillInterpolator` gives TTFT and prefill tokens/s/GPU as functions of ISL (both
/// measured with one request in flight), and its `DecodeInterpolator` gives ITL and decode
/// tokens/s/GPU over (KV usage, context length). The step model `a + b·batch + c·batch·context`
/// plays the role of that interpolation grid here.
struct DynamoProfile: Sendable {
    var prefill: PrefillPerformance
    var decode: DecodePerformance
    var gpusPerInstance: PerRole<Int>

    init?(priors: PerformancePriors, gpusPerInstance: PerRole<Int>) {
        guard let prefill = priors.prefill, let decode = priors.decode,
              prefill.tokensPerSecond > 0, gpusPerInstance.prefill > 0, gpusPerInstance.decode > 0
        else { return nil }
        self.prefill = prefill
        self.decode = decode
        self.gpusPerInstance = gpusPerInstance
    }

    /// Profiled TTFT of one prompt of `isl` tokens on an idle instance (`interpolate_ttft`).
    func expectedTTFT(isl: Double) -> Double {
        prefill.serviceTime(inputTokens: isl)
    }

    /// Prefill tokens/s per GPU at `isl` (`interpolate_thpt_per_gpu`): the profiler measures
    /// `isl / ttft / gpus` with one request in flight.
    func prefillThroughputPerGPU(isl: Double) -> Double {
        let gpus = Double(gpusPerInstance.prefill)
        guard isl > 0 else { return prefill.tokensPerSecond / gpus }
        return isl / expectedTTFT(isl: isl) / gpus
    }

    /// Prefill requests/s one instance sustains at `isl` (the same measurement per request).
    func prefillRequestsPerSecond(isl: Double) -> Double {
        1 / expectedTTFT(isl: max(0, isl))
    }

    /// Profiled ITL with `concurrency` sequences of `context` tokens on one decode instance
    /// (`interpolate_itl`). Like the profile grid, the batch is clipped to what fits in memory
    /// and to at least one sequence.
    func expectedITL(concurrency: Double, context: Double) -> Double {
        let batch = min(max(1, concurrency), decode.batchLimit(meanContext: context))
        return decode.stepTime(batch: batch, meanContext: context)
    }

    /// The best decode tokens/s per GPU whose ITL stays within `itl` at `context`
    /// (`find_best_throughput_per_gpu`). When no batch meets it, the batch-of-one figure,
    /// as Dynamo falls back to the lowest KV-usage grid point.
    func bestDecodeThroughputPerGPU(itl: Double, context: Double) -> Double {
        decode.throughput(atTPOT: itl, meanContext: context) / Double(gpusPerInstance.decode)
    }

    /// Decode tokens/s of one instance at the TPOT target.
    func decodeTokensPerSecond(tpot: Double, context: Double) -> Double {
        decode.throughput(atTPOT: tpot, meanContext: context)
    }
}

/// Traffic seen between two scrapes, as the Prometheus queries of Dynamo's SLA planner return
/// it for one adjustment interval (`increase(...[interval])` on the frontend's counters and
/// histograms).
struct DynamoTrafficSample: Sendable, Equatable {
    /// Seconds between the two snapshots.
    var elapsed: Double
    /// Requests that arrived in the interval.
    var requests: Double
    /// Mean input length of those requests; `nil` without requests.
    var isl: Double?
    /// Mean output length of the requests completed in the interval; `nil` without completions.
    var osl: Double?
    /// Mean TTFT over the interval, seconds; `nil` without observations.
    var ttft: Double?
    /// Mean ITL over the interval, seconds; `nil` without observations.
    var itl: Double?

    /// Dynamo's `Metrics.is_valid()`: all of TTFT, ITL, ISL and OSL are known.
    var isValid: Bool { ttft != nil && itl != nil && isl != nil && osl != nil }
}

enum DynamoTraffic {
    /// Increase of a cumulative counter; a decrease is a reset (the new value counts from 0), and
    /// a series absent before counts from 0, as Prometheus' `increase()` treats them.
    static func increase(from previous: Double?, to current: Double) -> Double {
        guard let previous else { return max(0, current) }
        return current >= previous ? current - previous : max(0, current)
    }

    /// Increase of a histogram's `_sum` and `_count`, with the same reset rule.
    static func increase(from previous: CumulativeHistogram?, to current: CumulativeHistogram?) -> (sum: Double, count: Double) {
        guard let current else { return (0, 0) }
        guard let previous, current.count >= previous.count else { return (max(0, current.sum), current.count) }
        return (max(0, current.sum - previous.sum), current.count - previous.count)
    }

    /// The traffic of the interval between `previous` and `current`. The frontend is used when
    /// both snapshots have it (it sees every request once); otherwise the workers' own counters
    /// stand in: prefill completions for arrivals and ISL, decode completions for OSL, prefill
    /// TTFT and decode ITL histograms for the latencies.
    static func sample(previous: ClusterSnapshot, current: ClusterSnapshot) -> DynamoTrafficSample {
        let elapsed = max(0, current.time - previous.time)
        let previousWorkers = Dictionary(previous.workers.map { ($0.id, $0) }, uniquingKeysWith: { $1 })

        func workerIncrease(_ role: Role, _ value: (WorkerTelemetry) -> Double) -> Double {
            var total = 0.0
            for worker in current.workers where worker.role == role {
                guard let telemetry = worker.telemetry else { continue }
                total += increase(from: previousWorkers[worker.id]?.telemetry.map(value), to: value(telemetry))
            }
            return total
        }
        func workerHistogram(_ role: Role, _ value: (WorkerTelemetry) -> CumulativeHistogram?) -> (sum: Double, count: Double) {
            var sum = 0.0
            var count = 0.0
            for worker in current.workers where worker.role == role {
                guard let telemetry = worker.telemetry else { continue }
                let delta = increase(from: previousWorkers[worker.id]?.telemetry.flatMap(value), to: value(telemetry))
                sum += delta.sum
                count += delta.count
            }
            return (sum, count)
        }
        func mean(_ total: Double, over count: Double) -> Double? {
            count > 0 ? total / count : nil
        }

        var requests: Double
        var isl: Double?
        var osl: Double?
        var ttftDelta: (sum: Double, count: Double)
        var itlDelta: (sum: Double, count: Double)

        if let frontend = current.frontend {
            let before = previous.frontend
            requests = increase(from: before?.requestsArrived, to: frontend.requestsArrived)
            isl = mean(increase(from: before?.inputTokens, to: frontend.inputTokens), over: requests)
            osl = mean(
                increase(from: before?.outputTokens, to: frontend.outputTokens),
                over: increase(from: before?.requestsCompleted, to: frontend.requestsCompleted)
            )
            ttftDelta = increase(from: before?.timeToFirstToken, to: frontend.timeToFirstToken)
            itlDelta = increase(from: before?.interTokenLatency, to: frontend.interTokenLatency)
        } else {
            requests = workerIncrease(.prefill) { $0.requestsFinished }
            isl = mean(workerIncrease(.prefill) { $0.promptTokens }, over: requests)
            osl = mean(workerIncrease(.decode) { $0.generationTokens }, over: workerIncrease(.decode) { $0.requestsFinished })
            ttftDelta = (0, 0)
            itlDelta = (0, 0)
        }
        // Latency histograms fall back to the workers' when the frontend exposes none.
        if ttftDelta.count == 0 { ttftDelta = workerHistogram(.prefill) { $0.timeToFirstToken } }
        if itlDelta.count == 0 { itlDelta = workerHistogram(.decode) { $0.interTokenLatency } }

        return DynamoTrafficSample(
            elapsed: elapsed,
            requests: requests,
            isl: isl,
            osl: osl,
            ttft: mean(ttftDelta.sum, over: ttftDelta.count),
            itl: mean(itlDelta.sum, over: itlDelta.count)
        )
    }
}

extension ClusterSnapshot {
    /// Workers of `role` in `lifecycle`.
    func baselineCount(_ role: Role, _ lifecycle: WorkerLifecycle) -> Int {
        workers.reduce(0) { $0 + ($1.role == role && $1.lifecycle == lifecycle ? 1 : 0) }
    }

    /// Workers of `role` that count as capacity (ready or starting): the replica count a
    /// Kubernetes deployment spec would state.
    func baselineActiveCount(_ role: Role) -> Int {
        baselineCount(role, .ready) + baselineCount(role, .starting)
    }

    /// Whether every started worker is serving: Dynamo's connector only applies a new replica
    /// count when the deployment is ready, i.e. no replica is still coming up.
    var baselineDeploymentReady: Bool {
        !workers.contains { $0.lifecycle == .starting }
    }
}

/// `math.ceil` to an instance count, saturating for absurd values.
func baselineCeil(_ value: Double) -> Int {
    guard value.isFinite else { return value > 0 ? Int.max / 4 : 0 }
    let rounded = value.rounded(.up)
    return rounded >= Double(Int.max / 4) ? Int.max / 4 : Int(rounded)
}
