import FulcrumCore

/// What a scrape of every worker's metrics endpoint and the frontend would return now.
///
/// Only gauges, cumulative counters and cumulative histograms leave this function: nothing
/// about individual requests, true capacities or the trace.
extension ClusterSimulation {
    func makeSnapshot() -> ClusterSnapshot {
        var workers: [WorkerSnapshot] = []
        for instance in prefills {
            guard let snapshot = workerSnapshot(instance.worker, telemetry: { prefillTelemetry(instance) }) else { continue }
            workers.append(snapshot)
        }
        for instance in decodes {
            guard let snapshot = workerSnapshot(instance.worker, telemetry: { decodeTelemetry(instance) }) else { continue }
            workers.append(snapshot)
        }
        return ClusterSnapshot(
            time: Timestamp(seconds: now),
            nodes: input.cluster.nodeSnapshots,
            workers: workers,
            frontend: frontend.telemetry(at: now)
        )
    }

    /// A stopped worker is gone from the scrape; a starting one is listed (its unit exists) but
    /// has no telemetry yet, because its server does not answer until it is ready.
    private func workerSnapshot(_ worker: WorkerBookkeeping, telemetry: () -> WorkerTelemetry) -> WorkerSnapshot? {
        guard let lifecycle = worker.lifecycle else { return nil }
        return WorkerSnapshot(
            id: worker.id,
            role: worker.role,
            node: worker.node,
            gpus: worker.gpus,
            lifecycle: lifecycle,
            startedAt: Timestamp(seconds: worker.startedAt),
            readyAt: worker.readyAt.map { Timestamp(seconds: $0) },
            telemetry: lifecycle == .starting ? nil : telemetry()
        )
    }

    private func prefillTelemetry(_ instance: PrefillInstance) -> WorkerTelemetry {
        // KV in use on a prefill worker: the prefixes of the prompts in the running batch.
        let held = instance.batch.reduce(0) { $0 + requests[$1.request].prefilledTokens }
        var telemetry = WorkerTelemetry(
            scrapedAt: Timestamp(seconds: now),
            requestsWaiting: Double(instance.requestsWaiting),
            requestsRunning: Double(instance.requestsRunning),
            kvCacheUsage: min(1, Double(held) / Double(profile.decode.kvCapacityTokens)),
            promptTokens: instance.worker.promptTokens,
            generationTokens: instance.worker.generationTokens,
            requestsFinished: instance.worker.requestsFinished,
            timeToFirstToken: instance.ttft.cumulative
        )
        if tracksPrefixes, input.exportsPrefixMetrics {
            telemetry.prefixCacheQueries = instance.prefixQueries
            telemetry.prefixCacheHits = instance.prefixHits
        }
        return telemetry
    }

    private func decodeTelemetry(_ instance: DecodeInstance) -> WorkerTelemetry {
        WorkerTelemetry(
            scrapedAt: Timestamp(seconds: now),
            // Requests whose KV is still being pulled are already in the engine's waiting set.
            requestsWaiting: Double(instance.queue.count + instance.inboundTransfers),
            requestsRunning: Double(instance.runningCount),
            kvCacheUsage: Double(instance.contextTokens) / Double(profile.decode.kvCapacityTokens),
            promptTokens: instance.worker.promptTokens,
            generationTokens: instance.worker.generationTokens,
            requestsFinished: instance.worker.requestsFinished,
            interTokenLatency: instance.interTokenLatency.cumulative
        )
    }
}
