import FulcrumCore

/// Fulcrum's own controller in the loop: the same `Controller` the daemon runs, fed the
/// same scraped snapshot, configured from what an operator would put in the daemon's
/// configuration (profile priors, SLO, budget, expected start-up time).
public struct FulcrumPolicy: ScalingPolicy {
    /// `fulcrum`, or a display name for a tuned variant (e.g. `fulcrum@0.8` in a headroom sweep).
    public let name: String
    public let tickInterval: Double
    private var controller: Controller?
    private let tune: @Sendable (inout ControllerConfiguration) -> Void
    /// The last decision, for timelines and explanations.
    public private(set) var lastDecision: Decision?

    public init(
        name: String = "fulcrum",
        tickInterval: Double = 10,
        tune: @escaping @Sendable (inout ControllerConfiguration) -> Void = { _ in }
    ) {
        self.name = name
        self.tickInterval = tickInterval
        self.tune = tune
    }

    public static func configuration(for environment: PolicyEnvironment) -> ControllerConfiguration {
        var configuration = ControllerConfiguration(
            slo: environment.slo,
            placement: environment.placement,
            priors: environment.priors
        )
        configuration.estimation.startupPriorSeconds = environment.expectedStartupSeconds
        return configuration
    }

    public mutating func tick(snapshot: ClusterSnapshot, environment: PolicyEnvironment) -> PolicyOutput {
        var running = controller ?? {
            var configuration = Self.configuration(for: environment)
            tune(&configuration)
            return Controller(configuration: configuration)
        }()
        let decision = running.decide(snapshot)
        controller = running
        lastDecision = decision
        return PolicyOutput(actions: decision.actions, desired: decision.desired)
    }
}
