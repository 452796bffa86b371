@testable import FulcrumCore
import Testing

@Suite("A ramp that outruns the fleet is planned past the remembered peak")
struct RampOutrunTests {
    private let configuration = ControllerConfiguration.standard()

    /// Ten minutes of 50 requests/s of 1 000-token prompts, then prompts lengthening 6 % a
    /// tick for `rampTicks` ticks, into an estimator whose workers start in a minute.
    private func state(rampTicks: Int) -> (state: EstimatorState, now: Timestamp) {
        var feed = EstimatorFeed(configuration: configuration, startupSeconds: 60)
        var observation = IntervalObservation()
        observation.arrivalRate = 50
        observation.meanOutputTokens = 200
        feed.run(observation, ticks: 60 + rampTicks) { tick, observation in
            observation.meanInputTokens = 1_000 * Double.pow(1.06, Double(max(0, tick - 59)))
        }
        return (feed.state, feed.now)
    }

    private func observation(queued: Double) -> IntervalObservation {
        var observation = IntervalObservation()
        observation.freshWorkers = PerRole(prefill: 4, decode: 2)
        observation.queuedRequests = PerRole(prefill: queued, decode: 0)
        observation.mostQueuedOnOneWorker = PerRole(prefill: queued / 4, decode: 0)
        return observation
    }

    @Test("After a start-up time of it, with requests queueing, the learned growth is planned in full")
    func outrunRampIsPlannedInFull() throws {
        let (ramp, now) = state(rampTicks: 18)
        let since = try #require(ramp.rampingSince.prefill)
        #expect(now - since >= ramp.startupSeconds)
        let outrun = Estimator.rampsOutrunningFleet(ramp, observation: observation(queued: 20), at: now, configuration: configuration)
        #expect(outrun == PerRole(prefill: true, decode: false))
        // At the ramp's top the remembered peak is today's level: capped, the bare allowance.
        let capped = Estimator.growthAllowances(ramp, configuration: configuration)
        #expect(abs(capped.prefill - configuration.estimation.growthAllowance) < 0.02)
        // Six ticks of 6 % in a minute's start-up: about 42 % learned.
        let planned = Estimator.growthAllowances(ramp, outrun: outrun, configuration: configuration)
        #expect(planned.prefill > 0.35, "\(planned.prefill)")
        #expect(planned.decode == capped.decode)
    }

    @Test("Without a queue, or before a start-up time of it, a ramp is not outrunning the fleet")
    func rampTheFleetKeepsUpWithIsNot() throws {
        let (ramp, now) = state(rampTicks: 18)
        #expect(Estimator.rampsOutrunningFleet(ramp, observation: observation(queued: 2), at: now, configuration: configuration).prefill == false)
        let (young, then) = state(rampTicks: 6)
        let since = try #require(young.rampingSince.prefill)
        #expect(then - since < young.startupSeconds)
        #expect(Estimator.rampsOutrunningFleet(young, observation: observation(queued: 20), at: then, configuration: configuration).prefill == false)
        let flat = state(rampTicks: 0)
        #expect(flat.state.rampingSince.prefill == nil)
    }

    @Test("A queue behind one worker while others idle is routing, not a ramp outrunning the fleet")
    func routingImbalanceIsNotOutrun() {
        let (ramp, now) = state(rampTicks: 18)
        var stuck = observation(queued: 20)
        stuck.mostQueuedOnOneWorker.prefill = 20
        stuck.idleWorkers.prefill = 1
        #expect(Estimator.rampsOutrunningFleet(ramp, observation: stuck, at: now, configuration: configuration).prefill == false)
    }
}
