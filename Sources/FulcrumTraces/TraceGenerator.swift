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
            throw ScenarioError(source: scenario.name, problem: "would generate about \(expected.compactText) requests; expected at most \(Int(maximumExpectedRequests)), check the rates and durations")
        }

        var random = SeededRandomGenerator(seed: seed)
        var requests: [TraceRequest] = []
        requests.reserveCapacity(Int(expected * 1.1) + 16)
        var phaseStart = 0.0
        for phase in scenario.phases {
            // Drift knots and a bursts schedule are drawn first, and only for phases that have
            // them, so scenarios without them keep the exact stream (and files) they always had.
            let knots = phase.drift?.logMultipliers(durationSeconds: phase.durationSeconds, using: &random)
            let rate = PhaseRate(phase: phase, phaseStart: phaseStart, driftLogKnots: knots)
            for window in activeWindows(of: phase, rate: rate, using: &random) {
                appendArrivals(in: window, of: phase, phaseStart: phaseStart, rate: rate, to: &requests, using: &random)
            }
            phaseStart += phase.durationSeconds
        }
        // Batches of a burst may overlap the next batch by a few milliseconds.
        let sorted = TraceReader.sortedByArrival(requests)
        return scenario.sessions.map { $0.apply(to: sorted, seed: seed) } ?? sorted
    }

    /// A stretch of phase time in which requests arrive, at `rateFactor` times the phase's rate.
    struct ActiveWindow {
        var range: ClosedRange<Double>
        var rateFactor = 1.0
    }

    /// Walks a unit-rate process in operational time Λ and maps each event back to real time.
    private static func appendArrivals(in window: ActiveWindow, of phase: Scenario.Phase, phaseStart: Double, rate: PhaseRate,
                                       to requests: inout [TraceRequest], using random: inout SeededRandomGenerator) {
        var operationalTime = rate.cumulative(at: window.range.lowerBound)
        let windowEnd = rate.cumulative(at: window.range.upperBound)
        var time = window.range.lowerBound
        while true {
            operationalTime += unitRateGap(phase.arrival, using: &random) / window.rateFactor
            if operationalTime >= windowEnd {
                break
            }
            time = rate.time(reaching: operationalTime, from: time, to: window.range.upperBound)
            for offset in batchOffsets(phase.arrival, room: window.range.upperBound - time, using: &random) {
                let arrival = phaseStart + time + offset
                let input = phase.input.sample(using: &random)
                let output = phase.output.sample(using: &random)
                requests.append(TraceRequest(arrival: quantised(arrival, tick: phase.tickSeconds), inputTokens: input, outputTokens: output))
            }
        }
    }

    /// Offsets from an event to each request it brings: one request at the event, or a batch
    /// less the requests that would fall after its burst (`room` seconds later) has ended.
    private static func batchOffsets(_ arrival: ArrivalProcess, room: Double, using random: inout SeededRandomGenerator) -> [Double] {
        guard case .bursts(_, _, _, _, let batchMean) = arrival else { return [0] }
        let size = random.nextGeometric(mean: batchMean)
        let offsets = (0..<size).map { _ in random.nextUniform(from: 0, to: ArrivalProcess.batchWindowSeconds) }
        return offsets.filter { $0 < room }.sorted()
    }

    private static func quantised(_ arrival: Double, tick: Double?) -> Double {
        guard let tick else { return arrival }
        return (arrival / tick).rounded(.down) * tick
    }

    /// Where requests may arrive in a phase: the whole phase, the on periods, or the drawn bursts.
    private static func activeWindows(of phase: Scenario.Phase, rate: PhaseRate,
                                      using random: inout SeededRandomGenerator) -> [ActiveWindow] {
        switch phase.arrival {
        case .poisson, .gamma:
            return [ActiveWindow(range: 0...phase.durationSeconds)]
        case .onOff(_, let on, let off):
            return periodicWindows(on: on, off: off, duration: phase.durationSeconds)
        case .bursts(_, let onFraction, let meanOn, let offTail, _):
            return burstWindows(onFraction: onFraction, meanOn: meanOn, offTail: offTail,
                                duration: phase.durationSeconds, rate: rate, using: &random)
        }
    }

    private static func periodicWindows(on: Double, off: Double, duration: Double) -> [ActiveWindow] {
        var windows: [ActiveWindow] = []
        var cycle = 0.0
        while true {
            let start = cycle * (on + off)
            guard start < duration else { break }
            windows.append(ActiveWindow(range: start...min(start + on, duration)))
            cycle += 1
        }
        return windows
    }

    /// Alternating exponential on and Lomax off periods, starting on, each burst with an
    /// exponential intensity; the intensities are then scaled so the phase's expected count is
    /// the same as for a steady process, whatever share of time the draw happened to leave on.
    private static func burstWindows(onFraction: Double, meanOn: Double, offTail: Double, duration: Double,
                                     rate: PhaseRate, using random: inout SeededRandomGenerator) -> [ActiveWindow] {
        let meanOff = meanOn * (1 - onFraction) / onFraction
        var windows: [ActiveWindow] = []
        var start = 0.0
        while start < duration {
            let on = random.nextExponential(mean: meanOn)
            let intensity = random.nextExponential(mean: 1)
            windows.append(ActiveWindow(range: start...min(start + on, duration), rateFactor: intensity))
            start += on + random.nextLomax(mean: meanOff, tail: offTail)
        }
        let weighted = windows.reduce(0) { sum, window in
            sum + window.rateFactor * (rate.cumulative(at: window.range.upperBound) - rate.cumulative(at: window.range.lowerBound))
        }
        let scale = weighted > 0 ? rate.cumulative(at: duration) / weighted : 1
        return windows.map { ActiveWindow(range: $0.range, rateFactor: $0.rateFactor * scale) }
    }

    /// A gap of the process in operational time, where the mean rate is 1 (for bursts, the gap
    /// between batches, so that requests still arrive at rate 1).
    private static func unitRateGap(_ arrival: ArrivalProcess, using random: inout SeededRandomGenerator) -> Double {
        switch arrival {
        case .poisson, .onOff:
            return random.nextExponential(mean: 1)
        case .gamma(_, let cv):
            // Shape 1/cv² and scale cv² give mean 1 and coefficient of variation cv.
            return random.nextGamma(shape: 1 / (cv * cv), scale: cv * cv)
        case .bursts(_, _, _, _, let batchMean):
            return random.nextExponential(mean: batchMean)
        }
    }

    /// Expected requests, ignoring drift and the bursts schedule (both keep the expectation).
    private static func expectedRequestCount(_ scenario: Scenario) -> Double {
        var total = 0.0
        var phaseStart = 0.0
        for phase in scenario.phases {
            let rate = PhaseRate(phase: phase, phaseStart: phaseStart)
            let windows = switch phase.arrival {
            case .onOff(_, let on, let off): periodicWindows(on: on, off: off, duration: phase.durationSeconds)
            default: [ActiveWindow(range: 0...phase.durationSeconds)]
            }
            total += windows.reduce(0) { sum, window in
                sum + rate.cumulative(at: window.range.upperBound) - rate.cumulative(at: window.range.lowerBound)
            }
            phaseStart += phase.durationSeconds
        }
        return total
    }
}
