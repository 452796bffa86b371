import Testing
@testable import FulcrumCore

@Suite("Stabilisation over time")
struct StabiliserTests {
    /// 1 prefill + 1 decode ready on a 16-GPU budget of one-GPU instances.
    static func driver(_ configure: (inout ControllerConfiguration) -> Void = { _ in }) -> TrafficDriver {
        var cluster = ClusterFixture()
        cluster.add(.prefill, gpus: [0])
        cluster.add(.decode, gpus: [1])
        var configuration = ControllerConfiguration.standard()
        configure(&configuration)
        return TrafficDriver(cluster: cluster, configuration: configuration)
    }

    @Test("a surge scales up on the first tick that measures it")
    func scaleUpImmediate() {
        var driver = Self.driver()
        driver.tick(rate: 1)
        let decision = driver.tick(rate: 20)
        #expect(decision.desired.prefill > 1 || decision.desired.decode > 1)
        #expect(decision.actions.contains { if case .start = $0 { true } else { false } })
        #expect(decision.has(.scaleUp))
    }

    @Test("scale-down waits for the whole window, then happens")
    func scaleDownHeldForWindow() throws {
        var driver = Self.driver { $0.stabilisation.maxStepDown = 100 }
        driver.startupSeconds = 0
        for _ in 0..<40 { driver.tick(rate: 50) }
        let peak = driver.count(.decode)
        #expect(peak > 2)
        // Traffic drops; the window is 300 s at 10 s ticks.
        var firstDrainTick: Int?
        for tick in 1...60 {
            let decision = driver.tick(rate: 1)
            if firstDrainTick == nil, decision.actions.contains(where: { if case .drain = $0 { true } else { false } }) {
                firstDrainTick = tick
            }
            if tick < 29 { #expect(driver.count(.decode) == peak, "decode shrank at tick \(tick), inside the window") }
        }
        let drainedAt = try #require(firstDrainTick)
        // The level smoother needs a few ticks to fall, then the 300 s window runs.
        #expect(drainedAt >= 30 && drainedAt <= 45)
        #expect(driver.count(.decode) < peak)
    }

    @Test("a starting worker counts as capacity: the same need is not started twice")
    func noDoubleStart() {
        var driver = Self.driver()
        driver.startupSeconds = 600
        driver.tick(rate: 1)
        driver.tick(rate: 20)
        let afterFirst = driver.count(.decode)
        var extraStarts = 0
        for _ in 0..<20 {
            let decision = driver.tick(rate: 20)
            extraStarts += decision.actions.filter { if case .start(.decode, _, _) = $0 { true } else { false } }.count
        }
        #expect(afterFirst > 1)
        #expect(extraStarts == 0)
        #expect(driver.count(.decode, [.starting]) == afterFirst - 1)
    }

    @Test("step limits cap how far one tick moves a role")
    func stepLimit() {
        var driver = Self.driver { $0.stabilisation.maxStepUp = 2 }
        driver.tick(rate: 1)
        let decision = driver.tick(rate: 50)
        #expect(decision.desired.decode - decision.current.decode <= 2)
        #expect(decision.has(.stepLimited))
    }

    @Test("after GPUs move to one role, moving them back waits for the flip cooldown")
    func flipCooldown() {
        var state = StabiliserState()
        let configuration = ControllerConfiguration.Stabilisation()
        var reasons: [DecisionReason] = []
        func step(_ time: Double, current: PerRole<Int>, recommended: PerRole<Int>) -> PerRole<Int> {
            Stabiliser.stabilise(
                .init(current: current, recommended: recommended,
                      continuousNeed: recommended.map { _, v in Double(v) },
                      otherRoleWaitingForGPUs: PerRole(repeating: true), now: Timestamp(seconds: time)),
                state: &state, configuration: configuration, reasons: &reasons)
        }
        // Decode-heavy to prefill-heavy: prefill grows at once, decode shrinks after the
        // 120 s flip window, and that completes a flip toward prefill.
        _ = step(0, current: PerRole(prefill: 2, decode: 6), recommended: PerRole(prefill: 2, decode: 6))
        #expect(step(100, current: PerRole(prefill: 2, decode: 6), recommended: PerRole(prefill: 4, decode: 4)) == PerRole(prefill: 4, decode: 6))
        #expect(state.lastFlip == nil)
        #expect(step(230, current: PerRole(prefill: 4, decode: 6), recommended: PerRole(prefill: 4, decode: 4)) == PerRole(prefill: 4, decode: 4))
        #expect(state.lastFlip?.toward == .prefill)
        // The mix swings back at once: decode may grow, but prefill is held for the cooldown.
        reasons = []
        let back = step(400, current: PerRole(prefill: 4, decode: 4), recommended: PerRole(prefill: 2, decode: 6))
        #expect(back.prefill == 4)
        #expect(reasons.contains { $0.code == .flipCooldown && $0.role == .prefill })
        // After the cooldown (600 s from the flip at 230 s) the move back is allowed.
        for time in stride(from: 410.0, through: 850, by: 10) {
            _ = step(time, current: PerRole(prefill: 4, decode: 6), recommended: PerRole(prefill: 2, decode: 6))
        }
        let later = step(870, current: PerRole(prefill: 4, decode: 6), recommended: PerRole(prefill: 2, decode: 6))
        #expect(later.prefill == 2)
    }

    @Test("while learning, what was added since the takeover may go, but not the fleet taken over")
    func learningHoldsOnlyTheFleetTakenOver() {
        var state = StabiliserState()
        // As `Controller.decide` records it at its first tick.
        state.fleetTakenOver = PerRole(prefill: 4, decode: 2)
        var configuration = ControllerConfiguration.Stabilisation()
        configuration.scaleDownWindowSeconds = 0
        var reasons: [DecisionReason] = []
        func step(_ time: Double, current: PerRole<Int>, recommended: PerRole<Int>) -> PerRole<Int> {
            Stabiliser.stabilise(
                .init(current: current, recommended: recommended, continuousNeed: recommended.map { _, v in Double(v) },
                      learningSecondsLeft: 600, now: Timestamp(seconds: time)),
                state: &state, configuration: configuration, reasons: &reasons)
        }
        _ = step(0, current: PerRole(prefill: 4, decode: 2), recommended: PerRole(prefill: 4, decode: 2))
        // Early, thin evidence asked for more decode; it need not be kept while learning.
        #expect(step(10, current: PerRole(prefill: 4, decode: 2), recommended: PerRole(prefill: 4, decode: 6)) == PerRole(prefill: 4, decode: 6))
        #expect(step(20, current: PerRole(prefill: 4, decode: 6), recommended: PerRole(prefill: 1, decode: 1)) == PerRole(prefill: 4, decode: 4))
        #expect(step(30, current: PerRole(prefill: 4, decode: 4), recommended: PerRole(prefill: 1, decode: 1)) == PerRole(prefill: 4, decode: 2))
        #expect(reasons.contains { $0.code == .learningTraffic && $0.role == .prefill && $0.message.contains("held at 4") })
    }

    @Test("a role whose demand is rising is not shrunk, whatever the window says")
    func noShrinkIntoARise() {
        var state = StabiliserState()
        var configuration = ControllerConfiguration.Stabilisation()
        configuration.scaleDownWindowSeconds = 0
        var reasons: [DecisionReason] = []
        let current = PerRole(prefill: 11, decode: 2)
        _ = Stabiliser.stabilise(.init(current: current, recommended: current, continuousNeed: PerRole(prefill: 11, decode: 2),
                                       now: Timestamp(seconds: 0)),
                                 state: &state, configuration: configuration, reasons: &reasons)
        let rising = Stabiliser.stabilise(
            .init(current: current, recommended: PerRole(prefill: 6, decode: 1),
                  continuousNeed: PerRole(prefill: 5.5, decode: 0.5), demandRising: PerRole(prefill: true, decode: false),
                  now: Timestamp(seconds: 10)),
            state: &state, configuration: configuration, reasons: &reasons)
        #expect(rising == PerRole(prefill: 11, decode: 1))
        #expect(reasons.contains { $0.code == .demandRising && $0.role == .prefill })
        #expect(!reasons.contains { $0.code == .demandRising && $0.role == .decode })
    }

    @Test("a need within the tolerance band of what runs changes nothing")
    func tolerance() {
        var state = StabiliserState()
        var reasons: [DecisionReason] = []
        let result = Stabiliser.stabilise(
            .init(current: PerRole(prefill: 10, decode: 10), recommended: PerRole(prefill: 11, decode: 10),
                  continuousNeed: PerRole(prefill: 10.5, decode: 10), now: Timestamp(seconds: 0)),
            state: &state, configuration: .init(), reasons: &reasons)
        #expect(result == PerRole(prefill: 10, decode: 10))
        #expect(reasons.contains { $0.code == .withinTolerance })
    }

    @Test("a cold start with no workers starts the minimums at once; the seeded history never blocks a scale-up")
    func coldStart() {
        var controller = Controller(configuration: .standard(priors: PerformancePriors()))
        let empty = ClusterFixture()
        let decision = controller.decide(empty.snapshot(at: 0))
        #expect(decision.desired == PerRole(prefill: 1, decode: 1))
        #expect(decision.actions.count == 2)
    }
}
