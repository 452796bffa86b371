import FulcrumConfiguration
import FulcrumCore

extension SnapshotMessage {
    /// The core's input for this line, after every check the decoder cannot express.
    ///
    /// The checks mirror what the daemon guarantees about its own snapshots (known roles and
    /// states, GPUs that exist on the worker's node and are held once, finite non-negative
    /// numbers), because the core is written against those guarantees.
    ///
    /// `firstSeen` gives, per worker id, the time of the first line that listed it: the start
    /// time of a worker sent without `started_at`.
    public func coreInput(firstSeen: [String: Double] = [:]) throws(DecisionRequestError) -> (snapshot: ClusterSnapshot, overrides: Overrides) {
        try finite(time, "time")
        let gpusByNode = try checkedNodeGPUs()
        var workers: [WorkerSnapshot] = []
        var seenIDs: Set<String> = []
        var heldGPUs: [String: [Int: String]] = [:]
        for (index, worker) in self.workers.enumerated() {
            let key = "workers[\(index)]"
            if worker.id.isEmpty { throw DecisionRequestError(field: "\(key).id", "is empty; give each worker a stable id") }
            guard seenIDs.insert(worker.id).inserted else {
                throw DecisionRequestError(field: "\(key).id", "repeats the worker id \"\(worker.id)\"; ids must be unique")
            }
            workers.append(try coreWorker(worker, key: key, gpusByNode: gpusByNode, heldGPUs: &heldGPUs, firstSeen: firstSeen))
        }

        let snapshot = ClusterSnapshot(
            time: Timestamp(seconds: time),
            nodes: nodes.map { NodeSnapshot(name: $0.name, gpus: $0.gpus, reachable: $0.reachable ?? true, backingOff: $0.backingOff ?? []) },
            workers: workers,
            frontend: try frontend.map { frontend throws(DecisionRequestError) in try frontend.core() },
            traffic: try traffic.map { traffic throws(DecisionRequestError) in try traffic.core() }
        )
        return (snapshot, try overrides?.core() ?? .none)
    }

    /// Each node's GPUs, once the nodes are checked: at least one, named, names unique, GPU
    /// indices in range and listed once.
    private func checkedNodeGPUs() throws(DecisionRequestError) -> [String: Set<Int>] {
        if nodes.isEmpty { throw DecisionRequestError(field: "nodes", "is empty; list at least one node with its GPUs") }
        var gpusByNode: [String: Set<Int>] = [:]
        for (index, node) in nodes.enumerated() {
            let key = "nodes[\(index)]"
            if node.name.isEmpty { throw DecisionRequestError(field: "\(key).name", "is empty; give the node a name") }
            if gpusByNode[node.name] != nil {
                throw DecisionRequestError(field: "\(key).name", "repeats the node name \"\(node.name)\"; node names must be unique")
            }
            if let gpu = node.gpus.firstIndex(where: { !SettingRules.gpuIndices.contains($0) }) {
                throw DecisionRequestError(field: "\(key).gpus[\(gpu)]", "is \(node.gpus[gpu]); GPU indices are \(SettingRules.gpuIndices.lowerBound) to \(SettingRules.gpuIndices.upperBound)")
            }
            if Set(node.gpus).count != node.gpus.count { throw DecisionRequestError(field: "\(key).gpus", "lists a GPU twice; list each index once") }
            gpusByNode[node.name] = Set(node.gpus)
        }
        return gpusByNode
    }

    /// One worker line as the core's worker, after its role, state, node, GPUs (on its node, held
    /// by one serving worker each, recorded in `heldGPUs`) and times are checked.
    private func coreWorker(_ worker: Worker, key: String, gpusByNode: [String: Set<Int>], heldGPUs: inout [String: [Int: String]],
                            firstSeen: [String: Double]) throws(DecisionRequestError) -> WorkerSnapshot {
        guard let role = Role(rawValue: worker.role) else {
            throw DecisionRequestError(field: "\(key).role", "is \"\(worker.role)\"; expected prefill or decode")
        }
        guard let lifecycle = WorkerLifecycle(rawValue: worker.state) else {
            throw DecisionRequestError(field: "\(key).state", "is \"\(worker.state)\"; expected starting, ready, draining or failed")
        }
        guard let nodeGPUs = gpusByNode[worker.node] else {
            throw DecisionRequestError(field: "\(key).node", "is \"\(worker.node)\", which is not in nodes; add the node or fix the name")
        }
        if worker.gpus.isEmpty { throw DecisionRequestError(field: "\(key).gpus", "is empty; list the GPUs the worker holds") }
        for (gpuIndex, gpu) in worker.gpus.enumerated() {
            guard nodeGPUs.contains(gpu) else {
                throw DecisionRequestError(field: "\(key).gpus[\(gpuIndex)]", "is GPU \(gpu), which node \"\(worker.node)\" does not list")
            }
            if lifecycle != .failed {
                if let holder = heldGPUs[worker.node, default: [:]][gpu] {
                    throw DecisionRequestError(field: "\(key).gpus[\(gpuIndex)]", "is GPU \(gpu) on \"\(worker.node)\", already held by \"\(holder)\"; a GPU serves one worker")
                }
                heldGPUs[worker.node, default: [:]][gpu] = worker.id
            }
        }
        if let startedAt = worker.startedAt { try finite(startedAt, "\(key).started_at") }
        let startedAt = worker.startedAt ?? firstSeen[worker.id] ?? time
        if let readyAt = worker.readyAt { try finite(readyAt, "\(key).ready_at") }
        return WorkerSnapshot(
            id: WorkerID(worker.id), role: role, node: worker.node, gpus: worker.gpus, lifecycle: lifecycle,
            startedAt: Timestamp(seconds: startedAt), readyAt: worker.readyAt.map(Timestamp.init(seconds:)),
            telemetry: try worker.telemetry.map { telemetry throws(DecisionRequestError) in try telemetry.core(field: "\(key).telemetry") }
        )
    }

    /// The wire form of a core snapshot: what a caller would send to get the same decision.
    public init(_ snapshot: ClusterSnapshot, overrides: OverrideSettings? = nil) {
        self.init(
            time: snapshot.time.seconds,
            nodes: snapshot.nodes.map {
                Node(name: $0.name, gpus: $0.gpus, reachable: $0.reachable ? nil : false, backingOff: $0.backingOff.isEmpty ? nil : $0.backingOff)
            },
            workers: snapshot.workers.map { worker in
                Worker(
                    id: worker.id.rawValue, role: worker.role.rawValue, node: worker.node, gpus: worker.gpus,
                    state: worker.lifecycle.rawValue, startedAt: worker.startedAt.seconds, readyAt: worker.readyAt?.seconds,
                    telemetry: worker.telemetry.map(Telemetry.init)
                )
            },
            frontend: snapshot.frontend.map(Frontend.init),
            traffic: snapshot.traffic.map(Traffic.init),
            overrides: overrides
        )
    }
}

extension SnapshotMessage.Telemetry {
    init(_ telemetry: WorkerTelemetry) {
        self.init(
            scrapedAt: telemetry.scrapedAt.seconds, requestsWaiting: telemetry.requestsWaiting,
            requestsRunning: telemetry.requestsRunning, kvCacheUsage: telemetry.kvCacheUsage,
            promptTokens: telemetry.countsTokens ? telemetry.promptTokens : nil,
            generationTokens: telemetry.countsTokens ? telemetry.generationTokens : nil,
            requestsFinished: telemetry.requestsFinished,
            ttftSeconds: telemetry.timeToFirstToken.map(SnapshotMessage.Histogram.init),
            itlSeconds: telemetry.interTokenLatency.map(SnapshotMessage.Histogram.init),
            prefixCacheQueries: telemetry.prefixCacheQueries, prefixCacheHits: telemetry.prefixCacheHits,
            prefixCacheHitRate: telemetry.prefixCacheHitRate, kvTransferSeconds: telemetry.kvTransferSeconds,
            kvTransfers: telemetry.kvTransfers, kvTransferSecondsTotal: telemetry.kvTransferSecondsTotal
        )
    }

    func core(field: String) throws(DecisionRequestError) -> WorkerTelemetry {
        try finite(scrapedAt, "\(field).scraped_at")
        let counters: [(Double?, String)] = [
            (requestsWaiting, "requests_waiting"), (requestsRunning, "requests_running"), (promptTokens, "prompt_tokens"),
            (generationTokens, "generation_tokens"), (requestsFinished, "requests_finished"),
            (prefixCacheQueries, "prefix_cache_queries"), (prefixCacheHits, "prefix_cache_hits"), (kvTransferSeconds, "kv_transfer_seconds"),
            (kvTransfers, "kv_transfers"), (kvTransferSecondsTotal, "kv_transfer_seconds_total"),
        ]
        for (value, name) in counters { if let value { try nonNegative(value, "\(field).\(name)") } }
        if let kvCacheUsage, !(kvCacheUsage.isFinite && (0...1).contains(kvCacheUsage)) {
            throw DecisionRequestError(field: "\(field).kv_cache_usage", "is \(kvCacheUsage); expected a fraction between 0 and 1")
        }
        if let prefixCacheHitRate, !(prefixCacheHitRate.isFinite && (0...1).contains(prefixCacheHitRate)) {
            throw DecisionRequestError(field: "\(field).prefix_cache_hit_rate", "is \(prefixCacheHitRate); expected a fraction between 0 and 1")
        }
        return WorkerTelemetry(
            scrapedAt: Timestamp(seconds: scrapedAt), requestsWaiting: requestsWaiting ?? 0, requestsRunning: requestsRunning ?? 0,
            kvCacheUsage: kvCacheUsage, promptTokens: promptTokens ?? 0, generationTokens: generationTokens ?? 0,
            requestsFinished: requestsFinished ?? 0,
            timeToFirstToken: try ttftSeconds.map { histogram throws(DecisionRequestError) in try histogram.core(field: "\(field).ttft_seconds") },
            interTokenLatency: try itlSeconds.map { histogram throws(DecisionRequestError) in try histogram.core(field: "\(field).itl_seconds") },
            prefixCacheQueries: prefixCacheQueries, prefixCacheHits: prefixCacheHits,
            prefixCacheHitRate: prefixCacheHitRate, kvTransferSeconds: kvTransferSeconds,
            kvTransfers: kvTransfers, kvTransferSecondsTotal: kvTransferSecondsTotal,
            // A caller that sends neither token counter does not count tokens; its zeros are no evidence.
            countsTokens: promptTokens != nil || generationTokens != nil
        )
    }
}

extension SnapshotMessage.Histogram {
    init(_ histogram: CumulativeHistogram) {
        self.init(buckets: histogram.buckets.map { Bucket(le: $0.upperBound, count: $0.cumulativeCount) }, sum: histogram.sum)
    }

    func core(field: String) throws(DecisionRequestError) -> CumulativeHistogram {
        guard let last = buckets.last, last.le == .infinity else {
            throw DecisionRequestError(field: "\(field).buckets", "must end with the {\"le\": \"+Inf\"} bucket, whose count is the total")
        }
        for index in buckets.indices {
            let bucket = buckets[index]
            try nonNegative(bucket.count, "\(field).buckets[\(index)].count")
            if index > 0 {
                if !(bucket.le > buckets[index - 1].le) {
                    throw DecisionRequestError(field: "\(field).buckets[\(index)].le", "is \(bucket.le), not above the previous bucket's; order buckets by increasing le")
                }
                if bucket.count < buckets[index - 1].count {
                    throw DecisionRequestError(field: "\(field).buckets[\(index)].count", "is \(bucket.count), below the previous bucket's; counts are cumulative")
                }
            }
        }
        try nonNegative(sum, "\(field).sum")
        return CumulativeHistogram(buckets: buckets.map { .init(upperBound: $0.le, cumulativeCount: $0.count) }, sum: sum)
    }
}

extension SnapshotMessage.Frontend {
    init(_ frontend: FrontendTelemetry) {
        self.init(
            scrapedAt: frontend.scrapedAt.seconds, requestsArrived: frontend.requestsArrived, inputTokens: frontend.inputTokens,
            outputTokens: frontend.outputTokens, requestsCompleted: frontend.requestsCompleted,
            ttftSeconds: frontend.timeToFirstToken.map(SnapshotMessage.Histogram.init),
            itlSeconds: frontend.interTokenLatency.map(SnapshotMessage.Histogram.init)
        )
    }

    func core() throws(DecisionRequestError) -> FrontendTelemetry {
        try finite(scrapedAt, "frontend.scraped_at")
        try nonNegative(requestsArrived, "frontend.requests_arrived")
        try nonNegative(inputTokens, "frontend.input_tokens")
        try nonNegative(outputTokens, "frontend.output_tokens")
        try nonNegative(requestsCompleted, "frontend.requests_completed")
        return FrontendTelemetry(
            scrapedAt: Timestamp(seconds: scrapedAt), requestsArrived: requestsArrived, inputTokens: inputTokens,
            outputTokens: outputTokens, requestsCompleted: requestsCompleted,
            timeToFirstToken: try ttftSeconds.map { histogram throws(DecisionRequestError) in try histogram.core(field: "frontend.ttft_seconds") },
            interTokenLatency: try itlSeconds.map { histogram throws(DecisionRequestError) in try histogram.core(field: "frontend.itl_seconds") }
        )
    }
}

extension SnapshotMessage.Traffic {
    init(_ window: TrafficWindow) {
        self.init(
            durationS: window.durationSeconds, requests: window.requests, meanInputTokens: window.meanInputTokens,
            meanOutputTokens: window.meanOutputTokens, ttftSeconds: window.ttftSeconds, itlSeconds: window.interTokenLatencySeconds
        )
    }

    func core() throws(DecisionRequestError) -> TrafficWindow {
        guard durationS.isFinite, durationS > 0, durationS <= 86_400 else {
            throw DecisionRequestError(field: "traffic.duration_s", "is \(durationS); expected the window's length in seconds, above 0 and at most a day")
        }
        try nonNegative(requests, "traffic.requests", atMost: 1e9)
        for (value, name, ceiling) in [(meanInputTokens, "mean_input_tokens", 1e8), (meanOutputTokens, "mean_output_tokens", 1e8),
                                       (ttftSeconds, "ttft_seconds", 86_400), (itlSeconds, "itl_seconds", 86_400)] {
            if let value { try nonNegative(value, "traffic.\(name)", atMost: ceiling) }
        }
        return TrafficWindow(
            durationSeconds: durationS, requests: requests, meanInputTokens: meanInputTokens, meanOutputTokens: meanOutputTokens,
            ttftSeconds: ttftSeconds, interTokenLatencySeconds: itlSeconds
        )
    }
}

extension SnapshotMessage.OverrideSettings {
    func core() throws(DecisionRequestError) -> Overrides {
        var overrides = Overrides()
        if paused == true { overrides.pause = Expiring(true) }
        if let counts {
            let allowed = 0...OverrideLimits.instances
            guard allowed.contains(counts.prefill), allowed.contains(counts.decode) else {
                throw DecisionRequestError(field: "overrides.counts", "is \(counts.prefill):\(counts.decode); expected instance counts from 0 to \(OverrideLimits.instances)")
            }
            overrides.counts = Expiring(counts)
        }
        if let ratio {
            let parts = ratio.split(separator: ":", omittingEmptySubsequences: false)
            let allowed = 1...OverrideLimits.ratioPart
            guard parts.count == 2, let prefill = Int(parts[0]), let decode = Int(parts[1]), allowed.contains(prefill), allowed.contains(decode) else {
                throw DecisionRequestError(field: "overrides.ratio", "is \"\(ratio)\"; expected PREFILL:DECODE with both from 1 to \(OverrideLimits.ratioPart), e.g. \"1:3\"")
            }
            overrides.ratio = Expiring(InstanceRatio(prefill: prefill, decode: decode))
        }
        return overrides
    }
}

/// The span of a caller's timeline: ±1e11 s (3,000 years) holds Unix time and any offset; a
/// `1e300` accepted here would refuse every later line as "going backwards".
private let timelineSeconds = 1e11
/// Counters (tokens, requests) reach 1e18 in no deployment; beyond it a value is corrupt and,
/// turned into a rate, would stay in the controller's memory.
private let largestCount = 1e18

/// A time on the caller's timeline: finite and within ±1e11 s.
private func finite(_ value: Double, _ field: String) throws(DecisionRequestError) {
    guard value.isFinite, abs(value) <= timelineSeconds else {
        throw DecisionRequestError(field: field, "is \(value); expected seconds on your timeline, within ±1e11")
    }
}

private func nonNegative(_ value: Double, _ field: String, atMost ceiling: Double = largestCount) throws(DecisionRequestError) {
    guard value.isFinite, value >= 0, value <= ceiling else {
        throw DecisionRequestError(field: field, "is \(value); expected a finite number from 0 to \(ceiling)")
    }
}
