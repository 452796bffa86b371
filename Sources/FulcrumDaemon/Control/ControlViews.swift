import FulcrumControlAPI
import FulcrumCoordination
import FulcrumCore
import FulcrumDecisionAPI

/// The daemon's state in the control API's wire types (owned by FulcrumControlAPI, which
/// fulcrumctl decodes with).
extension DaemonCore {
    /// The status; the worker list only when it has at most `maxWorkers` entries (the counts
    /// by role and state are always there), so a summary of a large fleet stays cheap.
    func statusView(now: Timestamp, maxWorkers: Int? = nil) -> StatusView {
        let observation = lastObservation ?? FleetObservation(nodes: [], workers: [])
        let active = overrides.active(at: now).active
        let listed = maxWorkers.map { observation.workers.count <= $0 } ?? true
        var states = PerRole<[String: Int]>(repeating: [:])
        for worker in observation.workers { states[worker.role][worker.lifecycle.rawValue, default: 0] += 1 }
        return StatusView(
            nodes: observation.nodes.map(StatusView.Node.init),
            workers: listed ? workerViews(observation.workers, now: now) : [],
            workerCount: observation.workers.count, workerStates: states,
            current: lastDecision?.current,
            desired: lastDecision?.desired,
            paused: active.pause != nil,
            dryRun: configuration.dryRun,
            overrides: OverridesView(active),
            gpuBudget: configuration.controller.placement.maxTotalGPUs,
            gpusInUse: observation.workers.filter(\.holdsGPUs).reduce(0) { $0 + $1.gpus.count },
            lastDecisions: decisions.suffix(10).map(StatusView.DecisionSummary.init),
            audit: audit.suffix(20).map(AuditView.init),
            coordination: election.map(CoordinationView.init),
            fleetTakenOver: fleetTakenOver
        )
    }

    func workersView(now: Timestamp) -> WorkersView {
        WorkersView(workers: workerViews(lastObservation?.workers ?? [], now: now))
    }

    /// The last decision, or nil before the first tick.
    func explainView(now: Timestamp) -> ExplainView? {
        lastDecision.map {
            ExplainView(decision: DecisionMessage($0, nextDecisionSeconds: configuration.intervals.tick.inSeconds),
                        overrides: OverridesView(overrides.active(at: now).active))
        }
    }

    private func workerViews(_ workers: [WorkerSnapshot], now: Timestamp) -> [WorkerView] {
        let staleAfter = configuration.controller.estimation.staleAfterSeconds
        return workers.map { worker in
            var view = WorkerView(worker, now: now, staleAfterSeconds: staleAfter)
            // A starting worker not answering yet is how a start looks, not a fault.
            if worker.lifecycle != .starting { view.scrapeError = lastScrapeErrors[worker.id] }
            return view
        }.sorted { $0.id < $1.id }
    }
}

extension AuditView {
    init(_ entry: AuditEntry) {
        self.init(time: entry.time.seconds, requester: entry.requester.map { Peer(uid: $0.uid, gid: $0.gid, pid: $0.pid) },
                  action: entry.action, reason: entry.reason)
    }
}

extension ChangeView.Outcome {
    init(_ report: ActionReport) {
        self.init(action: DecisionMessage.Action(report.action), result: report.result.rawValue, message: report.message)
    }
}

extension CoordinationView {
    init(_ status: ElectionStatus) {
        func daemon(_ identity: DaemonIdentity) -> Daemon {
            Daemon(name: identity.name, host: identity.host, pid: Int(identity.pid), controlSocket: identity.controlSocket)
        }
        self.init(role: status.role.rawValue, me: daemon(status.me), leader: status.leader.map(daemon), leaseID: status.leaseID.map(String.init),
                  leaseTTLSeconds: status.leaseTTLSeconds, leaseRemainingSeconds: status.leaseRemainingSeconds, problem: status.problem,
                  leaderChanges: status.leaderChanges, fencedActions: status.fencedActions)
    }
}
