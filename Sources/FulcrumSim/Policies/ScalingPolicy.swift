import FulcrumCore
import FulcrumTraces

/// What a policy may know besides the scraped snapshot: the operator's configuration and the
/// offline profile, as a real deployment of that policy would have them.
public struct PolicyEnvironment: Sendable {
    /// Offline-profiled performance of one instance of each role (what Dynamo's profiler or
    /// aiconfigurator would produce for this model and hardware).
    public var priors: PerformancePriors
    public var slo: ServiceLevelObjective
    public var placement: PlacementConstraints
    /// Worker start-up time the operator expects, seconds.
    public var expectedStartupSeconds: Double
    /// The whole trace. Only hindsight baselines (`hindsight-mean`, and `aiconfigurator`, which is
    /// tuned offline on the trace's mean lengths) may read it; online policies must not.
    public var hindsight: [TraceRequest]

    public init(
        priors: PerformancePriors,
        slo: ServiceLevelObjective,
        placement: PlacementConstraints,
        expectedStartupSeconds: Double,
        hindsight: [TraceRequest]
    ) {
        self.priors = priors
        self.slo = slo
        self.placement = placement
        self.expectedStartupSeconds = expectedStartupSeconds
        self.hindsight = hindsight
    }
}

/// What one tick of a policy asks for.
public struct PolicyOutput: Sendable {
    /// Actions for the cluster to execute now (starts take effect after the start-up time).
    public var actions: [ScalingAction]
    /// The instance counts the policy is steering toward, for the timeline.
    public var desired: PerRole<Int>

    public init(actions: [ScalingAction], desired: PerRole<Int>) {
        self.actions = actions
        self.desired = desired
    }
}

/// A scaling policy the simulator can run. Each tick sees only what a real scrape would show.
public protocol ScalingPolicy: Sendable {
    /// Name as given on the command line (e.g. `fulcrum`, `static:2:6`).
    var name: String { get }
    /// Seconds between ticks.
    var tickInterval: Double { get }
    mutating func tick(snapshot: ClusterSnapshot, environment: PolicyEnvironment) -> PolicyOutput
    /// Whether workers this policy starts are ready at once. Only a hindsight reference
    /// (`hindsight-mean`) may say yes; every real policy pays the profile's start-up time.
    var startsInstantly: Bool { get }
}

extension ScalingPolicy {
    public var startsInstantly: Bool { false }
}
