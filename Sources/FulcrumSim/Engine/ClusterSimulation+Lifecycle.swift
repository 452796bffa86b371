import FulcrumCore
import FulcrumTraces

/// Worker lifecycle (starting → ready ⇄ draining → stopped) and the validation of policy actions.
extension ClusterSimulation {
    /// Creates a worker in `starting` holding `gpus`. Ids are `role-N`, numbered per role in
    /// creation order and never reused, so a snapshot's id always means the same worker.
    @discardableResult
    mutating func createWorker(role: Role, node: String, gpus: [Int]) -> (WorkerID, Int) {
        let id = WorkerID("\(role.rawValue)-\(workerNumbers[role])")
        workerNumbers[role] += 1
        for gpu in gpus { gpuInUse[node]?[gpu] = true }
        heldGPUs += gpus.count
        heldGPUsByRole[role] += gpus.count
        let worker = WorkerBookkeeping(id: id, role: role, node: node, gpus: gpus, startedAt: now)
        let index: Int
        switch role {
        case .prefill:
            index = prefills.count
            prefills.append(PrefillInstance(worker: worker, prefixCache: newPrefixCaches()))
        case .decode:
            index = decodes.count
            decodes.append(DecodeInstance(worker: worker))
        }
        workerLocations[id] = (role, index)
        transitions.append(WorkerTransition(time: now, worker: id, role: role, state: .starting))
        return (id, index)
    }

    mutating func markReady(role: Role, index: Int) {
        guard worker(role: role, index: index).state == .starting else { return }
        setState(.ready, role: role, index: index)
        routable[role].append(index)
        dispatchRouterQueue(role)
    }

    mutating func stopWorker(role: Role, index: Int) {
        let current = worker(role: role, index: index)
        guard current.state != .stopped else { return }
        setState(.stopped, role: role, index: index)
        routable[role].removeAll { $0 == index }
        for gpu in current.gpus { gpuInUse[current.node]?[gpu] = false }
        heldGPUs -= current.gpus.count
        heldGPUsByRole[role] -= current.gpus.count
    }

    func worker(role: Role, index: Int) -> WorkerBookkeeping {
        role == .prefill ? prefills[index].worker : decodes[index].worker
    }

    /// Moves a worker to `state`, stamps when it happened, and logs the transition.
    private mutating func setState(_ state: WorkerTransition.State, role: Role, index: Int) {
        var worker = worker(role: role, index: index)
        guard worker.state != state else { return }
        worker.state = state
        switch state {
        case .starting: break
        case .ready: if worker.readyAt == nil { worker.readyAt = now }
        case .draining: worker.drainStartedAt = now
        case .stopped: worker.stoppedAt = now
        }
        switch role {
        case .prefill: prefills[index].worker = worker
        case .decode: decodes[index].worker = worker
        }
        transitions.append(WorkerTransition(time: now, worker: worker.id, role: role, state: state))
    }

    private func isEmpty(role: Role, index: Int) -> Bool {
        role == .prefill ? prefills[index].isEmpty : decodes[index].isEmpty
    }

    // MARK: - Actions

    mutating func apply(_ action: ScalingAction) {
        var record = ActionRecord(tick: tickIndex, time: now, action: action, outcome: .applied)
        switch action {
        case let .start(role, node, gpus):
            record.role = role
            record.node = node
            if let reason = startRejection(role: role, node: node, gpus: gpus) {
                record.outcome = .rejected(reason: reason)
            } else {
                let (id, index) = createWorker(role: role, node: node, gpus: gpus)
                record.worker = id
                schedule(.workerReady(role: role, instance: index), at: now + (policy.startsInstantly ? 0 : profile.startupSeconds))
            }
        case let .drain(id):
            record.worker = id
            guard let (role, index) = workerLocations[id], worker(role: role, index: index).state != .stopped else {
                record.outcome = .rejected(reason: "no running worker \(id)")
                break
            }
            record.role = role
            record.node = worker(role: role, index: index).node
            switch worker(role: role, index: index).state {
            case .starting:
                // Nothing is routed to a starting worker: stopping it loses no work.
                stopWorker(role: role, index: index)
            case .ready:
                setState(.draining, role: role, index: index)
                routable[role].removeAll { $0 == index }
                if isEmpty(role: role, index: index) { stopWorker(role: role, index: index) }
            case .draining, .stopped:
                record.outcome = .noOp
            }
        case let .cancelDrain(id):
            record.worker = id
            guard let (role, index) = workerLocations[id], worker(role: role, index: index).state != .stopped else {
                record.outcome = .rejected(reason: "no running worker \(id)")
                break
            }
            record.role = role
            record.node = worker(role: role, index: index).node
            guard worker(role: role, index: index).state == .draining else {
                record.outcome = .noOp
                break
            }
            setState(.ready, role: role, index: index)
            routable[role].append(index)
            dispatchRouterQueue(role)
        }
        actionLog.append(record)
    }

    /// Why a start cannot happen, or `nil` if it can: the node exists, the GPU count is the
    /// role's instance size, every GPU exists and is free, and the budget holds.
    private func startRejection(role: Role, node: String, gpus: [Int]) -> String? {
        guard let inUse = gpuInUse[node] else { return "no node \(node)" }
        let size = profile.gpusPerInstance[role]
        guard gpus.count == size else { return "\(role) needs \(size) GPUs, got \(gpus.count)" }
        guard Set(gpus).count == gpus.count else { return "GPU listed twice" }
        for gpu in gpus {
            guard inUse.indices.contains(gpu) else { return "\(node) has no GPU \(gpu)" }
            guard !inUse[gpu] else { return "GPU \(gpu) on \(node) is in use" }
        }
        guard heldGPUs + size <= input.gpuBudget else {
            return "budget: \(heldGPUs) + \(size) GPUs exceeds \(input.gpuBudget)"
        }
        return nil
    }
}
