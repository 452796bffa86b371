import FulcrumCore

/// JSON shapes the control API returns (documented in docs/control-api.md).
public struct WorkerView: Sendable, Hashable, Codable {
    public var id: String
    public var role: Role
    public var node: String
    public var gpus: [Int]
    public var state: WorkerLifecycle
    public var startedAt: Double
    public var requestsWaiting: Double?
    public var requestsRunning: Double?
    public var kvCacheUsage: Double?
    /// Seconds since the last good scrape; nil when never scraped.
    public var telemetryAgeSeconds: Double?
    public var healthy: Bool

    enum CodingKeys: String, CodingKey {
        case id, role, node, gpus, state, healthy
        case startedAt = "started_at"
        case requestsWaiting = "requests_waiting"
        case requestsRunning = "requests_running"
        case kvCacheUsage = "kv_cache_usage"
        case telemetryAgeSeconds = "telemetry_age_s"
    }

    init(_ worker: WorkerSnapshot, now: Timestamp, staleAfter: Double) {
        id = worker.id.rawValue
        role = worker.role
        node = worker.node
        gpus = worker.gpus
        state = worker.lifecycle
        startedAt = worker.startedAt.seconds
        requestsWaiting = worker.telemetry?.requestsWaiting
        requestsRunning = worker.telemetry?.requestsRunning
        kvCacheUsage = worker.telemetry?.kvCacheUsage
        telemetryAgeSeconds = worker.telemetry.map { now - $0.scrapedAt }
        healthy = worker.lifecycle != .failed && (worker.lifecycle != .ready || (telemetryAgeSeconds.map { $0 <= staleAfter } ?? false))
    }
}

public struct DecisionSummary: Sendable, Hashable, Codable {
    public var time: Double
    public var current: PerRole<Int>
    public var desired: PerRole<Int>
    public var actions: [String]
    public var reasons: [String]
}

public struct StatusView: Sendable, Hashable, Codable {
    public var nodes: [NodeSnapshot]
    public var workers: [WorkerView]
    public var current: PerRole<Int>?
    public var desired: PerRole<Int>?
    public var paused: Bool
    public var dryRun: Bool
    public var overrides: Overrides
    public var gpuBudget: Int
    public var gpusInUse: Int
    public var lastDecisions: [DecisionSummary]
    public var audit: [AuditEntry]

    enum CodingKeys: String, CodingKey {
        case nodes, workers, current, desired, paused, overrides, audit
        case dryRun = "dry_run"
        case gpuBudget = "gpu_budget"
        case gpusInUse = "gpus_in_use"
        case lastDecisions = "last_decisions"
    }
}

public struct ErrorView: Sendable, Hashable, Codable {
    public var error: String
    public var status: Int
}

public struct ChangeView: Sendable, Hashable, Codable {
    public var ok: Bool
    public var change: String
    public var overrides: Overrides?
    public var outcome: ActionReport?
}

extension DaemonCore {
    public func statusView(now: Timestamp) -> StatusView {
        let observation = lastObservation ?? FleetObservation(nodes: [], workers: [])
        let staleAfter = configuration.controller.estimation.staleAfterSeconds
        return StatusView(
            nodes: observation.nodes,
            workers: observation.workers.map { WorkerView($0, now: now, staleAfter: staleAfter) }.sorted { $0.id < $1.id },
            current: lastDecision?.current,
            desired: lastDecision?.desired,
            paused: overrides.active(at: now).active.pause != nil,
            dryRun: configuration.dryRun,
            overrides: overrides.active(at: now).active,
            gpuBudget: configuration.controller.placement.maxTotalGPUs,
            gpusInUse: observation.workers.filter(\.holdsGPUs).reduce(0) { $0 + $1.gpus.count },
            lastDecisions: decisions.suffix(10).map {
                DecisionSummary(time: $0.time.seconds, current: $0.current, desired: $0.desired,
                                actions: $0.actions.map(\.description), reasons: $0.reasons.map(\.description))
            },
            audit: Array(audit.suffix(20))
        )
    }

    public func workerViews(now: Timestamp) -> [WorkerView] { statusView(now: now).workers }
}
