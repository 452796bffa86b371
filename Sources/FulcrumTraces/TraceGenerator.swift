/// Generates synthetic request traces from a `Scenario`. The same scenario and seed always produce
/// the same requests (and so, through `TraceWriter`, the same file bytes).
public enum TraceGenerator {
    /// Upper bound on the expected request count, so a typo in a rate fails fast instead of
    /// exhausting memory.
    public static let maximumExpectedRequests = 50_000_000.0

    /// The requests of `scenario`, sorted by arrival, seconds from the scenario start.
    public static func generate(scenario: Scenario, seed: UInt64) throws(ScenarioError) -> [TraceRequest] {
        try scenario.validate()
        let expected = expectedRequestCount(scenario)
        guard expected <= maximumExpectedRequests else {
            throw ScenarioError(source: scenario.name, problem: "would generate about \(Int(expected)) requests; expected at most \(Int(maximumExpectedRequests)), check the rates and durations")
        }

        var random = SeededRandomGenerator(seed: seed)
        var requests: [TraceRequest] = []
        requests.reserveCapacity(Int(expected * 1.1) + 16)
        var phaseStart = 0.0
        for phase in scenario.phases {
            let rate = PhaseRate(phase: phase, phaseStart: phaseStart)
            for window in activeWindows(of: phase) {
                // Walk a unit-rate process in operational time Λ and map each event back to real time.
                var operationalTime = rate.cumulative(at: window.lowerBound)
                let windowEnd = rate.cumulative(at: window.upperBound)
                var time = window.lowerBound
                while true {
                    operationalTime += unitRateGap(phase.arrival, using: &random)
                    if operationalTime >= windowEnd {
                        break
                    }
                    time = rate.time(reaching: operationalTime, from: time, to: window.upperBound)
                    let input = phase.input.sample(using: &random)
                    let output = phase.output.sample(using: &random)
                    requests.append(TraceRequest(arrival: phaseStart + time, inputTokens: input, outputTokens: output))
                }
            }
            phaseStart += phase.durationSeconds
        }
        return requests
    }

    /// Intervals of phase time in which requests may arrive: the whole phase, or the on periods.
    private static func activeWindows(of phase: Scenario.Phase) -> [ClosedRange<Double>] {
        guard case .onOff(_, let on, let off) = phase.arrival else {
            return [0...phase.durationSeconds]
        }
        var windows: [ClosedRange<Double>] = []
        var cycle = 0.0
        while true {
            let start = cycle * (on + off)
            guard start < phase.durationSeconds else { break }
            windows.append(start...min(start + on, phase.durationSeconds))
            cycle += 1
        }
        return windows
    }

    /// A gap of the process in operational time, where the mean rate is 1.
    private static func unitRateGap(_ arrival: ArrivalProcess, using random: inout SeededRandomGenerator) -> Double {
        switch arrival {
        case .poisson, .onOff:
            return random.nextExponential(mean: 1)
        case .gamma(_, let cv):
            // Shape 1/cv² and scale cv² give mean 1 and coefficient of variation cv.
            return random.nextGamma(shape: 1 / (cv * cv), scale: cv * cv)
        }
    }

    private static func expectedRequestCount(_ scenario: Scenario) -> Double {
        var total = 0.0
        var phaseStart = 0.0
        for phase in scenario.phases {
            let rate = PhaseRate(phase: phase, phaseStart: phaseStart)
            total += activeWindows(of: phase).reduce(0) { sum, window in
                sum + rate.cumulative(at: window.upperBound) - rate.cumulative(at: window.lowerBound)
            }
            phaseStart += phase.durationSeconds
        }
        return total
    }
}
