import FulcrumCore

/// Everything the systemd actuator needs to know, validated once by `validate()`.
public struct ActuatorConfiguration: Sendable {
    public var nodes: [NodeConfiguration]
    public var templates: WorkerTemplates
    public var ports: PortScheme
    /// How long a drain waits for in-flight and waiting requests to reach 0 before stopping
    /// anyway. Keep the templates' TimeoutStopSec= longer than this.
    public var drainTimeout: PerRole<Duration>
    /// How often a drain asks the load provider.
    public var drainPollInterval: Duration
    /// At most this many starts, and this many drains, per `execute` call; the rest is deferred.
    public var maxStartsPerTick: Int
    public var maxDrainsPerTick: Int
    /// Log every call that would change something, and make none.
    public var dryRun: Bool
    /// Full re-list of every reachable node, besides the one on (re)connection.
    public var reconcileInterval: Duration
    /// Between attempts to reach a node that is down.
    public var reconnectBackoff: Backoff
    /// Before starting a GPU set again after its unit failed, per consecutive failure.
    public var failureBackoff: Backoff
    /// A worker running this long resets its GPU set's failure count.
    public var stableAfter: Duration
    /// How long to wait for a start or stop job to finish.
    public var jobTimeout: Duration

    /// Starts (and drains) one `execute` call makes at most, unless configured otherwise.
    public static let defaultPerTickLimit = 8

    public init(
        nodes: [NodeConfiguration],
        templates: WorkerTemplates? = nil,
        ports: PortScheme = PortScheme(),
        drainTimeout: PerRole<Duration> = WorkerDrain.defaultTimeouts,
        drainPollInterval: Duration = .seconds(1),
        maxStartsPerTick: Int = ActuatorConfiguration.defaultPerTickLimit,
        maxDrainsPerTick: Int = ActuatorConfiguration.defaultPerTickLimit,
        dryRun: Bool = false,
        reconcileInterval: Duration = .seconds(30),
        reconnectBackoff: Backoff = Backoff(initial: .milliseconds(500), maximum: .seconds(30)),
        failureBackoff: Backoff = Backoff(initial: .seconds(5), maximum: .seconds(300)),
        stableAfter: Duration = .seconds(120),
        jobTimeout: Duration = .seconds(120)
    ) {
        self.nodes = nodes
        self.templates = templates ?? .standard
        self.ports = ports
        self.drainTimeout = drainTimeout
        self.drainPollInterval = drainPollInterval
        self.maxStartsPerTick = maxStartsPerTick
        self.maxDrainsPerTick = maxDrainsPerTick
        self.dryRun = dryRun
        self.reconcileInterval = reconcileInterval
        self.reconnectBackoff = reconnectBackoff
        self.failureBackoff = failureBackoff
        self.stableAfter = stableAfter
        self.jobTimeout = jobTimeout
    }

    public func validate() throws(ActuatorError) {
        guard !nodes.isEmpty else {
            throw ActuatorError(.invalidConfiguration, "The actuator configuration has no nodes; add at least one node with its GPUs and endpoint.")
        }
        var seen: Set<String> = []
        for node in nodes {
            guard !node.name.isEmpty, node.name.count <= 64,
                  node.name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) })
            else {
                throw ActuatorError(.invalidConfiguration, "The node name '\(node.name)' must be 1-64 letters, digits, '-', '_' or '.'; rename the node.")
            }
            guard seen.insert(node.name).inserted else {
                throw ActuatorError(.invalidConfiguration, "The node name '\(node.name)' appears twice; give every node its own name.")
            }
            guard !node.gpus.isEmpty, (try? GPUSet(node.gpus)) != nil else {
                throw ActuatorError(.invalidConfiguration, "Node \(node.name) lists GPUs \(node.gpus); list each GPU index once, within 0...\(GPUSet.maximumIndex).")
            }
        }
        try ports.validate(highestGPU: nodes.flatMap(\.gpus).max() ?? 0)
        guard maxStartsPerTick >= 0, maxDrainsPerTick >= 0 else {
            throw ActuatorError(.invalidConfiguration, "The per-tick limits (\(maxStartsPerTick) starts, \(maxDrainsPerTick) drains) must not be negative; use 0 to allow none.")
        }
    }
}
