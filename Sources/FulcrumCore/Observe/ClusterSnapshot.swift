/// Identifies a worker across snapshots; the actuator uses its unit name.
public struct WorkerID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    /// A hash of `rawValue` computed once: a tick looks every worker up by id several times
    /// (its last scrape, its last lifecycle, the sets the planner keeps), and hashing the
    /// ~40-character unit name each time was a tenth of a 1,000-worker tick.
    private let fingerprint: UInt64

    public init(_ rawValue: String) {
        self.rawValue = rawValue
        fingerprint = Self.fingerprint(of: rawValue)
    }

    public init(stringLiteral value: String) { self.init(value) }

    public static func < (lhs: WorkerID, rhs: WorkerID) -> Bool { lhs.rawValue < rhs.rawValue }
    public static func == (lhs: WorkerID, rhs: WorkerID) -> Bool { lhs.fingerprint == rhs.fingerprint && lhs.rawValue == rhs.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(fingerprint) }
    public var description: String { rawValue }

    /// FNV-1a over the UTF-8 bytes; `Hasher` still seeds and mixes it per process. Ids are
    /// systemd unit names (ASCII), so byte equality is the equality that matters.
    private static func fingerprint(of value: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in value.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
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
    public var telemetry: WorkerTelemetry? {
        get { sharedTelemetry?.value }
        set { sharedTelemetry = newValue.map(SharedTelemetry.init) }
    }
    /// The telemetry, held by reference: it is most of a worker snapshot's bytes (two
    /// histograms and a dozen optional counters), and a tick copies worker snapshots as it
    /// filters, sorts and remembers them; copied inline they were a fifth of a 1,000-worker tick
    /// in `memmove`, retains and releases. Written only by replacing it whole.
    private(set) var sharedTelemetry: SharedTelemetry?

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
    public var lastGoodScrape: Timestamp? { sharedTelemetry?.value.scrapedAt }

    /// Written out by hand only because `telemetry` is now computed: the keys and the
    /// optional ones' absence are what the synthesised form wrote (tested).
    enum CodingKeys: String, CodingKey {
        case id, role, node, gpus, lifecycle, startedAt, readyAt, telemetry
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(WorkerID.self, forKey: .id),
            role: try container.decode(Role.self, forKey: .role),
            node: try container.decode(String.self, forKey: .node),
            gpus: try container.decode([Int].self, forKey: .gpus),
            lifecycle: try container.decode(WorkerLifecycle.self, forKey: .lifecycle),
            startedAt: try container.decode(Timestamp.self, forKey: .startedAt),
            readyAt: try container.decodeIfPresent(Timestamp.self, forKey: .readyAt),
            telemetry: try container.decodeIfPresent(WorkerTelemetry.self, forKey: .telemetry)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(role, forKey: .role)
        try container.encode(node, forKey: .node)
        try container.encode(gpus, forKey: .gpus)
        try container.encode(lifecycle, forKey: .lifecycle)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encodeIfPresent(readyAt, forKey: .readyAt)
        try container.encodeIfPresent(telemetry, forKey: .telemetry)
    }

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
        lastGoodScrape.map { now - $0 <= staleAfterSeconds } ?? false
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

/// One scrape's telemetry behind a reference, shared by every copy of the snapshot that
/// holds it (see `WorkerSnapshot.sharedTelemetry`). Immutable, so sharing is safe.
final class SharedTelemetry: Sendable, Hashable, Codable {
    let value: WorkerTelemetry

    init(_ value: WorkerTelemetry) { self.value = value }

    init(from decoder: any Decoder) throws { value = try WorkerTelemetry(from: decoder) }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }

    static func == (lhs: SharedTelemetry, rhs: SharedTelemetry) -> Bool { lhs === rhs || lhs.value == rhs.value }
    func hash(into hasher: inout Hasher) { hasher.combine(value) }
}
