import Foundation
import FulcrumCore
import Testing

@Suite("Override requests, hand drains and reconfiguration")
struct OverrideRequestTests {
    let now = Timestamp(seconds: 1000)

    @Test("audit lines read as an operator would write them: no Optional, no nil, durations in h/m/s")
    func auditText() {
        let bounds = RoleBounds(min: PerRole(prefill: nil, decode: nil), max: PerRole(prefill: nil, decode: 7))
        #expect(Overrides().applying(.bounds(bounds), now: now, ttlSeconds: 3600, reason: nil).1 == "override bounds max decode 7 for 1h")
        let both = RoleBounds(min: PerRole(prefill: 1, decode: nil), max: PerRole(prefill: 4, decode: nil))
        #expect(Overrides().applying(.bounds(both), now: now, ttlSeconds: nil, reason: nil).1 == "override bounds min prefill 1, max prefill 4")
        #expect(Overrides().applying(.counts(PerRole(prefill: 2, decode: 1)), now: now, ttlSeconds: 1800, reason: nil).1
            == "override counts prefill 2, decode 1 for 30m")
        #expect(Overrides().applying(.ratio(InstanceRatio(prefill: 1, decode: 3)), now: now, ttlSeconds: 90, reason: nil).1
            == "override ratio 1:3 for 90 s")
        #expect(Overrides().applying(.pause, now: now, ttlSeconds: nil, reason: "maintenance").1 == "pause")
        #expect(Overrides().applying(.clear(.ratio), now: now, ttlSeconds: nil, reason: nil).1 == "clear ratio overrides")
        #expect(Overrides().applying(.clear(nil), now: now, ttlSeconds: nil, reason: nil).1 == "clear all overrides")
    }

    @Test("an override set by hand carries its expiry and reason; resume ends a pause")
    func applied() {
        let (paused, _) = Overrides().applying(.pause, now: now, ttlSeconds: 60, reason: "maintenance")
        #expect(paused.pause == Expiring(true, expiresAt: now + 60, reason: "maintenance"))
        #expect(paused.active(at: now + 61).expired == [.pause])
        #expect(paused.applying(.resume, now: now, ttlSeconds: nil, reason: nil).0.pause == nil)
    }

    @Test("clearing every override leaves hand drains protected; drains of vanished workers are forgotten")
    func handDrains() {
        var overrides = Overrides(counts: Expiring(PerRole(prefill: 1, decode: 1)), manualDrains: ["n/a.service", "n/b.service"])
        let (cleared, _) = overrides.applying(.clear(nil), now: now, ttlSeconds: nil, reason: nil)
        #expect(cleared.counts == nil)
        #expect(cleared.manualDrains == ["n/a.service", "n/b.service"])
        overrides.forgetDrains(given: [worker("n/b.service", gpus: [1]), worker("n/c.service", gpus: [2])])
        #expect(overrides.manualDrains == ["n/b.service"])
    }

    @Test("a hand drain sets its GPUs aside until a worker other than the drained one serves on them again")
    func handDrainedGPUs() {
        var overrides = Overrides()
        overrides.drainByHand("n/a.service", node: "n", gpus: [2, 3])
        #expect(overrides.handDrainedGPUs == ["n": [2, 3]])
        // The drained worker itself, still draining, and the drained worker gone: kept.
        overrides.forgetDrains(given: [worker("n/a.service", gpus: [2, 3], lifecycle: .draining)])
        overrides.forgetDrains(given: [])
        #expect(overrides.manualDrains.isEmpty)
        #expect(overrides.handDrainedGPUs == ["n": [2, 3]])
        // Cleared overrides keep them; a worker placed on GPU 2 as a last resort releases GPU 2.
        overrides = overrides.applying(.clear(nil), now: now, ttlSeconds: nil, reason: nil).0
        overrides.forgetDrains(given: [worker("n/b.service", gpus: [2], lifecycle: .starting)])
        #expect(overrides.handDrainedGPUs == ["n": [3]])
        overrides.forgetDrains(given: [worker("n/c.service", gpus: [3])])
        #expect(overrides.handDrainedGPUs.isEmpty)
    }

    @Test("state saved before hand-drained GPUs were kept still loads")
    func oldStateLoads() throws {
        let old = #"{"manualDrains": ["n/a.service"], "counts": {"value": {"prefill": 1, "decode": 2}}}"#
        let overrides = try JSONDecoder().decode(Overrides.self, from: Data(old.utf8))
        #expect(overrides.manualDrains == ["n/a.service"])
        #expect(overrides.handDrainedGPUs.isEmpty)
        #expect(overrides.counts?.value == PerRole(prefill: 1, decode: 2))
    }

    func worker(_ id: WorkerID, gpus: [Int], lifecycle: WorkerLifecycle = .ready) -> WorkerSnapshot {
        WorkerSnapshot(id: id, role: .decode, node: "n", gpus: gpus, lifecycle: lifecycle, startedAt: Timestamp(seconds: 0))
    }

    @Test("only a ready or starting worker can be drained by hand")
    func drainable() {
        func worker(_ lifecycle: WorkerLifecycle) -> WorkerSnapshot {
            WorkerSnapshot(id: "n/w.service", role: .decode, node: "n", gpus: [0], lifecycle: lifecycle, startedAt: Timestamp(seconds: 0))
        }
        #expect(WorkerLifecycle.allCases.filter { worker($0).canBeDrainedByHand } == [.starting, .ready])
    }

    @Test("a reload keeps what the controller learned unless the instance size changed")
    func reconfigured() {
        let configuration = ControllerConfiguration(
            slo: .default, placement: PlacementConstraints(gpusPerInstance: PerRole(repeating: 1), maxTotalGPUs: 8))
        var controller = Controller(configuration: configuration)
        _ = controller.decide(ClusterSnapshot(time: now, nodes: [NodeSnapshot(name: "n", gpus: Array(0..<8))], workers: []))
        #expect(controller.state != ControllerState(configuration: configuration))

        var tighter = configuration
        tighter.slo.ttftSeconds = 1
        #expect(controller.reconfigured(tighter).state == controller.state)
        #expect(controller.reconfigured(tighter).configuration.slo.ttftSeconds == 1)

        var wider = configuration
        wider.placement.gpusPerInstance = PerRole(prefill: 2, decode: 2)
        #expect(controller.reconfigured(wider).state == ControllerState(configuration: wider))
    }
}
