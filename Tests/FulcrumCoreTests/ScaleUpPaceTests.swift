@testable import FulcrumCore
import Testing

@Suite("A prefill need that is not a ramp is met as long as it lasts")
struct ScaleUpPaceTests {
    /// One stabiliser step at `time` with 16 prefill instances running (or `current`) and a
    /// 300 s pace for prefill only, as the controller passes it outside a ramp.
    private static func step(_ time: Double, current: Int = 16, recommended: Int, pace: Double = 300, dispersion: Double? = nil,
                             state: inout StabiliserState, reasons: inout [DecisionReason]) -> Int {
        Stabiliser.stabilise(
            .init(current: PerRole(prefill: current, decode: 2), recommended: PerRole(prefill: recommended, decode: 2),
                  continuousNeed: PerRole(prefill: Double(recommended), decode: 2), burstyArrivals: dispersion,
                  scaleUpPaceSeconds: PerRole(prefill: pace, decode: 0), now: Timestamp(seconds: time)),
            state: &state, configuration: .init(), reasons: &reasons
        ).prefill
    }

    @Test("A need is met by one instance at first, in proportion to its age after, and all of it once it has lasted the pace")
    func paceFollowsTheNeedsAge() {
        var state = StabiliserState()
        var reasons: [DecisionReason] = []
        #expect(Self.step(0, recommended: 24, state: &state, reasons: &reasons) == 17)
        #expect(reasons.contains { $0.code == .scaleUpPaced && $0.role == .prefill && $0.message.contains("paced at 17") })
        // Half the pace later, half of what is still missing: 17 + ⌈7 × 0.5⌉.
        #expect(Self.step(150, current: 17, recommended: 24, state: &state, reasons: &reasons) == 21)
        reasons = []
        #expect(Self.step(300, current: 21, recommended: 24, state: &state, reasons: &reasons) == 24)
        #expect(!reasons.contains { $0.code == .scaleUpPaced })
    }

    @Test("With arrivals burstier than burst_edge_dispersion, even the first instance waits for the need to stand")
    func burstEdgeWaitsForTheFirstInstance() {
        var state = StabiliserState()
        var reasons: [DecisionReason] = []
        // 4 missing, 75 s of the 300 s pace each: none at once, the first after 75 s.
        #expect(Self.step(0, recommended: 20, dispersion: 16, state: &state, reasons: &reasons) == 16)
        #expect(reasons.contains { $0.code == .scaleUpPaced && $0.message.contains("rising edge") && $0.message.contains("dispersion 16") })
        #expect(Self.step(70, recommended: 20, dispersion: 16, state: &state, reasons: &reasons) == 16)
        #expect(Self.step(80, recommended: 20, dispersion: 16, state: &state, reasons: &reasons) == 17)
        #expect(Self.step(300, current: 17, recommended: 20, dispersion: 16, state: &state, reasons: &reasons) == 20)
        // Below the setting (long-context's 3 s arrival ticks read 2–4), one instance at once.
        var clumped = StabiliserState()
        #expect(Self.step(0, recommended: 20, dispersion: 4, state: &clumped, reasons: &reasons) == 17)
    }

    @Test("A need that stops standing above the fleet starts its age again")
    func ageRestartsWhenTheNeedIsMet() {
        var state = StabiliserState()
        var reasons: [DecisionReason] = []
        _ = Self.step(0, recommended: 24, state: &state, reasons: &reasons)
        _ = Self.step(200, current: 17, recommended: 17, state: &state, reasons: &reasons)
        #expect(state.needAboveFleetSince.prefill == nil)
        #expect(Self.step(210, current: 17, recommended: 24, state: &state, reasons: &reasons) == 18)
    }

    @Test("With no pace (a ramp, decode, or the setting 0), or no instance running, the whole need at once")
    func unpacedNeedsAreMetAtOnce() {
        var state = StabiliserState()
        var reasons: [DecisionReason] = []
        #expect(Self.step(0, recommended: 20, pace: 0, state: &state, reasons: &reasons) == 20)
        var empty = StabiliserState()
        #expect(Self.step(0, current: 0, recommended: 3, state: &empty, reasons: &reasons) == 3)
        var decodeState = StabiliserState()
        let decode = Stabiliser.stabilise(
            .init(current: PerRole(prefill: 4, decode: 2), recommended: PerRole(prefill: 4, decode: 5),
                  continuousNeed: PerRole(prefill: 4, decode: 5), scaleUpPaceSeconds: PerRole(prefill: 300, decode: 0),
                  now: Timestamp(seconds: 0)),
            state: &decodeState, configuration: .init(), reasons: &reasons)
        #expect(decode.decode == 5)
        #expect(!reasons.contains { $0.code == .scaleUpPaced })
    }

    /// 4 prefill and 2 decode instances that served 5 requests/s for ten minutes, as the
    /// controller found them. Ramps are off, as for bursty arrivals.
    private static func driver(paceStartups: Double, burstEdge: Double = 1000) -> TrafficDriver {
        var cluster = ClusterFixture()
        for gpu in 0..<4 { cluster.add(.prefill, gpus: [gpu]) }
        for gpu in 4..<6 { cluster.add(.decode, gpus: [gpu]) }
        var configuration = ControllerConfiguration.standard()
        configuration.estimation.rampSignalThreshold = 1
        configuration.stabilisation.scaleUpPaceStartups = paceStartups
        // The surge's jump reads as bursty arrivals; this is the pace alone (the burst edge:
        // `burstEdgeDelaysTheSurgesFirstInstance`).
        configuration.stabilisation.burstEdgeDispersion = burstEdge
        var driver = TrafficDriver(cluster: cluster, configuration: configuration)
        driver.startupSeconds = 300
        for _ in 0..<60 { driver.tick(rate: 5) }
        return driver
    }

    @Test("The controller paces a prefill surge by its age and meets it in full once it has lasted a start-up time")
    func controllerPacesASurge() throws {
        var paced = Self.driver(paceStartups: 1)
        var atOnce = Self.driver(paceStartups: 0)
        // The two decide alike until the surge asks for more than one instance at a time.
        var divergence: (paced: Decision, atOnce: Decision)?
        for _ in 0..<30 where divergence == nil {
            let (p, a) = (paced.tick(rate: 60), atOnce.tick(rate: 60))
            #expect(p.current == a.current)
            if p.desired != a.desired { divergence = (p, a) }
        }
        let (first, unpaced) = try #require(divergence)
        #expect(unpaced.desired.prefill >= unpaced.current.prefill + 2)
        #expect(first.desired.prefill < unpaced.desired.prefill)
        #expect(first.desired.prefill > first.current.prefill)
        #expect(first.has(.scaleUpPaced))
        #expect(!unpaced.has(.scaleUpPaced))
        // The surge lasts: within a start-up time both hold the same fleet.
        for _ in 0..<31 {
            paced.tick(rate: 60)
            atOnce.tick(rate: 60)
        }
        #expect(paced.count(.prefill) == atOnce.count(.prefill))
        #expect(paced.count(.prefill) >= unpaced.desired.prefill)
    }

    @Test("A surge that reads as bursty arrivals starts its first instance only once it has stood its share of the pace")
    func burstEdgeDelaysTheSurgesFirstInstance() throws {
        var edge = Self.driver(paceStartups: 1, burstEdge: 8)
        var paced = Self.driver(paceStartups: 1)
        var waited: Decision?
        for _ in 0..<30 where waited == nil {
            let (e, p) = (edge.tick(rate: 60), paced.tick(rate: 60))
            if p.desired.prefill > p.current.prefill {
                #expect(e.desired.prefill == e.current.prefill, "at dispersion \(e.estimate.arrivalBurstiness)")
                waited = e
            }
        }
        let first = try #require(waited)
        #expect(first.estimate.arrivalBurstiness >= 8)
        #expect(first.reasons.contains { $0.code == .scaleUpPaced && $0.message.contains("rising edge") })
        // The surge lasts: within a start-up time both hold the same fleet.
        for _ in 0..<31 {
            edge.tick(rate: 60)
            paced.tick(rate: 60)
        }
        #expect(edge.count(.prefill) == paced.count(.prefill))
    }

    @Test("A ramp's scale-ups are not paced")
    func rampsAreNotPaced() {
        var cluster = ClusterFixture()
        for gpu in 0..<4 { cluster.add(.prefill, gpus: [gpu]) }
        for gpu in 4..<6 { cluster.add(.decode, gpus: [gpu]) }
        var driver = TrafficDriver(cluster: cluster, configuration: .standard())
        driver.startupSeconds = 300
        for _ in 0..<60 { driver.tick(rate: 20) }
        // Prompts lengthening 6 % a tick, as a mix drifts: read as a ramp.
        var isl = 1_000.0
        var rampGrowth: [Decision] = []
        for _ in 0..<30 {
            isl *= 1.06
            let decision = driver.tick(rate: 20, isl: isl)
            if decision.estimate.rampedRecently.prefill, decision.desired.prefill > decision.current.prefill { rampGrowth.append(decision) }
        }
        #expect(!rampGrowth.isEmpty, "the ramp grew prefill")
        #expect(!rampGrowth.contains { $0.has(.scaleUpPaced) })
    }
}
