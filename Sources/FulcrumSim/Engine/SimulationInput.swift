import FulcrumCore
import FulcrumTraces

/// Everything one simulation run depends on besides the policy. A run is a pure function of
/// this value and the policy: the same input gives byte-identical results.
public struct SimulationInput: Sendable {
    public var trace: [TraceRequest]
    public var cluster: ClusterSpec
    public var profile: Profile
    public var slo: ServiceLevelObjective
    /// The most GPUs the deployment may hold at once (draining and starting workers included).
    public var gpuBudget: Int
    /// Instances per role placed and ready at t = 0.
    public var initialInstances: PerRole<Int>
    /// Breaks ties between equally loaded instances in the router.
    public var seed: UInt64
    /// Width of one timeline interval, seconds.
    public var timelineIntervalSeconds: Double
    /// After the last arrival, how long to keep serving before giving up; requests still
    /// unfinished then are reported failed.
    public var maxDrainSeconds: Double
    /// Keep every snapshot the policy saw in the outcome (for tests and debugging; costs memory).
    public var recordSnapshots: Bool
    /// How the router picks a prefill instance.
    public var prefillRouting: PrefillRouting
    /// Prefill workers export prefix-cache counters (vLLM's) when the trace has prefix hashes;
    /// false plays an engine without them: the caches work, the controller cannot see them.
    public var exportsPrefixMetrics: Bool
    /// A KV tier in host memory behind each prefill worker's GPU prefix cache; nil: GPU only.
    public var hostKVCache: HostKVCache?
    /// When the policy first decides, seconds (then every tick interval): where its ticks fall
    /// against the arrivals. A controller's trajectory depends on it, a fixed split's not.
    public var firstTickSeconds: Double = 0

    public init(
        trace: [TraceRequest],
        cluster: ClusterSpec = .default,
        profile: Profile,
        slo: ServiceLevelObjective,
        gpuBudget: Int? = nil,
        initialInstances: PerRole<Int>,
        seed: UInt64 = 1,
        timelineIntervalSeconds: Double = 60,
        maxDrainSeconds: Double = 3600,
        recordSnapshots: Bool = false,
        prefillRouting: PrefillRouting = .leastLoaded,
        exportsPrefixMetrics: Bool = true,
        hostKVCache: HostKVCache? = nil
    ) {
        self.trace = trace
        self.cluster = cluster
        self.profile = profile
        self.slo = slo
        self.gpuBudget = gpuBudget ?? cluster.totalGPUs
        self.initialInstances = initialInstances
        self.seed = seed
        self.timelineIntervalSeconds = timelineIntervalSeconds
        self.maxDrainSeconds = maxDrainSeconds
        self.recordSnapshots = recordSnapshots
        self.prefillRouting = prefillRouting
        self.exportsPrefixMetrics = exportsPrefixMetrics
        self.hostKVCache = hostKVCache
    }

    /// The placement rules a policy must respect in this run.
    public var placementConstraints: PlacementConstraints {
        PlacementConstraints(gpusPerInstance: profile.gpusPerInstance, maxTotalGPUs: gpuBudget)
    }

    /// What the policy is told besides the snapshots.
    public var policyEnvironment: PolicyEnvironment {
        PolicyEnvironment(
            priors: profile.priors,
            slo: slo,
            placement: placementConstraints,
            expectedStartupSeconds: profile.startupSeconds,
            hindsight: trace
        )
    }
}

extension SimulationInput {
    /// Whether a request of these lengths meets the SLO alone on an idle instance of the
    /// profile (`Profile.isFeasible`): the requests feasible attainment counts.
    public func isFeasible(inputTokens: Int, outputTokens: Int) -> Bool {
        profile.isFeasible(inputTokens: inputTokens, outputTokens: outputTokens, slo: slo)
    }
}

/// An input the simulator cannot run.
public struct SimulationInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problem: String

    public init(_ problem: String) {
        self.problem = problem
    }

    public var description: String { "cannot simulate: \(problem)" }
}
