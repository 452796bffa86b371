@testable import FulcrumCore
import Testing

@Suite("A rising trend is projected no further ahead than it has lasted")
struct TrendHorizonTests {
    /// With the ramp rule off, so that a steady rise is not read as a ramp (the rule for
    /// rises that are: `RampTrendHorizonTests`); bursty arrivals, where the rule matters, are
    /// never read as one.
    private let configuration = {
        var configuration = ControllerConfiguration.standard()
        configuration.estimation.rampSignalThreshold = 1
        return configuration
    }()

    /// Ten minutes of 20 requests/s of 1 000-token prompts, then `risingTicks` ticks of 10 s
    /// each adding 2 requests/s, into an estimator whose workers start in five minutes.
    private func state(risingTicks: Int) -> (state: EstimatorState, now: Timestamp) {
        var feed = EstimatorFeed(configuration: configuration, startupSeconds: 300)
        var observation = IntervalObservation()
        observation.meanInputTokens = 1_000
        observation.meanOutputTokens = 200
        feed.run(observation, ticks: 60 + risingTicks) { tick, observation in
            observation.arrivalRate = 20 + 2 * Double(max(0, tick - 59))
        }
        return (feed.state, feed.now)
    }

    @Test("A rise of one minute is projected half a minute ahead, not over the start-up time")
    func youngRiseIsProjectedBriefly() throws {
        let (rising, now) = state(risingTicks: 6)
        let since = try #require(rising.risingSince.prefill)
        let horizons = Estimator.trendHorizons(rising, configuration: configuration)
        #expect(horizons.prefill == 0.5 * (now - since))
        #expect(horizons.prefill < 40)
        // The plan is the trend over that horizon: less than over the whole start-up time.
        let level = try #require(rising.tokenDemand.prefill.level)
        let planned = Estimator.plannedDemand(rising, observation: IntervalObservation(), allowance: PerRole(repeating: 0),
                                              trendHorizons: horizons, configuration: configuration).demand.prefill
        let whole = try #require(rising.tokenDemand.prefill.forecast(horizon: 300))
        #expect(planned > level)
        #expect(planned < level + 0.2 * (whole - level), "\(planned) against \(level)…\(whole)")
    }

    @Test("A rise that has lasted twice the start-up time is projected over all of it")
    func sustainedRiseIsProjectedOverTheStartup() {
        let (rising, _) = state(risingTicks: 66)
        #expect(Estimator.trendHorizons(rising, configuration: configuration) == PerRole(repeating: 300))
    }

    @Test("Flat demand keeps the start-up time as its horizon, and a large setting restores it for a young rise")
    func flatDemandAndTheOldRule() {
        let (flat, _) = state(risingTicks: 0)
        #expect(flat.risingSince.prefill == nil)
        #expect(Estimator.trendHorizons(flat, configuration: configuration) == PerRole(repeating: 300))
        var always = configuration
        always.estimation.trendLookaheadPerRise = 100
        let (rising, _) = state(risingTicks: 6)
        #expect(Estimator.trendHorizons(rising, configuration: always) == PerRole(repeating: 300))
    }
}

@Suite("A ramp's trend is projected over the whole start-up time however young")
struct RampTrendHorizonTests {
    private let configuration = ControllerConfiguration.standard()

    @Test("A rise the tracking signal reads as a ramp, and the start-up time after it, keep the full horizon")
    func rampKeepsTheFullHorizon() throws {
        var feed = EstimatorFeed(configuration: configuration, startupSeconds: 300)
        var observation = IntervalObservation()
        observation.arrivalRate = 3
        observation.meanOutputTokens = 200
        observation.meanInputTokens = 1_000
        // Ten quiet minutes, then prompts lengthening 6 % a tick, as a mix drifts.
        for _ in 0..<60 { feed.tick(observation) }
        for _ in 0..<30 where feed.state.rampingSince.prefill == nil {
            observation.meanInputTokens! *= 1.06
            feed.tick(observation)
        }
        let (state, time) = (feed.state, feed.now)
        let since = try #require(state.risingSince.prefill)
        #expect(state.rampingSince.prefill != nil)
        #expect(time - since < 2 * state.startupSeconds, "young enough to be shortened were it no ramp")
        #expect(Estimator.trendHorizons(state, configuration: configuration).prefill == 300)
        #expect(Estimator.rampedRecently(state).prefill)
        // A start-up time after the ramp was last seen, a young rise is shortened again.
        var later = state
        later.lastRamping.prefill = time - 301
        later.rampingSince.prefill = nil
        #expect(Estimator.trendHorizons(later, configuration: configuration).prefill < 300)
        #expect(!Estimator.rampedRecently(later).prefill)
    }
}

@Suite("A young rise is reported as one")
struct YoungRiseReasonTests {
    @Test("The forecast_rising reason names the shortened horizon of a rise not read as a ramp")
    func forecastRisingNamesTheYoungRise() throws {
        var configuration = ControllerConfiguration.standard()
        configuration.estimation.rampSignalThreshold = 1
        var fixture = ClusterFixture()
        fixture.add(.prefill, gpus: [0])
        fixture.add(.decode, gpus: [1])
        var controller = Controller(configuration: configuration)
        var decision: Decision?
        // Ten flat minutes, then a minute of 20 more requests each tick.
        for tick in 0..<66 {
            var snapshot = fixture.snapshot(at: Double(tick) * 10)
            let requests = 100 + 20 * Double(max(0, tick - 59))
            snapshot.traffic = TrafficWindow(durationSeconds: 10, requests: requests, meanInputTokens: 1_000, meanOutputTokens: 200)
            decision = controller.decide(snapshot)
        }
        let estimate = try #require(decision?.estimate)
        #expect(estimate.trendHorizon.prefill < estimate.forecastHorizonSeconds)
        let rising = try #require(decision?.reasons.first { $0.code == .forecastRising })
        #expect(rising.message.contains("prefill demand's trend only \(Int(estimate.trendHorizon.prefill.rounded())) s ahead"), "\(rising.message)")
    }
}
