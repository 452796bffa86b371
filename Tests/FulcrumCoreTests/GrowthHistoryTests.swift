@testable import FulcrumCore
import Testing

@Suite("Growth learned from the traffic")
struct GrowthHistoryTests {
    private func history(_ demand: (Double) -> Double, seconds: Double = 1_800, tick: Double = 10) -> GrowthHistory {
        var history = GrowthHistory()
        var time = 0.0
        while time <= seconds {
            let value = demand(time)
            history.record(PerRole(prefill: value, decode: value / 5), at: Timestamp(seconds: time), memorySeconds: 3_600)
            time += tick
        }
        return history
    }

    @Test("Flat demand grows by nothing")
    func flat() throws {
        let factor = try #require(history { _ in 1_000 }.growthFactor(horizon: 120, quantile: 0.95))
        #expect(factor.prefill == 1)
        #expect(factor.decode == 1)
    }

    @Test("Demand doubling every two minutes is learned as a factor of two per start-up time")
    func ramp() throws {
        // Up and down in 4-minute swings: half the moments see a doubling ahead within 120 s.
        let swing = history { time in
            let phase = time.truncatingRemainder(dividingBy: 480)
            return phase < 240 ? 1_000 * Double.pow(2, phase / 120) : 4_000 * Double.pow(2, -(phase - 240) / 120)
        }
        let factor = try #require(swing.growthFactor(horizon: 120, quantile: 0.95))
        #expect(abs(factor.prefill - 2) < 0.05)
        #expect(abs(factor.decode - 2) < 0.05)
    }

    @Test("A short history is read at the horizon it holds and stretched as a random walk")
    func shortHistory() throws {
        // Demand that doubles every 60 s: over 120 s of history the 120 s growth cannot be seen
        // directly, but its 60 s growth (×2) stretches to ×2^√2 over 120 s.
        let doubling = history({ time in 1_000 * Double.pow(2, time / 60) }, seconds: 120)
        let factor = try #require(doubling.growthFactor(horizon: 120, quantile: 0.99))
        #expect(abs(factor.prefill - Double.pow(2, 2.0.squareRoot())) < 0.1)
    }

    @Test("Too short a history says nothing; the memory is bounded")
    func memory() {
        #expect(history({ _ in 1_000 }, seconds: 40).growthFactor(horizon: 120, quantile: 0.95) == nil)
        var long = GrowthHistory()
        for tick in 0..<2_000 {
            long.record(PerRole(repeating: 1), at: Timestamp(seconds: Double(tick) * 10), memorySeconds: 600)
        }
        #expect(long.samples.count <= 61)
        long.record(PerRole(repeating: 1), at: Timestamp(seconds: 0), memorySeconds: 600)
        #expect(long.samples.last?.time == Timestamp(seconds: 19_990))
    }

    @Test("The plan carries the learned growth, scaled by the headroom knob")
    func plannedDemand() {
        var configuration = ControllerConfiguration.standard()
        var state = EstimatorState(configuration: configuration)
        state.startupSeconds = 120
        state.growth = history { time in
            let phase = time.truncatingRemainder(dividingBy: 480)
            return phase < 240 ? 1_000 * Double.pow(2, phase / 120) : 4_000 * Double.pow(2, -(phase - 240) / 120)
        }
        let learned = Estimator.growthAllowances(state, configuration: configuration)
        #expect(abs(learned.prefill - 1) < 0.05)
        configuration.headroom = 0.5
        #expect(abs(Estimator.growthAllowances(state, configuration: configuration).prefill - 0.5) < 0.03)
        let quiet = EstimatorState(configuration: configuration)
        #expect(abs(Estimator.growthAllowances(quiet, configuration: .standard()).prefill - ControllerConfiguration.Estimation().growthAllowance) < 1e-9)
    }
}
