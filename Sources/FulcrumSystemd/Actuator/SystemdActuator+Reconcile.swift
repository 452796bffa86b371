import FulcrumCore
import Logging

extension SystemdActuator {
    /// Re-lists the worker units of every reachable node: adopts running ones, clears failed
    /// ones (counting the failure), forgets vanished ones. Idempotent; call it on every tick
    /// if you like (the actuator also does so every `reconcileInterval`).
    public func reconcile() async {
        for node in configuration.nodes where reachable[node.name] == true {
            await reconcile(node: node.name)
        }
    }

    func reconcile(node name: String) async {
        guard let client = client(for: name), let node = nodeConfigurations[name] else { return }
        let settledBeforeListing = Set(workers.values.filter { $0.node == name && !$0.starting && !$0.stopping }.map(\.id))
        let units: [UnitStatus]
        do {
            units = try await client.listUnitsByPatterns(patterns: configuration.templates.patterns)
        } catch {
            logger.warning("listing worker units on \(name) failed: \(error)", metadata: ["node": "\(name)"])
            return
        }
        var alive: Set<WorkerID> = []
        for status in units {
            let unit: WorkerUnit
            do {
                unit = try policy.validate(status.name, on: node)
            } catch {
                if ignoredUnits.insert("\(name)/\(status.name)").inserted {
                    logger.warning("ignoring unit \(status.name) on \(name): \(error.message)", metadata: ["node": "\(name)", "unit": "\(status.name)"])
                }
                continue
            }
            let id = WorkerName.id(node: name, unit: status.name)
            guard status.activeState != "inactive" else { continue }
            alive.insert(id)
            if var worker = workers[id] {
                worker.properties.activeState = status.activeState
                worker.properties.subState = status.subState
                workers[id] = worker
            } else {
                await adopt(id, unit: unit, node: name, client: client)
            }
            if let worker = workers[id], worker.hasFailed, !worker.stopping { noteFailure(id) }
            if workers[id]?.properties.activeState == "failed" {
                await clearFailed(id, client: client)
            }
        }
        for id in Self.vanished(settledBeforeListing: settledBeforeListing, listed: alive, now: workers) {
            guard let worker = workers[id] else { continue }
            logger.info("worker \(id) is no longer loaded; forgetting it", metadata: metadata(worker))
            forget(id)
            if !worker.draining { eventSink.yield(.workerStopped(id)) }
        }
        // A drain whose StopUnit failed (refused, timed out, node gone for a moment) left its
        // worker draining with nothing driving it; each reconcile tries the stop again.
        for (id, worker) in workers where worker.node == name && alive.contains(id) && worker.draining && !worker.stopping && drainTasks[id] == nil {
            logger.notice("retrying the stop of draining worker \(id)", metadata: metadata(worker))
            workers[id]?.stopping = true
            drainTasks[id] = Task { await self.stop(id) }
        }
        let now = wallClock()
        for worker in workers.values where worker.node == name && worker.isRunning && now - worker.startedAt >= configuration.stableAfter.inSeconds {
            failures.reset(FailureLedger.Key(node: name, gpus: worker.unit.gpus))
        }
    }

    /// The workers a listing shows gone: settled (neither starting nor stopping) before the
    /// listing was asked for, absent from it, and still settled. A worker that started while
    /// the listing and the adoptions after it were awaited is simply not in it yet: forgetting
    /// it lost a hand drain begun in that window (the drain found no worker to stop, and the
    /// next reconcile adopted the unit as a fresh, undrained worker that ran on).
    static func vanished(settledBeforeListing: Set<WorkerID>, listed: Set<WorkerID>, now workers: [WorkerID: TrackedWorker]) -> [WorkerID] {
        settledBeforeListing.subtracting(listed).filter { id in
            guard let worker = workers[id] else { return false }
            return !worker.starting && !worker.stopping
        }.sorted()
    }

    /// Takes over a unit that runs without us having started it (our restart, or a human).
    func adopt(_ id: WorkerID, unit: WorkerUnit, node: String, client: SystemdManagerClient) async {
        let properties: UnitProperties
        do {
            properties = try await client.unitProperties(unit.name)
        } catch is CancellationError {
            return
        } catch {
            logger.warning("reading \(unit.name) on \(node) failed, adopting it next time: \(error)", metadata: ["node": "\(node)", "unit": "\(unit.name)"])
            return
        }
        guard workers[id] == nil else { return }
        let started = properties.execMainStartTimestamp.flatMap { $0 > 0 ? Timestamp(seconds: Double($0) / 1e6) : nil } ?? wallClock()
        let worker = TrackedWorker(id: id, node: node, unit: unit, properties: properties, startedAt: started)
        workers[id] = worker
        counters.adopted += 1
        logger.info("adopted worker \(id) (\(properties.activeState ?? "?")/\(properties.subState ?? "?"))", metadata: metadata(worker))
        eventSink.yield(.workerAdopted(id))
    }

    /// Counts a failure once per failure, backs its GPU set off, and says so.
    func noteFailure(_ id: WorkerID) {
        guard var worker = workers[id], !worker.failureCounted else { return }
        worker.failureCounted = true
        workers[id] = worker
        counters.unitFailures += 1
        let key = FailureLedger.Key(node: worker.node, gpus: worker.unit.gpus)
        let delay = failures.recordFailure(key, at: wallClock())
        let result = worker.properties.result ?? "unknown"
        let journal = nodeConfigurations[worker.node]?.endpoint == .user ? "journalctl --user -u" : "journalctl -u"
        let error = ActuatorError(
            .unitFailed,
            "Unit \(worker.unit.name) on node \(worker.node) failed (result \(result), failure \(failures.failures(key)) in a row); check its ExecStart= and `\(journal) \(worker.unit.name)`, GPUs \(worker.unit.gpus.indices.map(String.init).joined(separator: ",")) are not started again for \(Int(delay.inSeconds.rounded(.up))) s."
        )
        logger.error("\(error.message)", metadata: metadata(worker))
        eventSink.yield(.workerFailed(id, error))
    }

    func clearFailed(_ id: WorkerID, client: SystemdManagerClient) async {
        guard let worker = workers[id] else { return }
        let call = SystemdManagerClient.managerCall("ResetFailedUnit", [.string(worker.unit.name)])
        do {
            guard try await permit(call, unit: worker.unit.name, node: worker.node) else { return }
            try await client.resetFailedUnit(worker.unit.name)
        } catch {
            logger.warning("\(call) on \(worker.node) failed: \(error)", metadata: metadata(worker))
            return
        }
        // Still failed, or already inactive by the reset's own signal; anything else means the
        // unit was started again meanwhile and stays.
        guard let state = workers[id]?.properties.activeState, state == "failed" || state == "inactive" else { return }
        forget(id)
        counters.failedUnitsCleared += 1
        logger.info("cleared failed unit \(worker.unit.name)", metadata: metadata(worker))
        eventSink.yield(.failedUnitCleared(id))
    }

    /// A signal from the node's manager: the only way a crash is noticed between reconciles.
    func apply(_ event: UnitEvent, node: NodeConfiguration) async {
        guard case let .unitChanged(name, _, values) = event,
              let unit = try? policy.validate(name, on: node)
        else { return }
        let id = WorkerName.id(node: node.name, unit: name)
        guard var worker = workers[id] else {
            // Only a unit coming up is adopted here: late signals of one we just stopped
            // (deactivating, failed) must not bring it back.
            if let state = values["ActiveState"]?.string, state == "active" || state == "activating", let client = client(for: node.name) {
                await adopt(id, unit: unit, node: node.name, client: client)
            }
            return
        }
        let wasActive = worker.properties.activeState == "active"
        let wasFailed = worker.properties.activeState == "failed"
        worker.properties.merge(values)
        worker.signalled = true
        if let stamp = values["ExecMainStartTimestamp"]?.uint64, stamp > 0 {
            worker.startedAt = Timestamp(seconds: Double(stamp) / 1e6)
        }
        if worker.properties.activeState == "active", !wasActive, worker.properties.subState != "auto-restart" {
            worker.failureCounted = false
        }
        workers[id] = worker
        if worker.hasFailed && !worker.stopping {
            noteFailure(id)
        } else if worker.properties.activeState == "inactive", !wasFailed, !worker.starting, !worker.stopping {
            // (failed → inactive is a reset-failed, Fulcrum's own or an operator's: `clearFailed`
            // or the next reconcile forgets the worker.)
            logger.notice("worker \(id) stopped without Fulcrum asking", metadata: metadata(worker))
            forget(id)
            eventSink.yield(.workerStopped(id))
        }
    }
}
