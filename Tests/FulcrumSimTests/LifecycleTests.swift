import FulcrumCore
import FulcrumTraces
import Testing
@testable import FulcrumSim

@Suite struct LifecycleTests {
    let profile = Profile.llama3_8B_H100

    @Test func startedWorkerBecomesReadyOnlyAfterStartup() throws {
        let trace = Traces.evenlySpaced(rate: 2, count: 1200, input: 1000, output: 50)
        let policy = ScriptedPolicy([(at: 0, steps: [.action(.start(role: .prefill, node: "node-1", gpus: [0]))])])
        let input = makeInput(trace: trace, initial: PerRole(prefill: 1, decode: 1), recordSnapshots: true)
        let outcome = try Simulator.run(input, policy: policy)

        let started = WorkerID("prefill-1")
        let life = outcome.transitions.filter { $0.worker == started }
        #expect(life.map(\.state) == [.starting, .ready])
        #expect(life.map(\.time) == [0, profile.startupSeconds])

        for snapshot in outcome.snapshots {
            // The first snapshot is taken before the tick's start action.
            guard let worker = snapshot.workers.first(where: { $0.id == started }) else {
                #expect(snapshot.time.seconds == 0)
                continue
            }
            if snapshot.time.seconds < profile.startupSeconds {
                #expect(worker.lifecycle == .starting)
                #expect(worker.telemetry == nil)
            } else {
                #expect(worker.lifecycle == .ready)
                #expect(worker.readyAt == Timestamp(seconds: profile.startupSeconds))
            }
        }
        // Nothing is routed to it before it is ready, and it shares the load after.
        let served = outcome.requests.filter { $0.prefillWorker == started.rawValue }
        #expect(!served.isEmpty)
        #expect(served.allSatisfy { $0.arrival >= profile.startupSeconds })
        // Three GPUs held from t = 0: starting workers cost GPU-hours too.
        #expect(relativeError(outcome.result.gpuHours, 3 * outcome.result.simulatedSeconds / 3600) < 1e-9)
        #expect(outcome.result.scaleActions == 1)
    }

    @Test func drainLosesNoRequestAndTheWorkerStopsWhenEmpty() throws {
        let trace = Traces.evenlySpaced(rate: 6, count: 1800, input: 1500, output: 400)
        let policy = ScriptedPolicy([(at: 100, steps: [.drainFirstReady(.prefill), .drainFirstReady(.decode)])])
        let outcome = try Simulator.run(makeInput(trace: trace, initial: PerRole(prefill: 2, decode: 2)), policy: policy)

        #expect(outcome.result.completed == trace.count)
        #expect(outcome.result.failed == 0)
        for id in ["prefill-0", "decode-0"] {
            let worker = try #require(outcome.workers.first { $0.id.rawValue == id })
            #expect(worker.drainStartedAt == 100)
            let stopped = try #require(worker.stoppedAt)
            // It had work in flight at the drain and finished it before stopping.
            #expect(stopped >= 100)
            let handled = outcome.requests.filter { $0.prefillWorker == id || $0.decodeWorker == id }
            #expect(Double(handled.count) == worker.requestsFinished)
            #expect(handled.allSatisfy { ($0.completedAt ?? .infinity) <= stopped || $0.prefillWorker == id })
            // No new work after the drain (prefill routes at arrival; a prefill takes < 1 s here).
            #expect(handled.allSatisfy { $0.arrival <= 101 })
        }
        let decode0 = try #require(outcome.workers.first { $0.id == "decode-0" })
        #expect(try #require(decode0.stoppedAt) > 100 + 1)
        let states = outcome.transitions.filter { $0.worker == "decode-0" }.map(\.state)
        #expect(states == [.starting, .ready, .draining, .stopped])
        // GPUs freed at the stop: the held GPU-seconds fall below 4 GPUs for the whole run.
        #expect(outcome.result.gpuHours < 4 * outcome.result.simulatedSeconds / 3600 - 0.01)
    }

    @Test func cancelledDrainReturnsTheWorkerToService() throws {
        // Outputs of 2000 tokens take ~25 s to decode: the drained worker is still busy at 60 s.
        let trace = Traces.evenlySpaced(rate: 3, count: 600, input: 1000, output: 2000)
        let policy = ScriptedPolicy([
            (at: 50, steps: [.drainFirstReady(.decode)]),
            (at: 60, steps: [.cancelDrains(.decode)]),
        ])
        let outcome = try Simulator.run(makeInput(trace: trace, initial: PerRole(prefill: 1, decode: 2)), policy: policy)
        #expect(outcome.result.completed == trace.count)
        let states = outcome.transitions.filter { $0.worker == "decode-0" }
        #expect(states.map(\.state) == [.starting, .ready, .draining, .ready])
        #expect(states.map(\.time) == [0, 0, 50, 60])
        // It takes new work again after the cancel.
        #expect(outcome.requests.contains { $0.decodeWorker == "decode-0" && $0.arrival > 70 })
        #expect(!outcome.requests.contains { $0.decodeWorker == "decode-0" && $0.arrival > 51 && $0.arrival < 59 })
        #expect(outcome.result.scaleActions == 2)
    }

    @Test func requestsWaitAtTheRouterUntilAnInstanceIsReady() throws {
        let trace = Traces.evenlySpaced(rate: 1, count: 300, input: 500, output: 20)
        let policy = ScriptedPolicy([(at: 0, steps: [.action(.start(role: .prefill, node: "node-3", gpus: [7]))])])
        let outcome = try Simulator.run(makeInput(trace: trace, initial: PerRole(prefill: 0, decode: 1)), policy: policy)
        #expect(outcome.result.completed == 300)
        let first = try #require(outcome.requests.first)
        #expect(try #require(first.ttft) >= profile.startupSeconds)
        #expect(outcome.requests.allSatisfy { $0.prefillWorker == "prefill-0" })
    }

    @Test func requestsThatCanNeverBeServedAreFailedAtTheCap() throws {
        let trace = Traces.evenlySpaced(rate: 1, count: 10, input: 500, output: 20)
        var input = makeInput(trace: trace, initial: PerRole(prefill: 0, decode: 1))
        input.maxDrainSeconds = 600
        let outcome = try Simulator.run(input, policy: HoldPolicy())
        #expect(outcome.result.unfinished == 10)
        #expect(outcome.result.failed == 10)
        #expect(outcome.result.sloAttainment == 0)
        #expect(outcome.result.simulatedSeconds == 9 + 600)
    }

    @Test func invalidActionsAreCountedNotApplied() throws {
        let trace = Traces.evenlySpaced(rate: 1, count: 100, input: 500, output: 20)
        let policy = ScriptedPolicy([(at: 0, steps: [
            .action(.start(role: .decode, node: "node-9", gpus: [0])),  // no such node
            .action(.start(role: .decode, node: "node-1", gpus: [0, 1])),  // wrong size
            .action(.start(role: .decode, node: "node-0", gpus: [0])),  // held by an initial worker
            .action(.start(role: .decode, node: "node-1", gpus: [8])),  // no such GPU
            .action(.start(role: .decode, node: "node-1", gpus: [3])),  // fine: 3 of 3 GPUs
            .action(.start(role: .decode, node: "node-1", gpus: [4])),  // over the budget
            .action(.drain(worker: "decode-42")),  // no such worker
            .action(.cancelDrain(worker: "prefill-0")),  // ready already: a no-op
        ])])
        let input = makeInput(trace: trace, initial: PerRole(prefill: 1, decode: 1), budget: 3)
        let outcome = try Simulator.run(input, policy: policy)
        #expect(outcome.result.rejectedActions == 6)
        #expect(outcome.result.scaleActions == 1)
        #expect(outcome.actions.filter { $0.outcome == .noOp }.count == 1)
        #expect(outcome.workers.count == 3)
        #expect(outcome.result.completed == 100)
    }

    @Test func initialAllocationThatDoesNotFitIsAnError() {
        let trace = Traces.evenlySpaced(rate: 1, count: 10, input: 500, output: 20)
        #expect(throws: SimulationInputError.self) {
            try Simulator.run(makeInput(trace: trace, initial: PerRole(prefill: 20, decode: 20)), policy: HoldPolicy())
        }
        #expect(throws: SimulationInputError.self) {
            try Simulator.run(makeInput(trace: trace, initial: PerRole(prefill: 2, decode: 2), budget: 3), policy: HoldPolicy())
        }
    }

    @Test func roleFlipIsADrainFollowedByAStartOfTheOtherRoleOnTheSameNode() throws {
        // No traffic until t = 100, so a drained worker is empty and stops at once.
        let trace = Traces.evenlySpaced(rate: 1, count: 10, input: 500, output: 20).map {
            TraceRequest(arrival: $0.arrival + 100, inputTokens: $0.inputTokens, outputTokens: $0.outputTokens)
        }
        // Initial placement is best fit on node-0: prefill-0 on GPU 0, decode-0 and decode-1 on 1 and 2.
        let policy = ScriptedPolicy([
            (at: 0, steps: [.action(.drain(worker: "decode-1"))]),
            (at: 10, steps: [
                .action(.start(role: .prefill, node: "node-0", gpus: [2])),  // a flip
                .action(.start(role: .prefill, node: "node-0", gpus: [3])),  // the drain is paired already
            ]),
            (at: 20, steps: [.action(.drain(worker: "decode-0"))]),
            (at: 40, steps: [.action(.start(role: .prefill, node: "node-0", gpus: [1]))]),  // two ticks later: not a flip
            (at: 50, steps: [.action(.drain(worker: "prefill-0"))]),
            (at: 50, steps: [.action(.start(role: .decode, node: "node-1", gpus: [0]))]),  // another node: not a flip
        ])
        let outcome = try Simulator.run(makeInput(trace: trace, initial: PerRole(prefill: 1, decode: 2)), policy: policy)
        #expect(outcome.workers.first { $0.id == "decode-1" }?.gpus == [2])
        #expect(outcome.result.rejectedActions == 0)
        #expect(outcome.result.roleFlips == 1)
    }

    @Test func staticPolicyHoldsItsCounts() throws {
        let trace = Traces.evenlySpaced(rate: 4, count: 2400, input: 1000, output: 100)
        let outcome = try Simulator.run(
            makeInput(trace: trace, initial: PerRole(prefill: 3, decode: 1)),
            policy: StaticPolicy(prefill: 2, decode: 3)
        )
        #expect(outcome.result.policy == "static:2:3")
        #expect(outcome.result.completed == 2400)
        // One prefill drained, two decodes started, all in the first tick.
        #expect(outcome.result.scaleActions == 3)
        #expect(outcome.actions.allSatisfy { $0.tick == 0 })
        let last = try #require(outcome.result.timeline.last)
        #expect(last.prefillReady == 2 && last.decodeReady == 3)
        #expect(last.desiredPrefill == 2 && last.desiredDecode == 3)
        #expect(outcome.result.timeline.filter { $0.time >= profile.startupSeconds }.allSatisfy {
            $0.prefillReady == 2 && $0.decodeReady == 3 && $0.gpusHeld == 5
        })
    }
}
