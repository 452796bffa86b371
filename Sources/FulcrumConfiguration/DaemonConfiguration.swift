import FulcrumCore

/// Everything `fulcrumd` reads from its configuration file (`/etc/fulcrum/fulcrum.yaml`).
/// The schema is documented in docs/configuration.md; `DaemonConfiguration.load` validates it.
public struct DaemonConfiguration: Sendable, Hashable {
    public var nodes: [ConfiguredNode]
    public var roles: PerRole<RoleConfiguration>
    /// The engine preset used to read worker metrics (`auto` detects per worker).
    public var engine: String
    /// `workers.engine` values: `auto` and the names of `FulcrumTelemetry.EnginePreset.builtIn`
    /// (this module cannot see that list; `EngineNamesTests` holds the two equal).
    public static let engineNames = ["auto", "vllm", "sglang", "trtllm", "tgi"]
    /// What `frontend.preset` accepts (the frontend presets' configuration names).
    public static let frontendPresetNames = ["dynamo"]
    /// Whether a worker's metrics connection stays open between scrapes (`workers.metrics_connections`).
    public var metricsConnections: MetricsConnections
    /// An optional router/frontend whose metrics give arrivals and lengths first-hand.
    public var frontend: FrontendConfiguration?
    /// The decision core's configuration: SLO, budget, bounds, priors, stabilisation.
    public var controller: ControllerConfiguration
    public var intervals: Intervals
    public var router: RouterHookConfiguration
    /// Advisory mode: decide and log the exact calls, make none.
    public var dryRun: Bool
    public var control: ControlSocketConfiguration
    public var metrics: MetricsEndpointConfiguration
    /// Where overrides, hand drains and the audit trail are kept across restarts; `nil` means
    /// the default (`$STATE_DIRECTORY/state.json`, else /var/lib/fulcrum/state.json).
    public var stateFile: String?
    /// Several daemons, one leader, shared operator state in etcd; nil: this daemon steers alone.
    public var coordination: CoordinationConfiguration?

    public init(
        nodes: [ConfiguredNode],
        roles: PerRole<RoleConfiguration>,
        engine: String = "auto",
        metricsConnections: MetricsConnections = .keepAlive,
        frontend: FrontendConfiguration? = nil,
        controller: ControllerConfiguration,
        intervals: Intervals = Intervals(),
        router: RouterHookConfiguration = .none,
        dryRun: Bool = false,
        control: ControlSocketConfiguration = ControlSocketConfiguration(),
        metrics: MetricsEndpointConfiguration = MetricsEndpointConfiguration(),
        stateFile: String? = nil,
        coordination: CoordinationConfiguration? = nil
    ) {
        self.nodes = nodes
        self.roles = roles
        self.engine = engine
        self.metricsConnections = metricsConnections
        self.frontend = frontend
        self.controller = controller
        self.intervals = intervals
        self.router = router
        self.dryRun = dryRun
        self.control = control
        self.metrics = metrics
        self.stateFile = stateFile
        self.coordination = coordination
    }
}

/// How fulcrumd connects to the workers' `/metrics` (`workers.metrics_connections`).
public enum MetricsConnections: String, Sendable, Hashable, CaseIterable {
    /// One connection per worker, kept open between scrapes, as Prometheus does: the least CPU.
    case keepAlive = "keep_alive"
    /// A new connection for every scrape, closed after it: at 1,000 workers about 6 MB less
    /// memory (no idle connections and their buffers) for under 2 % more of a core.
    case perScrape = "per_scrape"
}

/// How often the daemon decides and scrapes (`intervals`); the defaults are the documented ones.
public struct Intervals: Sendable, Hashable {
    /// One control decision per tick.
    public var tick: Duration
    /// Every worker's `/metrics` is fetched once per scrape interval...
    public var scrape: Duration
    /// ...and a fetch that takes longer than this counts as failed.
    public var scrapeTimeout: Duration

    public init(tick: Duration = .seconds(10), scrape: Duration = .seconds(5), scrapeTimeout: Duration = .seconds(2)) {
        self.tick = tick
        self.scrape = scrape
        self.scrapeTimeout = scrapeTimeout
    }
}

/// A GPU node: its name, the GPUs Fulcrum may use, how its workers are reached and how its
/// systemd manager is reached.
public struct ConfiguredNode: Sendable, Hashable {
    public var name: String
    /// Host name or address used in worker metrics URLs (default: the node name).
    public var host: String
    public var gpus: [Int]
    public var systemd: SystemdTransport

    public init(name: String, host: String? = nil, gpus: [Int], systemd: SystemdTransport = .system) {
        self.name = name
        self.host = host ?? name
        self.gpus = gpus
        self.systemd = systemd
    }
}

/// How to reach a node's systemd manager over D-Bus.
public enum SystemdTransport: Sendable, Hashable, CustomStringConvertible {
    /// The local system manager (`systemctl`).
    case system
    /// The local user manager of the daemon's user (`systemctl --user`).
    case user
    /// A remote system manager through systemd's own ssh transport (`systemctl -H user@host`).
    case ssh(String)
    /// An explicit D-Bus address, e.g. `unix:path=/run/user/1000/bus`.
    case address(String)

    public init?(_ text: String) {
        switch text {
        case "system": self = .system
        case "user": self = .user
        default:
            if text.hasPrefix("ssh:"), text.count > 4 {
                self = .ssh(String(text.dropFirst(4)))
            } else if text.hasPrefix("unix:") || text.hasPrefix("tcp:") {
                self = .address(text)
            } else {
                return nil
            }
        }
    }

    public var description: String {
        switch self {
        case .system: "system"
        case .user: "user"
        case let .ssh(target): "ssh:\(target)"
        case let .address(address): address
        }
    }
}

/// How one role's workers are run and watched.
public struct RoleConfiguration: Sendable, Hashable {
    /// The systemd template unit, e.g. `llm-prefill@.service`.
    public var template: String
    /// Worker metrics URL with placeholders `{host}` and `{port}`.
    public var metricsURL: String
    /// Worker port = base + lowest GPU index of its GPU set (see docs/systemd.md).
    public var portBase: Int
    /// Longest a drain waits for in-flight requests before stopping the unit anyway.
    public var drainTimeout: Duration

    /// What a role gets for each key the configuration leaves out.
    public enum Defaults {
        public static let metricsURL = "http://{host}:{port}/metrics"
        public static let portBase = WorkerPort.defaultBases
        public static let drainTimeout = WorkerDrain.defaultTimeouts
    }

    public init(template: String, metricsURL: String = Defaults.metricsURL, portBase: Int, drainTimeout: Duration) {
        self.template = template
        self.metricsURL = metricsURL
        self.portBase = portBase
        self.drainTimeout = drainTimeout
    }
}

public struct FrontendConfiguration: Sendable, Hashable {
    public var metricsURL: String
    public var preset: String

    public static let defaultPreset = "dynamo"

    public init(metricsURL: String, preset: String = defaultPreset) {
        self.metricsURL = metricsURL
        self.preset = preset
    }
}

/// How workers are added to and removed from the request router.
public enum RouterHookConfiguration: Sendable, Hashable {
    case none
    /// The SGLang model gateway admin API at this base URL (`POST /workers`, `DELETE /workers/{url}`).
    case sglangGateway(url: String)
    /// An HTTP webhook receiving JSON events.
    case webhook(url: String)
    /// An executable run without a shell: `path register|deregister ID ROLE URL NODE GPUS UNIT`.
    case executable(path: String)
}

public struct ControlSocketConfiguration: Sendable, Hashable {
    public var path: String
    /// File mode of the socket, e.g. 0o660.
    public var mode: Int
    /// Group owning the socket; members may steer the daemon.
    public var group: String?

    public init(path: String = "/run/fulcrum/control.sock", mode: Int = 0o660, group: String? = nil) {
        self.path = path
        self.mode = mode
        self.group = group
    }
}

public struct MetricsEndpointConfiguration: Sendable, Hashable {
    public var host: String
    public var port: Int

    public init(host: String = "127.0.0.1", port: Int = 9464) {
        self.host = host
        self.port = port
    }
}
