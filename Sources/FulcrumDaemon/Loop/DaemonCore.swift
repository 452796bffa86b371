import FulcrumConfiguration
import FulcrumCoordination
import FulcrumCore

/// The daemon's decision state and the one place it changes: overrides, the controller, the
/// last decisions and the audit trail. Services call into it; it calls out only through the
/// fleet and telemetry protocols, so its behaviour is testable without systemd or sockets.
package actor DaemonCore {
    package private(set) var configuration: DaemonConfiguration
    package private(set) var overrides = Overrides()
    package private(set) var decisions: [Decision] = []
    package private(set) var audit: [AuditEntry] = []
    package private(set) var lastObservation: FleetObservation?
    /// Why workers' latest scrapes failed, as of the last tick (their values are older).
    private(set) var lastScrapeErrors: [WorkerID: String] = [:]
    package private(set) var lastOutcomes: [ActionReport] = []
    package private(set) var ticks = 0
    /// The etcd election as last seen; nil until the first round, and always when this
    /// daemon runs alone (no `coordination` configured).
    package private(set) var election: ElectionStatus?
    private var controller: Controller
    private let fleet: any WorkerFleet
    private let telemetry: any TelemetryProvider
    private let historyLimit = 50
    private let persist: (@Sendable (OperatorState) -> Void)?
    private var persisted: OperatorState

    /// `restored` is what a previous run saved; `persist` is called with the operator state
    /// whenever it changes (overrides set or expired, a hand drain, an audit line).
    package init(
        configuration: DaemonConfiguration, fleet: any WorkerFleet, telemetry: any TelemetryProvider,
        restored: OperatorState? = nil, persist: (@Sendable (OperatorState) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.fleet = fleet
        self.telemetry = telemetry
        self.controller = Controller(configuration: configuration.controller)
        self.persist = persist
        if let restored {
            overrides = restored.overrides
            audit = restored.audit
            controller.takeOver(restored.fleetTakenOver)
        }
        persisted = OperatorState(overrides: overrides, audit: audit, fleetTakenOver: controller.fleetTakenOver)
    }

    package var operatorState: OperatorState {
        OperatorState(overrides: overrides, audit: audit, fleetTakenOver: controller.fleetTakenOver)
    }

    /// The fleet the controller holds as taken over; nil before the first tick.
    package var fleetTakenOver: PerRole<Int>? { controller.fleetTakenOver }

    private func persistIfChanged() {
        let state = operatorState
        guard state != persisted else { return }
        persisted = state
        persist?(state)
    }

    /// One control-loop tick at `now`: observe, decide, act (unless dry-run or paused).
    @discardableResult
    package func tick(now: Timestamp) async -> Decision {
        let observation = await fleet.observe()
        let readings = await telemetry.telemetry(for: observation.workers)
        var workers = observation.workers
        for index in workers.indices {
            workers[index].telemetry = readings[workers[index].id]
        }
        let snapshot = ClusterSnapshot(time: now, nodes: observation.nodes, workers: workers, frontend: await telemetry.frontend())
        overrides.forgetDrains(given: workers)
        let decision = controller.decide(snapshot, overrides: overrides)
        // Expired overrides are dropped for good once a decision has reported them.
        overrides = overrides.active(at: now).active
        if configuration.dryRun {
            lastOutcomes = decision.actions.map { ActionReport(action: $0, result: .skippedDryRun) }
        } else if !mayAct {
            lastOutcomes = decision.actions.map { ActionReport(action: $0, result: .notLeader, message: notLeading?.message) }
        } else if !decision.actions.isEmpty {
            lastOutcomes = await fleet.execute(decision.actions)
        } else {
            lastOutcomes = []
        }
        lastObservation = FleetObservation(nodes: observation.nodes, workers: workers)
        lastScrapeErrors = await telemetry.scrapeErrors()
        decisions.append(decision)
        if decisions.count > historyLimit { decisions.removeFirst(decisions.count - historyLimit) }
        ticks += 1
        persistIfChanged()
        return decision
    }

    package func apply(_ request: OverrideRequest, ttlSeconds: Double?, reason: String?, requester: Requester?, now: Timestamp) -> AuditEntry {
        let (next, description) = overrides.applying(request, now: now, ttlSeconds: ttlSeconds, reason: reason)
        overrides = next
        return record(AuditEntry(time: now, requester: requester, action: description, reason: reason))
    }

    /// Why an override cannot be set, or nil: bounds set by hand only tighten the configured
    /// ones (an operator's safety limit must never widen by a typo); widening them is a change
    /// to the configuration.
    package func refusal(of request: OverrideRequest) -> ControlError? {
        guard case let .bounds(bounds) = request else { return nil }
        let configured = configuration.controller
        for role in Role.allCases {
            // A bound tightens only while it lies within the configured minimum and maximum.
            let (low, high) = (configured.minInstances[role], configured.maxInstances[role])
            for (field, value) in [("min", bounds.min[role]), ("max", bounds.max[role])] {
                guard let value else { continue }
                if value < low {
                    return .widening("\(field)_\(role) \(value) is below budget.min_\(role) (\(low))", key: "budget.min_\(role)")
                }
                if let high, value > high {
                    return .widening("\(field)_\(role) \(value) is above budget.max_\(role) (\(high))", key: "budget.max_\(role)")
                }
            }
        }
        return nil
    }

    @discardableResult
    package func record(_ entry: AuditEntry) -> AuditEntry {
        audit.append(entry)
        if audit.count > 200 { audit.removeFirst(audit.count - 200) }
        persistIfChanged()
        return entry
    }

    /// Drains one worker by hand. Only a worker the fleet reports can be named, so a crafted
    /// id never reaches the unit manager.
    package func drain(_ worker: WorkerID, reason: String?, requester: Requester?, now: Timestamp) async throws(ControlError) -> ActionReport {
        let observation = await fleet.observe()
        guard let target = observation.workers.first(where: { $0.id == worker }) else {
            throw ControlError(status: 404, "no worker \(worker); list them with GET /v1/workers (fulcrumctl workers)")
        }
        guard target.canBeDrainedByHand else {
            throw ControlError(status: 409, "worker \(worker) is \(target.lifecycle.rawValue), not ready or starting; nothing to drain")
        }
        // In dry-run nothing is drained, so nothing is remembered either: a drain set aside
        // now would otherwise be carried out once the daemon acts for real.
        if configuration.dryRun {
            return ActionReport(action: .drain(worker: worker), result: .skippedDryRun)
        }
        record(AuditEntry(time: now, requester: requester, action: "drain \(worker)", reason: reason))
        // The controller must not cancel an operator's drain to refill the role; it starts a
        // replacement instead, on other GPUs where any fit.
        overrides.drainByHand(worker, node: target.node, gpus: target.gpus)
        persistIfChanged()
        return await fleet.execute([.drain(worker: worker)]).first ?? ActionReport(action: .drain(worker: worker), result: .failed)
    }

    /// Forgets the fleet taken over: the next tick takes over what runs then. For an operator
    /// who resized the fleet by hand, or whose fleet taken over is larger than any burst needs.
    package func takeOverRunningFleet(reason: String?, requester: Requester?, now: Timestamp) -> AuditEntry {
        let previous = controller.fleetTakenOver.map { " (was prefill \($0.prefill), decode \($0.decode))" } ?? ""
        controller.takeOver(nil)
        return record(AuditEntry(time: now, requester: requester, action: "take over the running fleet at the next tick\(previous)", reason: reason))
    }

    package func reconcile(requester: Requester?, now: Timestamp) async {
        record(AuditEntry(time: now, requester: requester, action: "reconcile", reason: nil))
        await fleet.reconcile()
    }

    /// Swaps in a new configuration; the controller keeps what it learned where that still holds.
    package func reload(_ next: DaemonConfiguration, requester: Requester?, now: Timestamp) {
        configuration = next
        controller = controller.reconfigured(next.controller)
        record(AuditEntry(time: now, requester: requester, action: "reload configuration", reason: nil))
    }

    package var lastDecision: Decision? { decisions.last }

    // MARK: Coordination

    /// Whether this daemon may act: always when it runs alone, else only as the elected leader
    /// (the actuator's fence confirms that with etcd again before each change).
    package var mayAct: Bool { configuration.coordination == nil || election?.role == .leader }

    package func coordinate(_ status: ElectionStatus) {
        election = status
    }

    /// The shared operator state (etcd), replacing this daemon's: a standby follows the
    /// leader's overrides and audit trail, and a new leader starts from them.
    package func adoptShared(_ state: OperatorState?) {
        overrides = state?.overrides ?? Overrides()
        audit = state?.audit ?? []
        // A leader that never wrote one (older, or not ticked yet) leaves this daemon's own.
        if let held = state?.fleetTakenOver { controller.takeOver(held) }
        // Remembered as the store holds it, so that what this daemon knows beyond it (its own
        // fleet taken over) is written at the next tick, once it may write, not at the next change.
        persisted = OperatorState(overrides: overrides, audit: audit, fleetTakenOver: state?.fleetTakenOver)
    }

    /// Why a change cannot be made through this daemon, or nil when it can.
    package var notLeading: ControlError? {
        guard !mayAct else { return nil }
        guard let election, election.role == .standby else {
            let why = election?.problem ?? "etcd has not answered yet"
            return ControlError(status: 503, "fulcrumd \(configuration.coordination?.name ?? "") holds no etcd lease (\(why)), so it takes no changes and acts on nothing; check etcd (coordination.etcd.endpoints) and retry")
        }
        guard let leader = election.leader else {
            return ControlError(status: 503, "fulcrumd \(election.me.name) is a standby and no daemon leads right now; retry in a few seconds")
        }
        return ControlError(status: 409, "fulcrumd \(election.me.name) is a standby; the leader is \(leader.name) on host \(leader.host) (pid \(leader.pid)); run the command there: ssh \(leader.host) fulcrumctl --socket \(leader.controlSocket) ...")
    }
}
