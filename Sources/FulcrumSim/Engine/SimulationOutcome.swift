import FulcrumCore

/// Everything a run produced: the summary and the detail behind it.
public struct SimulationOutcome: Sendable {
    public var result: SimulationResult
    /// One record per trace request, in trace order.
    public var requests: [RequestRecord]
    /// Every worker that ever existed, in creation order per role (prefill first).
    public var workers: [WorkerRecord]
    public var transitions: [WorkerTransition]
    public var actions: [ActionRecord]
    /// The snapshots the policy saw, when `recordSnapshots` was set.
    public var snapshots: [ClusterSnapshot]
    /// A scrape at the end of the run (workers stopped by then are absent).
    public var finalSnapshot: ClusterSnapshot
}

/// Runs simulations.
public enum Simulator {
    /// Replays `input.trace` through the simulated cluster under `policy` until every request
    /// has completed or failed. Throws `SimulationInputError` or `SimulationFileError` for input
    /// it cannot run (e.g. an initial allocation that does not fit).
    public static func run(_ input: SimulationInput, policy: any ScalingPolicy) throws -> SimulationOutcome {
        var simulation = try ClusterSimulation(input: input, policy: policy)
        return simulation.run()
    }
}
