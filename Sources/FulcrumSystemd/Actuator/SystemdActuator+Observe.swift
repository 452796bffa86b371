import FulcrumCore
import Logging

/// What the actuator sees, in the controller's terms.
public struct ClusterObservation: Sendable, Hashable {
    public var nodes: [NodeSnapshot]
    public var workers: [WorkerSnapshot]
}

extension SystemdActuator {
    /// Nodes and workers for the next `ClusterSnapshot` (telemetry is the scraper's to fill).
    ///
    /// A worker is `ready` once its unit is active/running and the readiness probe (if any)
    /// passes; it is then registered with the router once. Workers of an unreachable node are
    /// reported as last seen, with `NodeSnapshot.reachable == false`.
    public func observe() async -> ClusterObservation {
        await promoteReadyWorkers()
        let backingOff = failures.backingOff(at: wallClock())
        let nodes = configuration.nodes.map {
            NodeSnapshot(name: $0.name, gpus: $0.gpus, reachable: reachable[$0.name] == true, backingOff: backingOff[$0.name, default: []].sorted())
        }
        let snapshots = workers.values.compactMap { worker -> WorkerSnapshot? in
            guard let lifecycle = worker.lifecycle else { return nil }
            return WorkerSnapshot(
                id: worker.id, role: worker.unit.role, node: worker.node, gpus: worker.unit.gpus.indices,
                lifecycle: lifecycle, startedAt: worker.startedAt, readyAt: worker.readyAt
            )
        }
        return ClusterObservation(nodes: nodes, workers: snapshots.sorted { $0.id < $1.id })
    }

    /// Drops a worker whose unit is gone, and any drain still waiting on it: left running, that
    /// drain would stop the next worker given the same GPUs (and so the same id).
    func forget(_ id: WorkerID) {
        workers[id] = nil
        drainTasks.removeValue(forKey: id)?.cancel()
    }

    /// Whether a StopUnit for `id` is under way (or its drain still running toward one).
    func isStopPending(_ id: WorkerID) -> Bool {
        workers[id]?.stopping == true || drainTasks[id] != nil
    }

    /// The snapshot of one worker, if the actuator knows it.
    public func worker(_ id: WorkerID) async -> WorkerSnapshot? {
        await observe().workers.first { $0.id == id }
    }

    /// Deregisters a worker whose registration finished after its drain began.
    private func withdraw(_ target: WorkerEndpoint, worker: TrackedWorker) async {
        guard let router, (try? await passFence("deregister \(target.url) from the router")) != nil else { return }
        do {
            try await router.deregister(target)
        } catch {
            counters.routerHookFailures += 1
            logger.warning("router deregistration of \(target.url), registered as its drain began, failed: \(error)", metadata: metadata(worker))
        }
    }

    /// Marks running workers ready (after the probe) and registers them with the router. A
    /// standby (fenced) marks them ready but leaves registration to the leader; once it leads,
    /// the workers still unregistered are registered on its next observation.
    private func promoteReadyWorkers() async {
        // A standby leaves registration to the leader: asked once per observation, not per worker.
        var registering = router != nil && !configuration.dryRun
        if registering, let fence { registering = await fence.mightAct() }
        let candidates = workers.values.filter {
            $0.isRunning && !$0.draining && reachable[$0.node] == true && ($0.readyAt == nil || (registering && !$0.registered))
        }
        for worker in candidates {
            let target = endpoint(of: worker)
            if worker.readyAt == nil, let readiness, await !readiness.isReady(target) { continue }
            guard var current = workers[worker.id], current.isRunning, !current.draining else { continue }
            if current.readyAt == nil {
                current.readyAt = wallClock()
                workers[worker.id] = current
            }
            guard let router, registering, !current.registered, registrationsUnderWay.insert(worker.id).inserted else { continue }
            defer { registrationsUnderWay.remove(worker.id) }
            do {
                try await passFence("register \(target.url) with the router")
            } catch {
                continue
            }
            do {
                try await router.register(target)
                guard workers[worker.id]?.draining == false else {
                    // A drain began (or the worker went) while the router was being told: its
                    // deregistration may have come first, so take the worker out again.
                    await withdraw(target, worker: current)
                    continue
                }
                workers[worker.id]?.registered = true
            } catch {
                counters.routerHookFailures += 1
                logger.warning("router registration of \(target.url) failed: \(error)", metadata: metadata(current))
                // Not ready for traffic until the router knows it: try again next observation.
                workers[worker.id]?.readyAt = nil
            }
        }
    }
}
