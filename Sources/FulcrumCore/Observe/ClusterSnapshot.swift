/// Identifies a worker across snapshots; the actuator uses its unit name.
public struct WorkerID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public static func < (lhs: WorkerID, rhs: WorkerID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Where a worker is in its life.
public enum WorkerLifecycle: String, Sendable, Hashable, Codable, CaseIterable {
    /// Started but not yet serving (loading weights, warming up): capacity that is coming.
    case starting
    /// Serving traffic.
    case ready
    /// Taking no new work; stops once empty. Still holds its GPUs.
    case draining
    /// Not running after an error; holds no GPUs.
    case failed
}

/// A GPU node and the GPU indices Fulcrum may use on it.
public struct NodeSnapshot: Sendable, Hashable, Codable {
    public var name: String
    public var gpus: [Int]
    /// False when the node's systemd could not be reached; its workers are then stale, not gone,
    /// and no new work is placed on it.
    public var reachable: Bool
    /// GPUs of a GPU set whose starts keep failing, held back until their backoff ends: no
    /// new instance is placed on them while others are free, so one broken GPU cannot pin a
    /// role below its need.
    public var backingOff: [Int]

    public init(name: String, gpus: [Int], reachable: Bool = true, backingOff: [Int] = []) {
        self.name = name
        self.gpus = gpus
        self.reachable = reachable
        self.backingOff = backingOff
    }

    enum CodingKeys: String, CodingKey { case name, gpus, reachable, backingOff }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        gpus = try container.decode([Int].self, forKey: .gpus)
        reachable = try container.decode(Bool.self, forKey: .reachable)
        // Snapshots saved before backoff was reported have none.
        backingOff = try container.decodeIfPresent([Int].self, forKey: .backingOff) ?? []
    }
}

/// One worker as the IO layer last saw it.
public struct WorkerSnapshot: Sendable, Hashable, Codable {
    public var id: WorkerID
    public var role: Role
    public var node: String
    public var gpus: [Int]
    public var lifecycle: WorkerLifecycle
    /// When its unit was started.
    public var startedAt: Timestamp
    /// When it first became ready, if it has.
    public var readyAt: Timestamp?
    /// The latest good scrape; `nil` if none succeeded yet.
    public var telemetry: WorkerTelemetry?

    public init(
        id: WorkerID,
        role: Role,
        node: String,
        gpus: [Int],
        lifecycle: WorkerLifecycle,
        startedAt: Timestamp,
        readyAt: Timestamp? = nil,
        telemetry: WorkerTelemetry? = nil
    ) {
        self.id = id
        self.role = role
        self.node = node
        self.gpus = gpus
        self.lifecycle = lifecycle
        self.startedAt = startedAt
        self.readyAt = readyAt
        self.telemetry = telemetry
    }

    /// When the last good scrape completed.
    public var lastGoodScrape: Timestamp? { telemetry?.scrapedAt }

    /// Whether this worker occupies its GPUs (everything but a failed unit does).
    public var holdsGPUs: Bool { lifecycle != .failed }
    /// Ready or starting: capacity present or on its way.
    public var isCapacity: Bool { lifecycle == .ready || lifecycle == .starting }

    /// Whether an operator may drain it by hand: it serves or is about to; a draining or failed
    /// worker has nothing left to drain.
    public var canBeDrainedByHand: Bool { lifecycle == .ready || lifecycle == .starting }

    /// Whether its last good scrape is at most `staleAfterSeconds` old: the one rule for
    /// fresh telemetry, used by the estimator and by what the daemon reports as healthy.
    public func hasFreshTelemetry(at now: Timestamp, staleAfterSeconds: Double) -> Bool {
        telemetry.map { now - $0.scrapedAt <= staleAfterSeconds } ?? false
    }
}

/// Everything the controller knows at one instant: the input of every decision.
public struct ClusterSnapshot: Sendable, Hashable, Codable {
    public var time: Timestamp
    public var nodes: [NodeSnapshot]
    public var workers: [WorkerSnapshot]
    public var frontend: FrontendTelemetry?
    /// A caller's own summary of the last interval's traffic, for callers that have no
    /// cumulative counters to give (see `TrafficWindow`).
    public var traffic: TrafficWindow?

    public init(
        time: Timestamp,
        nodes: [NodeSnapshot],
        workers: [WorkerSnapshot],
        frontend: FrontendTelemetry? = nil,
        traffic: TrafficWindow? = nil
    ) {
        self.time = time
        self.nodes = nodes
        self.workers = workers
        self.frontend = frontend
        self.traffic = traffic
    }
}

extension ClusterSnapshot {
    /// Workers per role whose lifecycle is one of `states`.
    public func workerCounts(in states: Set<WorkerLifecycle>) -> PerRole<Int> {
        var counts = PerRole(prefill: 0, decode: 0)
        for worker in workers where states.contains(worker.lifecycle) { counts[worker.role] += 1 }
        return counts
    }
}
