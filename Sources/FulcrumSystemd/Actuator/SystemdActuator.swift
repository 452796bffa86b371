import Foundation
import FulcrumCore
import Logging

/// Executes `ScalingAction`s as systemd template units on one or more nodes, and reports what
/// runs there as `WorkerSnapshot`s.
///
/// One actor owns all state; each node has a supervisor task that connects (with backoff),
/// reconciles, then applies the node's signals in order until the connection drops. Nothing
/// here polls systemd: changes arrive as PropertiesChanged and JobRemoved signals, and the
/// periodic reconcile only repairs what signals could not say (a restart, a lost connection).
public actor SystemdActuator {
    /// Fixed at start but for `dryRun`, which a configuration reload may turn on or off.
    public private(set) var configuration: ActuatorConfiguration
    let policy: UnitNamePolicy
    let logger: Logger
    let router: (any RouterHook)?
    let loadProvider: (any WorkerLoadProvider)?
    let readiness: (any ReadinessProbe)?
    let fence: (any ActuationFence)?
    let wallClock: @Sendable () -> Timestamp

    let nodeConfigurations: [String: NodeConfiguration]
    var links: [String: SystemdManagerClient] = [:]
    var reachable: [String: Bool] = [:]
    var workers: [WorkerID: TrackedWorker] = [:]
    var failures: FailureLedger
    var drainTasks: [WorkerID: Task<Void, Never>] = [:]
    var supervisors: [Task<Void, Never>] = []
    var ignoredUnits: Set<String> = []
    /// Workers whose router registration is under way: two observations running at once (the
    /// scrape's and the tick's) must not register one worker twice.
    var registrationsUnderWay: Set<WorkerID> = []
    public internal(set) var counters = ActuatorCounters()

    /// Node and worker events as they happen. Keeps the newest 10,000 if nobody reads.
    public nonisolated let events: AsyncStream<ActuatorEvent>
    let eventSink: AsyncStream<ActuatorEvent>.Continuation

    public init(
        configuration: ActuatorConfiguration,
        router: (any RouterHook)? = nil,
        loadProvider: (any WorkerLoadProvider)? = nil,
        readiness: (any ReadinessProbe)? = nil,
        fence: (any ActuationFence)? = nil,
        logger: Logger = Logger(label: "fulcrum.systemd"),
        wallClock: @escaping @Sendable () -> Timestamp = { Timestamp(seconds: Date().timeIntervalSince1970) }
    ) throws(ActuatorError) {
        try configuration.validate()
        self.configuration = configuration
        self.policy = UnitNamePolicy(templates: configuration.templates)
        self.router = router
        self.loadProvider = loadProvider
        self.readiness = readiness
        self.fence = fence
        self.logger = logger
        self.wallClock = wallClock
        self.nodeConfigurations = Dictionary(uniqueKeysWithValues: configuration.nodes.map { ($0.name, $0) })
        self.failures = FailureLedger(backoff: configuration.failureBackoff)
        (events, eventSink) = AsyncStream.makeStream(of: ActuatorEvent.self, bufferingPolicy: .bufferingNewest(10_000))
    }

    /// Connects to every node and adopts what runs there; returns once each node was either
    /// reconciled or found unreachable. Unreachable nodes keep being retried in the background.
    public func start() async {
        guard supervisors.isEmpty else { return }
        let first = await withTaskGroup(of: (String, SystemdManagerClient?).self) { group in
            for node in configuration.nodes {
                group.addTask { (node.name, await self.connect(node)) }
            }
            var clients: [String: SystemdManagerClient?] = [:]
            for await (name, client) in group { clients[name] = client }
            return clients
        }
        for node in configuration.nodes {
            let client = first[node.name] ?? nil
            supervisors.append(Task { await self.supervise(node, initial: client) })
        }
    }

    /// Turns dry-run on or off (a configuration reload): from the next call on, changes to
    /// units and router registrations are made, or only logged.
    public func setDryRun(_ dryRun: Bool) {
        configuration.dryRun = dryRun
    }

    /// Stops watching nodes and closes every connection. Workers keep running: a restarted
    /// actuator adopts them.
    public func shutdown() async {
        for task in supervisors { task.cancel() }
        for task in drainTasks.values { task.cancel() }
        for task in supervisors { await task.value }
        supervisors = []
        drainTasks = [:]
        for client in links.values { client.close() }
        links = [:]
        eventSink.finish()
    }

    // MARK: Node supervision

    /// One attempt to connect and reconcile; nil (and the node marked unreachable) on failure.
    private func connect(_ node: NodeConfiguration) async -> SystemdManagerClient? {
        do {
            let client = try await SystemdManagerClient.connect(node.endpoint, label: "\(node.name) (\(node.endpoint))")
            links[node.name] = client
            if reachable[node.name] != true {
                reachable[node.name] = true
                logger.info("node reachable", metadata: ["node": "\(node.name)", "endpoint": "\(node.endpoint)"])
                eventSink.yield(.nodeReachable(node: node.name))
            }
            await reconcile(node: node.name)
            return client
        } catch {
            markUnreachable(node.name, error)
            return nil
        }
    }

    private func supervise(_ node: NodeConfiguration, initial: SystemdManagerClient?) async {
        var client = initial
        var attempt = 0
        while !Task.isCancelled {
            if let connected = client {
                attempt = 0
                await follow(connected, node: node)
                connected.close()
                if links[node.name] === connected { links[node.name] = nil }
                if Task.isCancelled { return }
                counters.nodeDisconnects += 1
                markUnreachable(node.name, BusError(returnCode: -ECONNRESET, operation: "following \(node.name)"))
            }
            attempt += 1
            do {
                try await Task.sleep(for: configuration.reconnectBackoff.delay(attempt: attempt))
            } catch { return }
            client = await connect(node)
        }
    }

    /// Applies the node's signals in order, and reconciles it periodically, until disconnect.
    private func follow(_ client: SystemdManagerClient, node: NodeConfiguration) async {
        let interval = configuration.reconcileInterval
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while true {
                    do { try await Task.sleep(for: interval) } catch { return }
                    await self.reconcile(node: node.name)
                }
            }
            for await event in client.events {
                if case .disconnected = event { break }
                await apply(event, node: node)
            }
            group.cancelAll()
        }
    }

    private func markUnreachable(_ name: String, _ error: any Error) {
        let wasReachable = reachable[name] != false
        reachable[name] = false
        links[name] = nil
        guard wasReachable else {
            logger.debug("node still unreachable", metadata: ["node": "\(name)", "error": "\(error)"])
            return
        }
        let endpoint = nodeConfigurations[name]?.endpoint
        let cause = "\(error)".droppingFinalPeriod
        let problem = ActuatorError(
            .unreachableNode,
            "Node \(name) (\(endpoint?.description ?? "?")) is unreachable (\(cause)); \(endpoint.map { "\($0.reachabilityCheck); " } ?? "")its workers are reported stale until it answers again, retrying with backoff.",
            bus: error as? BusError
        )
        logger.warning("\(problem.message)", metadata: ["node": "\(name)"])
        eventSink.yield(.nodeUnreachable(node: name, error: problem))
    }

    // MARK: Shared helpers

    func endpoint(of worker: TrackedWorker) -> WorkerEndpoint {
        let node = nodeConfigurations[worker.node]
        return WorkerEndpoint(
            id: worker.id, role: worker.unit.role, node: worker.node, gpus: worker.unit.gpus.indices,
            unit: worker.unit.name, host: node?.workerHost ?? "127.0.0.1",
            port: configuration.ports.port(role: worker.unit.role, gpus: worker.unit.gpus)
        )
    }

    func metadata(_ worker: TrackedWorker) -> Logger.Metadata {
        ["worker": "\(worker.id)", "node": "\(worker.node)", "unit": "\(worker.unit.name)", "role": "\(worker.unit.role)", "gpus": "\(worker.unit.gpus.indices)"]
    }

    /// The gate before every call that changes a unit: re-validates the name (safety), in
    /// dry-run logs the exact call instead of making it, and asks the fence (the leadership
    /// check) last, so nothing runs between its answer and the call. True: go ahead.
    func permit(_ call: BusMethodCall, unit: String, node: String) async throws(ActuatorError) -> Bool {
        guard let configuration = nodeConfigurations[node] else {
            throw ActuatorError(.unknownNode, "The node '\(node)' is not configured; add it to the actuator configuration.")
        }
        _ = try policy.validate(unit, on: configuration)
        if self.configuration.dryRun {
            logger.notice("dry-run: would call \(call) on \(node)", metadata: ["node": "\(node)", "unit": "\(unit)"])
            return false
        }
        try await passFence("\(call) on \(node)")
        logger.debug("calling \(call) on \(node)", metadata: ["node": "\(node)", "unit": "\(unit)"])
        return true
    }

    /// Throws `.fenced` when the fence refuses `change`.
    func passFence(_ change: String) async throws(ActuatorError) {
        guard let fence, let refusal = await fence.refusal(for: change) else { return }
        counters.fenced += 1
        throw ActuatorError(.fenced, "Did not \(change): \(refusal).")
    }

    func client(for node: String) -> SystemdManagerClient? {
        reachable[node] == true ? links[node] : nil
    }
}
