import FulcrumCore

extension ClusterSimulation {
    func makeOutcome() -> SimulationOutcome {
        var records = [RequestRecord?](repeating: nil, count: requests.count)
        for state in requests {
            records[state.traceIndex] = record(for: state)
        }
        let requestRecords = records.compactMap { $0 }
        let workers = prefills.map(\.worker.record) + decodes.map(\.worker.record)
        let result = ResultBuilder(
            input: input,
            policyName: policy.name,
            requests: requestRecords,
            transitions: transitions,
            actions: actionLog,
            desired: desiredLog,
            gpuSeconds: gpuSeconds,
            gpuSecondsByRole: gpuSecondsByRole,
            prefixCache: tracksPrefixes ? prefills.reduce((queried: 0.0, hit: 0.0)) { ($0.queried + $1.prefixQueries, $0.hit + $1.prefixHits) } : nil,
            endTime: now
        ).build()
        return SimulationOutcome(
            result: result,
            requests: requestRecords,
            workers: workers,
            transitions: transitions,
            actions: actionLog,
            snapshots: snapshots,
            finalSnapshot: makeSnapshot()
        )
    }

    private func record(for state: RequestState) -> RequestRecord {
        let status: RequestRecord.Status
        switch state.status {
        case .completed: status = .completed
        case .unservable: status = .unservable
        case .unfinished, .pending: status = .unfinished
        }
        var ttft: Double?
        var tpot: Double?
        if status == .completed, let first = state.firstTokenAt, let done = state.completedAt {
            ttft = first - state.arrival
            if state.outputTokens > 1 { tpot = (done - first) / Double(state.outputTokens - 1) }
        }
        let meets = status == .completed
            && (ttft ?? .infinity) <= input.slo.ttftSeconds
            && (tpot ?? 0) <= input.slo.tpotSeconds
        return RequestRecord(
            index: state.traceIndex,
            arrival: state.arrival,
            inputTokens: state.inputTokens,
            outputTokens: state.outputTokens,
            status: status,
            ttft: ttft,
            tpot: tpot,
            completedAt: state.completedAt,
            resolvedAt: state.resolvedAt ?? now,
            meetsSLO: meets,
            prefillWorker: state.prefillInstance.map { prefills[$0].worker.id.rawValue },
            decodeWorker: state.decodeInstance.map { decodes[$0].worker.id.rawValue }
        )
    }
}
