import FulcrumCore

/// A fixed allocation: holds `prefill` and `decode` instances whatever the load, replacing
/// any that go missing. The baseline every elastic policy must beat on GPU-hours without
/// losing SLO attainment. Named `static:P:D` on the command line.
public struct StaticPolicy: ScalingPolicy {
    public var counts: PerRole<Int>
    public var tickInterval: Double

    public init(prefill: Int, decode: Int, tickInterval: Double = 30) {
        counts = PerRole(prefill: prefill, decode: decode)
        self.tickInterval = tickInterval
    }

    public var name: String { "static:\(counts.prefill):\(counts.decode)" }

    public mutating func tick(snapshot: ClusterSnapshot, environment: PolicyEnvironment) -> PolicyOutput {
        let plan = Planner.plan(desired: counts, snapshot: snapshot, constraints: environment.placement)
        return PolicyOutput(actions: plan.actions, desired: counts)
    }
}
