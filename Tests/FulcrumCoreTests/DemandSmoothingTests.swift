@testable import FulcrumCore
import Testing

@Suite("Token demand smoothed over as long as its noise needs")
struct DemandSmoothingTests {
    private let configuration = ControllerConfiguration.standard()

    /// Feeds prefill demand samples 10 s apart, starting at t = 10 s.
    private func feed(_ samples: [Double], into state: inout EstimatorState, from start: Int = 1) {
        for (index, sample) in samples.enumerated() {
            let time = Timestamp(seconds: Double(start + index) * 10)
            Estimator.addDemand(sample, role: .prefill, to: &state, elapsed: 10, at: time, configuration: configuration)
        }
    }

    @Test("Demand precise within a tick keeps the 30 s level")
    func preciseDemand() {
        var state = EstimatorState(configuration: configuration)
        feed((0..<60).map { 50_000 * (1 + ($0.isMultiple(of: 2) ? 0.01 : -0.01)) }, into: &state)
        #expect(state.tokenDemand.prefill.levelTimeConstant == configuration.estimation.arrivalLevelTimeConstant)
    }

    @Test("Demand swinging ±40 % from tick to tick is averaged longer, up to the cap, and its level holds still")
    func noisyDemand() throws {
        let swinging = (0..<60).map { 50_000 * ($0.isMultiple(of: 2) ? 1.4 : 0.6) }
        var state = EstimatorState(configuration: configuration)
        feed(Array(swinging.dropLast()), into: &state)
        let before = try #require(state.tokenDemand.prefill.level)
        feed([swinging[59]], into: &state, from: 60)
        #expect(state.tokenDemand.prefill.levelTimeConstant == configuration.estimation.maxDemandTimeConstant)
        #expect(state.tokenDemand.prefill.trendTimeConstant >= 4 * configuration.estimation.maxDemandTimeConstant)
        let after = try #require(state.tokenDemand.prefill.level)
        #expect(abs(after - before) / 50_000 < 0.05)
        // At 30 s the same ticks move the level by an eighth of the mean from one tick to the next.
        var fixed = HoltSmoother(levelTimeConstant: 30, trendTimeConstant: 120)
        var levels: [Double] = []
        for (index, sample) in swinging.enumerated() {
            fixed.add(sample, at: Timestamp(seconds: Double(index + 1) * 10))
            levels.append(try #require(fixed.level))
        }
        #expect(abs(levels[59] - levels[58]) / 50_000 > 0.1)
    }

    @Test("The first three minutes are the smoothers settling, not noise: a partial first interval leaves the 30 s level alone")
    func settlingIsNotNoise() {
        var state = EstimatorState(configuration: configuration)
        // A first interval that saw a fifth of the traffic, then 40 ticks of precise demand.
        feed([10_000] + Array(repeating: 50_000, count: 40), into: &state)
        #expect(state.tokenDemand.prefill.levelTimeConstant == configuration.estimation.arrivalLevelTimeConstant)
        #expect(state.demandNoise.prefill.map { $0 < 0.001 } == true)
    }

    @Test("A step in precise demand is followed within a minute and a half: moving is not noise")
    func stepIsNotNoise() throws {
        var state = EstimatorState(configuration: configuration)
        feed(Array(repeating: 20_000, count: 30), into: &state)
        feed(Array(repeating: 40_000, count: 9), into: &state, from: 31)
        #expect(try #require(state.tokenDemand.prefill.level) > 36_000)
        #expect(state.tokenDemand.prefill.levelTimeConstant < 60)
    }

    @Test("Noisy demand that keeps rising is followed at the speed of a rise, not of its noise; bursty arrivals are not ramps")
    func rampIsFollowed() throws {
        // Ten minutes of demand swinging ±25 % around 50 k tokens/s, then its mean rising 6 %
        // of that a tick (prompts lengthening) for four minutes, the swings going on.
        func swing(_ tick: Int) -> Double { tick.isMultiple(of: 2) ? 1.25 : 0.75 }
        let flat = (0..<60).map { 50_000 * swing($0) }
        let ramp = (60..<84).map { 50_000 * (1 + 0.06 * Double($0 - 59)) * swing($0) }
        func run(_ configure: (inout ControllerConfiguration) -> Void, bursty: Bool = false) throws -> (level: Double, timeConstant: Double) {
            var configuration = configuration
            configure(&configuration)
            var state = EstimatorState(configuration: configuration)
            if bursty {
                state.dispersionSamples = configuration.estimation.minBurstinessSamples
                state.arrivalDispersion.add(8, at: Timestamp(seconds: 0))
            }
            for (index, sample) in (flat + ramp).enumerated() {
                Estimator.addDemand(sample, role: .prefill, to: &state, elapsed: 10, at: Timestamp(seconds: Double(index + 1) * 10),
                                    configuration: configuration)
            }
            return (try #require(state.tokenDemand.prefill.level), state.tokenDemand.prefill.levelTimeConstant)
        }
        let followed = try run { _ in }
        let unfollowed = try run { $0.estimation.rampSignalThreshold = 1 }
        // By the end the mean is 122 k: averaged over its noise's 120 s the level lags it by a
        // quarter; followed as a rise, by under a tenth.
        #expect(unfollowed.timeConstant == configuration.estimation.maxDemandTimeConstant)
        #expect(unfollowed.level < 0.8 * 122_000)
        #expect(followed.timeConstant < unfollowed.timeConstant)
        #expect(followed.level > 0.88 * 122_000, "\(followed.level) against \(unfollowed.level)")
        let burst = try run({ _ in }, bursty: true)
        #expect(burst.timeConstant == unfollowed.timeConstant)
        #expect(burst.level == unfollowed.level)
    }

    @Test("The burst history sees a burst out of noisy demand at the 30 s speed the plan's level no longer has")
    func burstsStayFast() throws {
        var state = EstimatorState(configuration: configuration)
        feed((0..<60).map { 10_000 * ($0.isMultiple(of: 2) ? 1.4 : 0.6) }, into: &state)
        feed(Array(repeating: 40_000, count: 3), into: &state, from: 61)
        let planned = try #require(state.tokenDemand.prefill.level)
        let burst = try #require(state.burstDemand.prefill.level)
        #expect(burst > planned)
        #expect(burst > 25_000)
    }
}
