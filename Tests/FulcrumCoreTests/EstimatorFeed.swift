@testable import FulcrumCore

/// Folds one observation per 10 s tick straight into an estimator's traffic state, as
/// `Estimator.update` does with what it observed in a snapshot: for tests of what the
/// estimator makes of a demand shape, without a cluster to observe.
struct EstimatorFeed {
    var state: EstimatorState
    let configuration: ControllerConfiguration
    private(set) var now = Timestamp(seconds: 0)

    init(configuration: ControllerConfiguration, startupSeconds: Double) {
        self.configuration = configuration
        state = EstimatorState(configuration: configuration)
        state.startupSeconds = startupSeconds
    }

    mutating func tick(_ observation: IntervalObservation) {
        now = Timestamp(seconds: now.seconds + 10)
        Estimator.foldTraffic(&state, observation: observation, elapsed: 10, at: now, configuration: configuration)
        state.lastUpdate = now
    }

    /// `ticks` ticks of `observation`, each first changed by `change` with the tick's number
    /// (0 for the first).
    mutating func run(_ observation: IntervalObservation, ticks: Int, change: (Int, inout IntervalObservation) -> Void) {
        var observation = observation
        for tick in 0..<ticks {
            change(tick, &observation)
            self.tick(observation)
        }
    }
}
