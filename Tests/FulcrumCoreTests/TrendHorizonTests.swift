@testable import FulcrumCore
import Testing

@Suite("A rising trend is projected no further ahead than it has lasted")
struct TrendHorizonTests {
    private let configuration = ControllerConfiguration.standard()

    /// Ten minutes of 20 requests/s of 1 000-token prompts, then `risingTicks` ticks of 10 s
    /// each adding 2 requests/s, into an estimator whose workers start in five minutes.
    private func state(risingTicks: Int) -> (state: EstimatorState, now: Timestamp) {
        var state = EstimatorState(configuration: configuration)
        state.startupSeconds = 300
        var observation = IntervalObservation()
        observation.meanInputTokens = 1_000
        observation.meanOutputTokens = 200
        var time = Timestamp(seconds: 0)
        for tick in 0..<(60 + risingTicks) {
            time = Timestamp(seconds: Double(tick + 1) * 10)
            observation.arrivalRate = 20 + 2 * Double(max(0, tick - 59))
            Estimator.foldTraffic(&state, observation: observation, elapsed: 10, at: time, configuration: configuration)
            state.lastUpdate = time
        }
        return (state, time)
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
