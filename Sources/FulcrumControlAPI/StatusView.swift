import FulcrumCore

/// `GET /v1/status`: the fleet, the split, what is overridden, and the recent past.
public struct StatusView: Sendable, Hashable, Codable {
    /// One past decision, in brief.
    public struct DecisionSummary: Sendable, Hashable, Codable {
        public var time: Double
        public var current: PerRole<Int>
        public var desired: PerRole<Int>
        public var actions: [String]
        public var reasons: [String]

        public init(_ decision: Decision) {
            time = decision.time.seconds
            current = decision.current
            desired = decision.desired
            actions = decision.actions.map(\.description)
            reasons = decision.reasons.map(\.description)
        }
    }

    /// A node and whether its systemd answered.
    public struct Node: Sendable, Hashable, Codable {
        public var name: String
        public var gpus: [Int]
        public var reachable: Bool

        public init(_ node: NodeSnapshot) {
            name = node.name
            gpus = node.gpus
            reachable = node.reachable
        }
    }

    public var schema: Int
    public var nodes: [Node]
    /// Every worker, unless the request's `max_workers` was exceeded (then empty: see
    /// `workerCount`).
    public var workers: [WorkerView]
    /// How many workers there are, listed or not.
    public var workerCount: Int?
    /// Workers by role and lifecycle state (`ready`, `starting`, `draining`, `failed`).
    public var workerStates: PerRole<[String: Int]>?
    public var current: PerRole<Int>?
    public var desired: PerRole<Int>?
    public var paused: Bool
    public var dryRun: Bool
    public var overrides: OverridesView
    public var gpuBudget: Int
    public var gpusInUse: Int
    public var lastDecisions: [DecisionSummary]
    public var audit: [AuditView]
    /// The election, when several daemons share the fleet through etcd.
    public var coordination: CoordinationView?
    /// The fleet taken over, which no role shrinks below while traffic is bursty or still
    /// being learned (`POST /v1/take-over` forgets it); nil before the first tick.
    public var fleetTakenOver: PerRole<Int>?

    enum CodingKeys: String, CodingKey {
        case schema, nodes, workers, current, desired, paused, overrides, audit, coordination
        case dryRun = "dry_run"
        case gpuBudget = "gpu_budget"
        case workerCount = "worker_count"
        case workerStates = "worker_states"
        case gpusInUse = "gpus_in_use"
        case lastDecisions = "last_decisions"
        case fleetTakenOver = "fleet_taken_over"
    }

    public init(nodes: [Node], workers: [WorkerView], workerCount: Int? = nil, workerStates: PerRole<[String: Int]>? = nil, current: PerRole<Int>?, desired: PerRole<Int>?, paused: Bool, dryRun: Bool,
                overrides: OverridesView, gpuBudget: Int, gpusInUse: Int, lastDecisions: [DecisionSummary], audit: [AuditView],
                coordination: CoordinationView? = nil, fleetTakenOver: PerRole<Int>? = nil) {
        schema = ControlSchema.version
        self.nodes = nodes
        self.workers = workers
        self.workerCount = workerCount
        self.workerStates = workerStates
        self.current = current
        self.desired = desired
        self.paused = paused
        self.dryRun = dryRun
        self.overrides = overrides
        self.gpuBudget = gpuBudget
        self.gpusInUse = gpusInUse
        self.lastDecisions = lastDecisions
        self.audit = audit
        self.coordination = coordination
        self.fleetTakenOver = fleetTakenOver
    }
}

/// One line of the audit trail: a change made through the control API, who asked and why.
public struct AuditView: Sendable, Hashable, Codable {
    public struct Peer: Sendable, Hashable, Codable {
        public var uid: Int
        public var gid: Int
        public var pid: Int

        public init(uid: Int, gid: Int, pid: Int) {
            self.uid = uid
            self.gid = gid
            self.pid = pid
        }
    }

    public var time: Double
    /// The peer credentials of the connection; nil when they could not be read.
    public var requester: Peer?
    public var action: String
    public var reason: String?

    public init(time: Double, requester: Peer?, action: String, reason: String?) {
        self.time = time
        self.requester = requester
        self.action = action
        self.reason = reason
    }
}
