import FulcrumCore
import Logging

extension SystemdActuator {
    /// Executes one tick's actions. Starts of one call run concurrently (their jobs are
    /// pipelined on each node's connection) and are awaited; drains are begun and go on in
    /// the background. Every action is idempotent: repeating a tick changes nothing.
    public func execute(_ actions: [ScalingAction]) async -> [ActionResult] {
        var results: [ActionResult?] = Array(repeating: nil, count: actions.count)
        var starts: [(Int, PreparedStart)] = []
        var startBudget = configuration.maxStartsPerTick
        var drainBudget = configuration.maxDrainsPerTick
        for (index, action) in actions.enumerated() {
            let outcome: ActionOutcome
            switch action {
            case let .start(role, node, gpus):
                switch prepareStart(role: role, node: node, gpus: gpus, budget: &startBudget) {
                case let .immediate(result): outcome = result
                case let .go(prepared):
                    starts.append((index, prepared))
                    continue
                }
            case let .drain(worker):
                outcome = beginDrain(worker, budget: &drainBudget)
            case let .cancelDrain(worker):
                outcome = await cancelDrain(worker)
            }
            results[index] = ActionResult(action: action, outcome: outcome)
        }
        let started = await withTaskGroup(of: (Int, ActionOutcome).self) { group in
            for (index, prepared) in starts {
                group.addTask { (index, await self.performStart(prepared)) }
            }
            var outcomes: [(Int, ActionOutcome)] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        for (index, outcome) in started { results[index] = ActionResult(action: actions[index], outcome: outcome) }
        for result in results.compactMap({ $0 }) { count(result.outcome) }
        return results.compactMap { $0 }
    }

    private func count(_ outcome: ActionOutcome) {
        switch outcome {
        case .refused: counters.refused += 1
        case .deferred: counters.deferred += 1
        default: break
        }
    }

    // MARK: Start

    struct PreparedStart: Sendable {
        var id: WorkerID
        var node: String
        var unit: WorkerUnit
        var client: SystemdManagerClient
        var resetFirst: Bool
    }

    enum StartPlan {
        case immediate(ActionOutcome)
        case go(PreparedStart)
    }

    private func prepareStart(role: Role, node name: String, gpus: [Int], budget: inout Int) -> StartPlan {
        guard let node = nodeConfigurations[name] else {
            return .immediate(.refused(ActuatorError(.unknownNode, "The start names node '\(name)', which is not configured; add the node or start on a configured one.")))
        }
        let unit: WorkerUnit
        do { unit = try policy.unit(role: role, gpus: gpus, on: node) } catch { return .immediate(.refused(error)) }
        let id = WorkerName.id(node: name, unit: unit.name)
        var resetFirst = false
        if let existing = workers[id] {
            if existing.lifecycle == .failed {
                resetFirst = true
            } else {
                return .immediate(.unchanged(id, "\(unit.name) is already \(existing.lifecycle?.rawValue ?? existing.properties.activeState ?? "known") on \(name)"))
            }
        }
        guard let client = client(for: name) else {
            return .immediate(.deferred(ActuatorError(.unreachableNode, "Node \(name) is unreachable, so \(unit.name) cannot start there now; the planner should place it elsewhere or retry.")))
        }
        if let holder = workers.values.first(where: { $0.node == name && $0.id != id && $0.lifecycle != nil && $0.lifecycle != .failed && $0.unit.gpus.overlaps(unit.gpus) }) {
            return .immediate(.refused(ActuatorError(.gpuConflict, "GPUs \(gpus) on \(name) are held by \(holder.unit.name) (\(holder.lifecycle?.rawValue ?? "?")); start \(unit.name) only after that worker is drained.")))
        }
        let key = FailureLedger.Key(node: name, gpus: unit.gpus)
        if let wait = failures.waitRemaining(key, at: wallClock()) {
            return .immediate(.deferred(ActuatorError(.backingOff, "GPUs \(unit.gpus.indices) on \(name) failed \(failures.failures(key)) time(s) in a row, so \(unit.name) waits \(Int(wait.rounded(.up))) s more before starting; fix the unit if it keeps failing.")))
        }
        guard budget > 0 else {
            return .immediate(.deferred(ActuatorError(.rateLimited, "The per-tick start limit (\(configuration.maxStartsPerTick)) is used up, so \(unit.name) on \(name) waits for the next tick.")))
        }
        budget -= 1
        let startCall = SystemdManagerClient.managerCall("StartUnit", [.string(unit.name), .string("fail")])
        if configuration.dryRun {
            var calls: [String] = []
            if resetFirst { calls.append("\(SystemdManagerClient.managerCall("ResetFailedUnit", [.string(unit.name)])) on \(name)") }
            calls.append("\(startCall) on \(name)")
            for call in calls { logger.notice("dry-run: would call \(call)", metadata: ["node": "\(name)", "unit": "\(unit.name)"]) }
            return .immediate(.dryRun(calls))
        }
        // Hold the GPUs now: a second start in this or a concurrent tick sees them taken.
        var worker = TrackedWorker(id: id, node: name, unit: unit, properties: UnitProperties(activeState: "activating"), startedAt: wallClock())
        worker.starting = true
        workers[id] = worker
        counters.startsRequested += 1
        return .go(PreparedStart(id: id, node: name, unit: unit, client: client, resetFirst: resetFirst))
    }

    /// A start that dry-run (turned on by a reload since it was prepared) stopped before any
    /// call: the GPUs it held are free again.
    private func abandoned(_ start: PreparedStart) -> ActionOutcome {
        workers[start.id] = nil
        return .dryRun([])
    }

    private func performStart(_ start: PreparedStart) async -> ActionOutcome {
        do {
            guard let outcome = try await runStartJob(start) else { return abandoned(start) }
            // On success the unit's own signals carry its state and start time; reading them
            // back here would cost five calls per start. On failure, read why.
            let properties = outcome.succeeded ? nil : try? await start.client.unitProperties(start.unit.name)
            return recordStart(start, outcome: outcome, properties: properties)
        } catch let error as ActuatorError where error.code == .fenced {
            // Nothing was called: release the GPUs held for this start.
            if workers[start.id]?.properties.activeState == "activating" { workers[start.id] = nil }
            return .refused(error)
        } catch {
            return startCallFailed(start, error: error)
        }
    }

    /// Resets the unit first when it had failed, starts it and waits for its job (within the
    /// job timeout); nil when dry-run stopped it before a call.
    private func runStartJob(_ start: PreparedStart) async throws -> JobOutcome? {
        let name = start.unit.name
        if start.resetFirst {
            guard try await permit(SystemdManagerClient.managerCall("ResetFailedUnit", [.string(name)]), unit: name, node: start.node) else { return nil }
            try await start.client.resetFailedUnit(name)
        }
        guard try await permit(SystemdManagerClient.managerCall("StartUnit", [.string(name), .string("fail")]), unit: name, node: start.node) else { return nil }
        let job = try await start.client.startUnit(name)
        return try await withTimeout(configuration.jobTimeout, "the start job of \(name) on \(start.node)") {
            try await start.client.waitForJob(job)
        }
    }

    /// The worker as its finished start job left it: started, or failed and backed off.
    private func recordStart(_ start: PreparedStart, outcome: JobOutcome, properties: UnitProperties?) -> ActionOutcome {
        let name = start.unit.name
        guard var worker = workers[start.id] else { return .failed(ActuatorError(.unitFailed, "Unit \(name) on \(start.node) vanished while starting; check `journalctl -u \(name)`.")) }
        worker.starting = false
        if let properties { worker.properties = properties }
        if outcome.succeeded, !worker.signalled {
            // A done start job means the unit reached active; the signals saying so may
            // still be on their way.
            worker.properties.activeState = "active"
            worker.properties.subState = "running"
        }
        if let stamp = properties?.execMainStartTimestamp, stamp > 0 { worker.startedAt = Timestamp(seconds: Double(stamp) / 1e6) }
        if !outcome.succeeded, worker.properties.activeState != "active" { worker.properties.activeState = "failed" }
        workers[start.id] = worker
        guard outcome.succeeded else {
            counters.startFailures += 1
            noteFailure(start.id)
            return .failed(ActuatorError(.jobFailed, "The start job of \(name) on \(start.node) ended '\(outcome.result)' (unit result \(worker.properties.result ?? "unknown")); check the unit's ExecStart= and its journal, Fulcrum backs this GPU set off before retrying."))
        }
        if worker.hasFailed { noteFailure(start.id) }
        logger.info("started \(name) on \(start.node)", metadata: metadata(worker))
        eventSink.yield(.workerStarted(start.id))
        return .done(start.id)
    }

    /// A start whose calls failed on the bus (or timed out): counted and reported.
    private func startCallFailed(_ start: PreparedStart, error: any Error) -> ActionOutcome {
        counters.startFailures += 1
        if var worker = workers[start.id] {
            worker.starting = false
            workers[start.id] = worker
            // Whether it runs is unknown after a bus error: let the node's next
            // reconcile decide instead of guessing. A worker drained meanwhile stays, so
            // its drain still stops the unit if it did start.
            if worker.properties.activeState == "activating", !worker.draining { workers[start.id] = nil }
        }
        let failure = error as? ActuatorError
            ?? ActuatorError(.bus, "Starting \(start.unit.name) on \(start.node) failed: \(error)", bus: error as? BusError)
        logger.error("\(failure.message)", metadata: ["node": "\(start.node)", "unit": "\(start.unit.name)"])
        return .failed(failure)
    }

    // MARK: Drain

    private func beginDrain(_ id: WorkerID, budget: inout Int) -> ActionOutcome {
        let unit: WorkerUnit
        let node: NodeConfiguration
        do { (node, unit) = try policy.validate(id, nodes: nodeConfigurations) } catch { return .refused(error) }
        guard let worker = workers[id] else {
            return .unchanged(id, "\(unit.name) on \(node.name) is not running, nothing to drain")
        }
        if worker.draining || worker.stopping { return .unchanged(id, "\(unit.name) is already draining") }
        if worker.lifecycle == .failed { return .unchanged(id, "\(unit.name) has failed; the next reconcile clears it") }
        guard budget > 0 else {
            return .deferred(ActuatorError(.rateLimited, "The per-tick drain limit (\(configuration.maxDrainsPerTick)) is used up, so \(id) waits for the next tick."))
        }
        budget -= 1
        if configuration.dryRun {
            var calls: [String] = []
            if router != nil { calls.append("router deregister \(endpoint(of: worker).url)") }
            calls.append("\(SystemdManagerClient.managerCall("StopUnit", [.string(unit.name), .string(Self.drainStopMode)])) on \(node.name)")
            for call in calls { logger.notice("dry-run: would call \(call)", metadata: metadata(worker)) }
            return .dryRun(calls)
        }
        workers[id]?.draining = true
        logger.info("draining \(id)", metadata: metadata(worker))
        drainTasks[id] = Task { await self.runDrain(id) }
        return .done(id)
    }

    /// Deregister → wait for idle or timeout → StopUnit → wait for the stop job → free GPUs.
    private func runDrain(_ id: WorkerID) async {
        guard let worker = workers[id] else { return }
        let target = endpoint(of: worker)
        if let router {
            do {
                try await passFence("deregister \(target.url) from the router")
            } catch {
                abandonDrain(id, because: "\(error)")
                return
            }
            do {
                try await router.deregister(target)
            } catch {
                // A worker the router may still send requests to is never stopped: it keeps
                // serving, and the next decision that wants it gone drains it again.
                counters.routerHookFailures += 1
                abandonDrain(id, because: "router deregistration of \(target.url) failed: \(error)", level: .warning)
                return
            }
        }
        workers[id]?.registered = false
        let idle = await waitUntilIdle(target, since: wallClock(), timeout: configuration.drainTimeout[worker.unit.role])
        guard !Task.isCancelled, workers[id]?.draining == true else { return }
        if idle {
            counters.drainsIdle += 1
            logger.info("\(id) is idle, stopping it", metadata: metadata(worker))
            eventSink.yield(.drainIdle(id))
        } else {
            counters.drainsTimedOut += 1
            logger.warning("\(id) still had requests after the \(worker.unit.role) drain timeout, stopping it anyway", metadata: metadata(worker))
            eventSink.yield(.drainTimedOut(id))
        }
        workers[id]?.stopping = true
        await stop(id)
    }

    /// True once the load provider reports 0 running and 0 waiting in two readings in a row,
    /// taken at different times at or after `since` (the router's deregistration: an older
    /// reading of an idle worker says nothing of the requests routed to it since; and a prefill
    /// worker whose last request just finished may still be handing its KV cache to a decode
    /// worker, which the second reading leaves time for); false at the timeout. Without a
    /// provider there is nothing to wait for.
    private func waitUntilIdle(_ target: WorkerEndpoint, since: Timestamp, timeout: Duration) async -> Bool {
        guard let loadProvider else { return true }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var idleSince: Timestamp?
        while clock.now < deadline {
            if Task.isCancelled { return false }
            if let load = await loadProvider.load(of: target) {
                let measured = load.measuredAt ?? wallClock()
                if !load.isIdle {
                    idleSince = nil
                } else if let first = idleSince, measured > first {
                    return true
                } else if measured >= since, idleSince == nil {
                    idleSince = measured
                }
            }
            do { try await Task.sleep(for: min(configuration.drainPollInterval, deadline - clock.now)) } catch { return false }
        }
        return false
    }

    /// How long a stop job may run: the unit's own `TimeoutStopSec=` (an engine finishing its
    /// in-flight requests on SIGTERM may use all of it before systemd kills it) and a margin,
    /// at least `jobTimeout`. Waiting less gave up on a decode worker's 660 s graceful stop
    /// after 120 s and then read its end as a stop nobody asked for.
    private func stopJobLimit(_ unit: String, client: SystemdManagerClient) async -> Duration {
        let value = try? await client.property(path: SystemdManagerClient.unitPath(unit), interface: "org.freedesktop.systemd1.Service",
                                               name: "TimeoutStopUSec")
        guard let micros = value?.uint64, micros < UInt64(Int64.max) / 2 else { return configuration.jobTimeout }
        return max(configuration.jobTimeout, .microseconds(Int64(micros)) + .seconds(30))
    }

    /// A drain has decided the worker goes: its stop replaces a pending job of the unit. In
    /// `fail` mode a restart queued after a crash (`Restart=on-failure`), or a start still
    /// running, refuses the stop, and the unit would keep its GPUs through every retry.
    static let drainStopMode = "replace"

    /// StopUnit and wait for its job; on failure the worker stays draining and the next
    /// reconcile calls this again.
    func stop(_ id: WorkerID) async {
        guard let worker = workers[id] else { return }
        defer { drainTasks[id] = nil }
        let call = SystemdManagerClient.managerCall("StopUnit", [.string(worker.unit.name), .string(Self.drainStopMode)])
        guard let client = client(for: worker.node) else {
            logger.warning("cannot stop \(id): node \(worker.node) is unreachable; the next reconcile after it returns decides", metadata: metadata(worker))
            workers[id]?.stopping = false
            return
        }
        do {
            guard try await permit(call, unit: worker.unit.name, node: worker.node) else {
                // Dry-run since the drain began: the worker stays draining, and a reconcile
                // once the daemon acts again stops it.
                workers[id]?.stopping = false
                return
            }
            let limit = await stopJobLimit(worker.unit.name, client: client)
            let job = try await client.stopUnit(worker.unit.name, mode: Self.drainStopMode)
            let outcome = try await withTimeout(limit, "the stop job of \(worker.unit.name) on \(worker.node)") {
                try await client.waitForJob(job)
            }
            guard outcome.succeeded else {
                logger.error("the stop job of \(worker.unit.name) on \(worker.node) ended '\(outcome.result)'; the next reconcile retries", metadata: metadata(worker))
                workers[id]?.stopping = false
                return
            }
            // The signal saying how the unit ended may not have been applied yet (a start job
            // cut short leaves it failed): ask, so a failed unit is never left behind.
            if workers[id]?.properties.activeState != "inactive", let properties = try? await client.unitProperties(worker.unit.name) {
                workers[id]?.properties = properties
            }
            if workers[id]?.properties.activeState == "failed" { await clearFailed(id, client: client) }
            workers[id] = nil
            counters.drainsFinished += 1
            logger.info("drained and stopped \(id); GPUs \(worker.unit.gpus.indices) are free", metadata: metadata(worker))
            eventSink.yield(.drainFinished(id))
        } catch let error as ActuatorError where error.code == .fenced {
            abandonDrain(id, because: "\(error)")
        } catch {
            logger.error("stopping \(id) failed: \(error); the next reconcile retries", metadata: metadata(worker))
            workers[id]?.stopping = false
        }
    }

    /// A drain this daemon may no longer finish (it lost the lead): the worker is left running
    /// as it is, for the leader to decide about, instead of retrying a refused stop forever.
    private func abandonDrain(_ id: WorkerID, because reason: String, level: Logger.Level = .notice) {
        guard let worker = workers[id] else { return }
        workers[id]?.draining = false
        workers[id]?.stopping = false
        drainTasks[id] = nil
        logger.log(level: level, "drain of \(id) abandoned, the worker keeps running: \(reason)", metadata: metadata(worker))
    }

    // MARK: Cancel drain

    private func cancelDrain(_ id: WorkerID) async -> ActionOutcome {
        do { _ = try policy.validate(id, nodes: nodeConfigurations) } catch { return .refused(error) }
        guard let worker = workers[id] else {
            return .refused(ActuatorError(.unknownWorker, "The worker \(id) is not running, so its drain cannot be cancelled; start a new worker instead."))
        }
        guard worker.draining else { return .unchanged(id, "\(id) is not draining") }
        guard !worker.stopping else {
            return .refused(ActuatorError(.unknownWorker, "The worker \(id) is already being stopped, so its drain cannot be cancelled; start a new worker instead."))
        }
        if configuration.dryRun {
            let calls = router == nil ? [] : ["router register \(endpoint(of: worker).url)"]
            for call in calls { logger.notice("dry-run: would call \(call)", metadata: metadata(worker)) }
            return .dryRun(calls)
        }
        workers[id]?.draining = false
        drainTasks.removeValue(forKey: id)?.cancel()
        counters.drainsCancelled += 1
        if let router {
            do {
                try await passFence("register \(endpoint(of: worker).url) with the router")
                try await router.register(endpoint(of: worker))
                workers[id]?.registered = true
            } catch {
                counters.routerHookFailures += 1
                logger.warning("router re-registration of \(id) failed; retried when it is next observed ready: \(error)", metadata: metadata(worker))
            }
        }
        logger.info("drain of \(id) cancelled", metadata: metadata(worker))
        eventSink.yield(.drainCancelled(id))
        return .done(id)
    }
}

/// Runs `operation`, failing with a clear error if it takes longer than `limit`.
func withTimeout<T: Sendable>(_ limit: Duration, _ what: String, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw ActuatorError(.jobFailed, "Waiting for \(what) took longer than \(limit); look at why systemd is slow there (`systemctl list-jobs` on that node).")
        }
        defer { group.cancelAll() }
        // Two tasks were added, so the first result is always there; the fallback never runs.
        guard let first = try await group.next() else { throw CancellationError() }
        return first
    }
}
