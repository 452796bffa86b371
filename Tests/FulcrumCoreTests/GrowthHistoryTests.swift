import PropertyBased
@testable import FulcrumCore
import Testing

@Suite("Growth learned from the traffic")
struct GrowthHistoryTests {
    private func history(_ demand: (Double) -> Double, seconds: Double = 1_800, tick: Double = 10, memory: Double = 3_600) -> GrowthHistory {
        var history = GrowthHistory()
        var time = 0.0
        while time <= seconds {
            let value = demand(time)
            history.record(PerRole(prefill: value, decode: value / 5), at: Timestamp(seconds: time), memorySeconds: memory)
            time += tick
        }
        return history
    }

    @Test("Flat demand grows by nothing")
    func flat() throws {
        let factor = try #require(history { _ in 1_000 }.growthFactor(horizon: 120, quantile: 0.95, minimumObserved: 90))
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
        let factor = try #require(swing.growthFactor(horizon: 120, quantile: 0.95, minimumObserved: 90))
        #expect(abs(factor.prefill - 2) < 0.05)
        #expect(abs(factor.decode - 2) < 0.05)
    }

    @Test("Growth over any history is each moment's peak within the horizon, as a direct search finds it")
    func slidingPeakMatchesDirectSearch() async {
        await propertyCheck(count: 200, input: Gen.uint64(in: 0 ... .max)) { seed in
            var draws = SeededDraws(seed: seed)
            var history = GrowthHistory()
            var time = 0.0
            for _ in 0..<(80 + draws.next(200)) {
                time += Double(1 + draws.next(20))  // irregular ticks
                let demand = draws.next(4) == 0 ? 0 : Double(draws.next(10_000))
                history.record(PerRole(prefill: demand, decode: Double(draws.next(500))), at: Timestamp(seconds: time), memorySeconds: 3_600)
            }
            // Any horizon the history holds twice, so it is read directly, not stretched.
            let samples = history.samples
            let observed = (samples.last!.time - samples.first!.time) / 2
            let horizon = Double(30 + draws.next(Int(observed) - 29))
            // Every moment a full horizon old, its peak found by looking at every later sample.
            var direct = PerRole<[Double]>(repeating: [])
            for role in Role.allCases {
                let floor = 0.01 * (samples.map { $0.demand[role] }.max() ?? 0)
                for start in samples where samples.last!.time - start.time >= horizon {
                    let base = start.demand[role]
                    guard base > floor, base > 0 else { continue }
                    let peak = samples.filter { $0.time >= start.time && $0.time - start.time <= horizon }.map { $0.demand[role] }.max()!
                    direct[role].append(peak / base)
                }
            }
            func median(_ values: [Double]) -> Double {
                let sorted = values.sorted()
                guard !sorted.isEmpty else { return 1 }
                let middle = Double(sorted.count - 1) / 2
                let lower = Int(middle.rounded(.down))
                return sorted[lower] + (sorted[min(sorted.count - 1, lower + 1)] - sorted[lower]) * (middle - Double(lower))
            }
            let highest = history.growthFactor(horizon: horizon, quantile: 1, minimumObserved: 1)
            let middle = history.growthFactor(horizon: horizon, quantile: 0.5, minimumObserved: 1)
            #expect(abs((highest?.prefill ?? 0) - max(1, direct.prefill.max() ?? 1)) < 1e-9)
            #expect(abs((highest?.decode ?? 0) - max(1, direct.decode.max() ?? 1)) < 1e-9)
            #expect(abs((middle?.prefill ?? 0) - max(1, median(direct.prefill))) < 1e-9)
        }
    }

    @Test("A short history is read at the horizon it holds and stretched as a random walk")
    func shortHistory() throws {
        // Demand that doubles every 60 s: over 120 s of history the 120 s growth cannot be seen
        // directly, but its 60 s growth (×2) stretches to ×2^√2 over 120 s.
        let doubling = history({ time in 1_000 * Double.pow(2, time / 60) }, seconds: 120)
        let factor = try #require(doubling.growthFactor(horizon: 120, quantile: 0.99, minimumObserved: 30))
        #expect(abs(factor.prefill - Double.pow(2, 2.0.squareRoot())) < 0.1)
        // Two minutes are the smoothers settling, not yet the traffic: the default waits for three.
        #expect(doubling.growthFactor(horizon: 120, quantile: 0.99,
                                      minimumObserved: ControllerConfiguration.Estimation().minGrowthObservedSeconds) == nil)
    }

    @Test("A start-up time shorter than the settling minimum is learned once the history is longer than it")
    func startupShorterThanSettling() throws {
        // One-minute starts, three minutes of settling: 60 s growth of a doubling every 120 s is √2.
        let swing = history({ time in
            let phase = time.truncatingRemainder(dividingBy: 480)
            return phase < 240 ? 1_000 * Double.pow(2, phase / 120) : 4_000 * Double.pow(2, -(phase - 240) / 120)
        }, seconds: 900)
        let learned = swing.growthFactor(horizon: 60, quantile: 0.95, minimumObserved: 90)
        let factor = try #require(learned)
        #expect(abs(factor.prefill - 2.0.squareRoot()) < 0.05)
        #expect(history({ _ in 1_000 }, seconds: 170).growthFactor(horizon: 60, quantile: 0.95, minimumObserved: 90) == nil)
    }

    @Test("Too short a history says nothing; the memory is bounded")
    func memory() {
        #expect(history({ _ in 1_000 }, seconds: 40).growthFactor(horizon: 120, quantile: 0.95, minimumObserved: 30) == nil)
        var long = GrowthHistory()
        for tick in 0..<2_000 {
            long.record(PerRole(repeating: 1), at: Timestamp(seconds: Double(tick) * 10), memorySeconds: 600)
        }
        #expect(long.samples.count <= 61)
        long.record(PerRole(repeating: 1), at: Timestamp(seconds: 0), memorySeconds: 600)
        #expect(long.samples.last?.time == Timestamp(seconds: 19_990))
    }

    @Test("The estimator remembers an hour of demand, or 24 start-up times where that is longer")
    func memoryHoldsStartups() {
        let configuration = ControllerConfiguration.standard()
        func remembered(startupSeconds: Double) -> Double {
            var state = EstimatorState(configuration: configuration)
            state.startupSeconds = startupSeconds
            var observation = IntervalObservation()
            observation.arrivalRate = 5
            observation.meanInputTokens = 1_000
            observation.meanOutputTokens = 200
            for tick in 1...1_440 {  // four hours of 10 s ticks
                Estimator.foldTraffic(&state, observation: observation, elapsed: 10, at: Timestamp(seconds: Double(tick) * 10),
                                      configuration: configuration)
            }
            guard let first = state.growth.samples.first, let last = state.growth.samples.last else { return 0 }
            return last.time - first.time
        }
        #expect((3_590...3_600).contains(remembered(startupSeconds: 120)))
        #expect((7_190...7_200).contains(remembered(startupSeconds: 300)))
    }

    @Test("Steady traffic, and ramps the growth covers, need no floor once the unknown start has aged out")
    func noFloorWhenGrowthCovers() {
        let factors = PerRole(prefill: 1.2, decode: 1.2)
        #expect(history({ _ in 1_000 }, memory: 900).demandFloor(horizon: 120, factors: factors, quantile: 0.99) == PerRole(repeating: 0))
        let swing = history({ time in
            let phase = time.truncatingRemainder(dividingBy: 480)
            return phase < 240 ? 1_000 * Double.pow(2, phase / 120) : 4_000 * Double.pow(2, -(phase - 240) / 120)
        }, memory: 900)
        #expect(swing.demandFloor(horizon: 120, factors: PerRole(repeating: 2), quantile: 0.99) == PerRole(repeating: 0))
    }

    @Test("The first start-up time counts as coming out of quiet: its demand is held, never more")
    func unknownStartCountsAsQuiet() {
        let floor = history { _ in 1_000 }.demandFloor(horizon: 120, factors: PerRole(repeating: 1.2), quantile: 0.99)
        // 13 samples of 1 000 with nothing known before them are 7 % of the demand; serving
        // all but 1 % of it takes a floor just below the level, which the plan holds anyway.
        #expect(floor.prefill > 800 && floor.prefill < 1_000)
    }

    @Test("Bursts out of idle minutes, which no growth factor foresees, set a floor near their height")
    func floorForBurstsFromIdle() {
        // Idle but for a one-minute burst of 10 000 tok/s every ten minutes.
        let bursts = history { time in time.truncatingRemainder(dividingBy: 600) < 60 ? 10_000 : 0 }
        let floor = bursts.demandFloor(horizon: 120, factors: PerRole(repeating: 1.2), quantile: 0.99)
        #expect(floor.prefill > 9_800 && floor.prefill <= 10_000)
        #expect(abs(floor.decode - floor.prefill / 5) < 1)
        // A looser percentile leaves more of the bursts to queue.
        let looser = bursts.demandFloor(horizon: 120, factors: PerRole(repeating: 1.2), quantile: 0.9)
        #expect(looser.prefill < floor.prefill && looser.prefill > 8_000)
    }

    @Test("A spike carrying less than the SLO's spare share of the demand sets no floor")
    func rareSpikeIsLeftToQueue() {
        // Steady 1 000 tok/s with one 10 s spike to 2 000 in half an hour: what growth does not
        // cover of it (800 tok/s for 10 s) is 0.5 % of the demand.
        let spike = history({ time in time == 900 ? 2_000 : 1_000 }, memory: 1_500)
        #expect(spike.demandFloor(horizon: 120, factors: PerRole(repeating: 1.2), quantile: 0.99).prefill == 0)
        #expect(spike.demandFloor(horizon: 120, factors: PerRole(repeating: 1.2), quantile: 0.9999).prefill > 1_950)
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
    @Test("Over a short history at a burst's peak, learned growth is capped at the peak plus the allowance")
    func shortHistoryAtPeakIsCapped() {
        // Three minutes of a burst's rising edge (×4 in 180 s), the plan's level at its peak: the
        // rising edge alone would learn growth ×2 or more per start-up time, but nothing says the
        // burst climbs further than it has.
        let configuration = ControllerConfiguration.standard()
        var state = EstimatorState(configuration: configuration)
        state.startupSeconds = 120
        state.growth = history({ time in 1_000 * Double.pow(4, time / 180) }, seconds: 180)
        for time in stride(from: 0.0, through: 180, by: 10) {
            state.tokenDemand.prefill.add(4_000, at: Timestamp(seconds: time))
            state.tokenDemand.decode.add(800, at: Timestamp(seconds: time))
        }
        let allowance = Estimator.growthAllowances(state, configuration: configuration)
        #expect(abs(allowance.prefill - configuration.estimation.growthAllowance) < 1e-9)
    }
}
