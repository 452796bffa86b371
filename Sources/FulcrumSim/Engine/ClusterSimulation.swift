import FulcrumCore
import FulcrumTraces

/// The mutable state of one run and its event loop. Internal: `Simulator.run` is the API.
///
/// Time only advances from event to event (arrivals, batch and step completions, transfers,
/// worker start-ups, policy ticks), so idle periods cost nothing.
///
/// A struct of structs on purpose: mutations through `inout self` get static exclusivity
/// enforcement, whereas class properties pay a runtime access check on every mutation, which
/// dominated the per-step cost of the decode loop.
struct ClusterSimulation {
    let input: SimulationInput
    let profile: Profile
    let environment: PolicyEnvironment
    var policy: any ScalingPolicy

    var now = 0.0
    var events = BinaryHeap<SimulationEvent>()
    private var nextSequence: UInt64 = 0
    var random: SeededGenerator

    /// Requests in arrival order (ties keep trace order).
    var requests: [RequestState]
    var nextArrival = 0
    var resolvedCount = 0
    var finished = false

    var prefills: [PrefillInstance] = []
    var decodes: [DecodeInstance] = []
    var workerLocations: [WorkerID: (role: Role, index: Int)] = [:]
    var workerNumbers = PerRole(repeating: 0)
    /// Ready, non-draining instance indices per role: where the router may send work.
    var routable = PerRole<[Int]>(repeating: [])
    /// Requests that found no routable instance of a phase and wait at the router.
    var routerQueues = PerRole(repeating: FIFOQueue<Int>())
    var roundRobinCursor = 0
    /// The trace names prefix blocks: prefill workers report prefix-cache counters.
    let tracksPrefixes: Bool

    var gpuInUse: [String: [Bool]]
    var heldGPUs = 0
    var heldGPUsByRole = PerRole(repeating: 0)
    var gpuSecondsByRole = PerRole(repeating: 0.0)
    /// ∫ held GPUs dt since t = 0.
    var gpuSeconds = 0.0

    var frontend = FrontendCounters()
    var tickIndex = 0
    var transitions: [WorkerTransition] = []
    var actionLog: [ActionRecord] = []
    var desiredLog: [(time: Double, desired: PerRole<Int>)] = []
    var snapshots: [ClusterSnapshot] = []

    init(input: SimulationInput, policy: any ScalingPolicy) throws {
        self.input = input
        self.profile = input.profile
        self.environment = input.policyEnvironment
        self.policy = policy
        self.random = SeededGenerator(seed: input.seed)
        self.tracksPrefixes = input.trace.contains { !$0.prefixBlocks.isEmpty }
        try Self.validate(input, policy: policy)

        let order = input.trace.indices.sorted { lhs, rhs in
            let left = input.trace[lhs].arrival
            let right = input.trace[rhs].arrival
            return left != right ? left < right : lhs < rhs
        }
        requests = order.map { index in
            let request = input.trace[index]
            return RequestState(
                traceIndex: index,
                arrival: max(0, request.arrival),
                inputTokens: max(1, request.inputTokens),
                outputTokens: max(1, request.outputTokens),
                prefixBlocks: request.prefixBlocks
            )
        }
        gpuInUse = Dictionary(uniqueKeysWithValues: input.cluster.nodes.map { ($0.name, Array(repeating: false, count: $0.gpus)) })
        try placeInitialInstances()
    }

    private static func validate(_ input: SimulationInput, policy: any ScalingPolicy) throws {
        try input.profile.validate(source: "profile \(input.profile.name)")
        try input.cluster.validate(source: "cluster")
        guard policy.tickInterval.isFinite, policy.tickInterval > 0 else {
            throw SimulationInputError("policy \(policy.name) has tick interval \(policy.tickInterval); it must be positive")
        }
        guard input.timelineIntervalSeconds.isFinite, input.timelineIntervalSeconds > 0 else {
            throw SimulationInputError("timeline interval must be positive, got \(input.timelineIntervalSeconds)")
        }
        guard input.firstTickSeconds.isFinite, input.firstTickSeconds >= 0 else {
            throw SimulationInputError("first policy tick must be at zero seconds or later, got \(input.firstTickSeconds)")
        }
        guard input.maxDrainSeconds.isFinite, input.maxDrainSeconds >= 0 else {
            throw SimulationInputError("max drain time must be zero or more, got \(input.maxDrainSeconds)")
        }
        guard input.gpuBudget >= 0 else {
            throw SimulationInputError("GPU budget must be zero or more, got \(input.gpuBudget)")
        }
        guard input.initialInstances.prefill >= 0, input.initialInstances.decode >= 0 else {
            throw SimulationInputError("initial instance counts must be zero or more, got \(input.initialInstances)")
        }
        if let host = input.hostKVCache {
            guard host.bytesPerWorker.isFinite, host.bytesPerWorker >= 0 else {
                throw SimulationInputError("host KV cache size must be zero or more bytes, got \(host.bytesPerWorker)")
            }
            guard host.loadBytesPerSecond.isFinite, host.loadBytesPerSecond > 0 else {
                throw SimulationInputError("host KV cache load rate must be positive, got \(host.loadBytesPerSecond) bytes/s")
            }
        }
        for request in input.trace where !request.arrival.isFinite {
            throw SimulationInputError("a trace request has arrival \(request.arrival)")
        }
    }

    /// Places the initial allocation with the core planner's rules and makes it ready at t = 0
    /// (a deployment that was already up when the trace starts).
    private mutating func placeInitialInstances() throws {
        let empty = ClusterSnapshot(time: Timestamp(seconds: 0), nodes: input.cluster.nodeSnapshots, workers: [])
        let plan = Planner.plan(desired: input.initialInstances, snapshot: empty, constraints: input.placementConstraints)
        guard plan.unplaced == PerRole(repeating: 0) else {
            throw SimulationInputError(
                "the initial allocation (\(input.initialInstances)) does not fit \(input.cluster.totalGPUs) GPUs "
                    + "with a budget of \(input.gpuBudget) (unplaced: \(plan.unplaced))"
            )
        }
        for case let .start(role, node, gpus) in plan.actions {
            let (_, index) = createWorker(role: role, node: node, gpus: gpus)
            markReady(role: role, index: index)
        }
    }

    mutating func schedule(_ kind: SimulationEvent.Kind, at time: Double) {
        events.insert(SimulationEvent(time: max(time, now), sequence: nextSequence, kind: kind))
        nextSequence += 1
    }

    mutating func run() -> SimulationOutcome {
        if !requests.isEmpty {
            schedule(.policyTick, at: input.firstTickSeconds)
            schedule(.arrival, at: requests[0].arrival)
            schedule(.giveUp, at: (requests.last?.arrival ?? 0) + input.maxDrainSeconds)
        }
        while !finished, let event = events.popMin() {
            advanceClock(to: event.time)
            handle(event)
            if resolvedCount == requests.count { finished = true }
        }
        return makeOutcome()
    }

    private mutating func advanceClock(to time: Double) {
        guard time > now else { return }
        gpuSeconds += Double(heldGPUs) * (time - now)
        for role in Role.allCases { gpuSecondsByRole[role] += Double(heldGPUsByRole[role]) * (time - now) }
        now = time
    }

    private mutating func handle(_ event: SimulationEvent) {
        switch event.kind {
        case .arrival:
            let request = nextArrival
            nextArrival += 1
            if nextArrival < requests.count { schedule(.arrival, at: requests[nextArrival].arrival) }
            handleArrival(request)
        case let .prefillBatchDone(instance):
            finishPrefillBatch(instance)
        case let .kvTransferDone(request, decodeInstance):
            receiveTransfer(request, at: decodeInstance)
        case let .decodeStepDone(instance):
            finishDecodeStep(instance)
        case let .workerReady(role, instance):
            markReady(role: role, index: instance)
        case .policyTick:
            runPolicyTick()
        case .giveUp:
            giveUp()
        }
    }

    /// Hands the policy a scrape-equivalent snapshot and applies what it asks for.
    private mutating func runPolicyTick() {
        let snapshot = makeSnapshot()
        if input.recordSnapshots { snapshots.append(snapshot) }
        let output = policy.tick(snapshot: snapshot, environment: environment)
        desiredLog.append((now, output.desired))
        for action in output.actions {
            apply(action)
        }
        tickIndex += 1
        schedule(.policyTick, at: now + policy.tickInterval)
    }

    /// The cap after the last arrival: whatever is still in the system counts as failed.
    private mutating func giveUp() {
        for index in requests.indices where requests[index].status == .pending {
            requests[index].status = .unfinished
            requests[index].resolvedAt = now
            resolvedCount += 1
        }
        finished = true
    }

    mutating func complete(_ request: Int) {
        requests[request].status = .completed
        requests[request].completedAt = now
        requests[request].resolvedAt = now
        resolvedCount += 1
        let state = requests[request]
        frontend.requestsCompleted += 1
        frontend.outputTokens += Double(state.outputTokens)
        if state.outputTokens > 1, let first = state.firstTokenAt {
            frontend.interTokenLatency.observe((now - first) / Double(state.outputTokens - 1))
        }
    }

    mutating func emitFirstToken(_ request: Int) {
        requests[request].firstTokenAt = now
        frontend.timeToFirstToken.observe(now - requests[request].arrival)
    }
}
