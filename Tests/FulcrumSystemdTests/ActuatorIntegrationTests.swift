import FulcrumTestSupport
import Foundation
import FulcrumCore
@testable import FulcrumSystemd
import InMemoryLogging
import Logging
import Synchronization
import Testing

/// Against real systemd user managers (scripts/with-systemd-user); needs root, as CI has.
/// Serialized: each test starts managers and engines, and the machine has two cores.
@Suite(.serialized) struct ActuatorIntegrationTests {
    /// A started actuator on `nodes` whose router hook is the script `body(log)` writes, `log`
    /// being a file the script may append to; remove both with `removeFiles()`.
    struct HookedActuator {
        let actuator: SystemdActuator
        let hook: String
        let log: String

        func removeFiles() {
            try? FileManager.default.removeItem(atPath: hook)
            try? FileManager.default.removeItem(atPath: log)
        }
    }

    static func hookedActuator(_ nodes: SystemdNodes, load: WorkerLoad, body: (String) -> String) async throws -> HookedActuator {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("hook-\(UUID().uuidString).log").path
        let hook = try RouterScript.write(body(log))
        let actuator = try SystemdActuator(
            configuration: ActuatorFixture.configuration(nodes), router: CommandRouterHook(executable: hook),
            loadProvider: ScriptedLoad(load), logger: ActuatorFixture.logger()
        )
        await actuator.start()
        return HookedActuator(actuator: actuator, hook: hook, log: log)
    }

    @Test func startsDrainsAndStopsARealWorker() async throws {
        let fixture = UnitFixture(prefill: .httpServer, decode: .sleep, basePort: 31000)
        try await withSystemdNodes(1, units: fixture) { nodes in
            let hookLog = FileManager.default.temporaryDirectory.appendingPathComponent("hook-\(UUID().uuidString).log").path
            let hook = try RouterScript.write(appendingTo: hookLog)
            defer { try? FileManager.default.removeItem(atPath: hook); try? FileManager.default.removeItem(atPath: hookLog) }
            let load = ScriptedLoad(WorkerLoad(running: 2, waiting: 1))
            let actuator = try SystemdActuator(
                configuration: ActuatorFixture.configuration(nodes, basePort: 31000),
                router: CommandRouterHook(executable: hook), loadProvider: load, logger: ActuatorFixture.logger()
            )
            let events = EventRecorder(actuator)
            await actuator.start()

            let results = await actuator.execute([.start(role: .prefill, node: "node0", gpus: [2, 3])])
            let id = WorkerID("node0/llm-prefill@g2-3.service")
            #expect(results.map(\.outcome.isDone) == [true], "\(results.map(\.outcome))")
            #expect(try nodes.property(0, "llm-prefill@g2-3.service", "ActiveState") == "active")

            // The unit got its GPUs and port from its name alone.
            // MainPID is set once the ExecStartPre= step has finished and the main process runs.
            try await eventually("the worker's main process") { try nodes.property(0, "llm-prefill@g2-3.service", "MainPID") != "0" }
            let pid = try nodes.property(0, "llm-prefill@g2-3.service", "MainPID")
            let environ = try String(contentsOfFile: "/proc/\(pid)/environ", encoding: .utf8).split(separator: "\0")
            #expect(environ.contains("CUDA_VISIBLE_DEVICES=2,3"))
            #expect(environ.contains("FULCRUM_PORT=31002"))
            try await eventually("the worker's HTTP server on 31002") { HTTPProbe.answers(port: 31002) }

            let observed = try #require(await actuator.worker(id))
            #expect(observed.lifecycle == .ready)
            #expect(observed.gpus == [2, 3])
            #expect(observed.role == .prefill)
            try await eventually("router registration") { RouterScript.lines(hookLog).contains { $0.hasPrefix("register node0/llm-prefill@g2-3.service prefill http://127.0.0.1:31002 node0 2,3") } }

            // A second start of the same GPU set is a no-op, and overlapping GPUs are refused.
            let again = await actuator.execute([
                .start(role: .prefill, node: "node0", gpus: [2, 3]),
                .start(role: .decode, node: "node0", gpus: [3, 4]),
            ])
            guard case .unchanged = again[0].outcome else { Issue.record("repeated start: \(again[0].outcome)"); return }
            #expect(again[1].outcome.error?.code == .gpuConflict)

            #expect(await actuator.execute([.drain(worker: id)]).map(\.outcome.isDone) == [true])
            try await eventually("deregistration") { RouterScript.lines(hookLog).contains { $0.hasPrefix("deregister node0/llm-prefill@g2-3.service") } }
            #expect(await actuator.worker(id)?.lifecycle == .draining)
            #expect(try nodes.property(0, "llm-prefill@g2-3.service", "ActiveState") == "active", "busy: must not stop yet")
            load.set(WorkerLoad(running: 0, waiting: 0))
            _ = try await events.wait("drain finished") { if case let .drainFinished(w) = $0, w == id { w } else { nil } }
            #expect(events.first { if case .drainIdle = $0 { true } else { nil } } == true)
            #expect(try nodes.property(0, "llm-prefill@g2-3.service", "ActiveState") == "inactive")
            #expect(await actuator.worker(id) == nil)
            #expect(!HTTPProbe.answers(port: 31002))

            // GPUs are free again.
            #expect(await actuator.execute([.start(role: .decode, node: "node0", gpus: [3, 4])]).map(\.outcome.isDone) == [true])
            await actuator.shutdown()
        }
    }

    @Test("a drain trusts only a reading taken after the router stopped sending requests, however idle an older one was")
    func drainWaitsForAReadingAfterDeregistration() async throws {
        try await withSystemdNodes(1, units: UnitFixture()) { nodes in
            let hookLog = FileManager.default.temporaryDirectory.appendingPathComponent("hook-\(UUID().uuidString).log").path
            let hook = try RouterScript.write(appendingTo: hookLog)
            defer { try? FileManager.default.removeItem(atPath: hook); try? FileManager.default.removeItem(atPath: hookLog) }
            // Idle, but scraped ten seconds before the drain: the router may have sent it requests since.
            let before = Timestamp(seconds: Date().timeIntervalSince1970 - 10)
            let load = ScriptedLoad(WorkerLoad(running: 0, waiting: 0, measuredAt: before))
            let actuator = try SystemdActuator(
                configuration: ActuatorFixture.configuration(nodes) { $0.drainPollInterval = .milliseconds(100) },
                router: CommandRouterHook(executable: hook), loadProvider: load, logger: ActuatorFixture.logger()
            )
            let events = EventRecorder(actuator)
            await actuator.start()
            let id = WorkerID("node0/llm-decode@g0.service")
            #expect(await actuator.execute([.start(role: .decode, node: "node0", gpus: [0])]).map(\.outcome.isDone) == [true])
            #expect(await actuator.execute([.drain(worker: id)]).map(\.outcome.isDone) == [true])
            try await eventually("deregistration") { RouterScript.lines(hookLog).contains { $0.hasPrefix("deregister ") } }
            let asked = load.reads
            try await eventually("five polls after deregistration") { load.reads >= asked + 5 }
            #expect(try nodes.property(0, "llm-decode@g0.service", "ActiveState") == "active", "an old idle reading must not stop it")
            load.set(WorkerLoad(running: 0, waiting: 0))  // measured at each read from now on
            _ = try await events.wait("drain finished") { if case let .drainFinished(w) = $0, w == id { w } else { nil } }
            #expect(try nodes.property(0, "llm-decode@g0.service", "ActiveState") == "inactive")
            await actuator.shutdown()
        }
    }

    @Test("a stop job is waited for as long as the unit's TimeoutStopSec= allows, not only the actuator's job timeout")
    func aGracefulStopLongerThanTheJobTimeoutIsWaitedFor() async throws {
        try await withSystemdNodes(1, units: UnitFixture(decode: .slowToStop)) { nodes in
            let handler = InMemoryLogHandler()
            let actuator = try SystemdActuator(
                configuration: ActuatorFixture.configuration(nodes) { $0.jobTimeout = .seconds(1) }, logger: ActuatorFixture.logger(handler)
            )
            let events = EventRecorder(actuator)
            await actuator.start()
            let id = WorkerID("node0/llm-decode@g0.service")
            #expect(await actuator.execute([.start(role: .decode, node: "node0", gpus: [0])]).map(\.outcome.isDone) == [true])
            try await eventually("the worker's main process") { try nodes.property(0, "llm-decode@g0.service", "MainPID") != "0" }
            #expect(await actuator.execute([.drain(worker: id)]).map(\.outcome.isDone) == [true])
            // The unit takes 3 s to exit on SIGTERM; its TimeoutStopSec= is 20 s, the job timeout 1 s.
            _ = try await events.wait("drain finished") { if case let .drainFinished(w) = $0, w == id { w } else { nil } }
            #expect(!handler.entries.contains { $0.message.description.contains("took longer than") })
            #expect(try nodes.property(0, "llm-decode@g0.service", "ActiveState") == "inactive")
            await actuator.shutdown()
        }
    }

    @Test("a drain whose router deregistration fails is abandoned: the worker keeps serving")
    func aFailedDeregistrationNeverStopsTheWorker() async throws {
        try await withSystemdNodes(1, units: UnitFixture()) { nodes in
            let hooked = try await Self.hookedActuator(nodes, load: WorkerLoad(running: 0, waiting: 0)) { log in
                "echo \"$*\" >> '\(log)'\n[ \"$1\" = deregister ] && exit 1\nexit 0\n"
            }
            defer { hooked.removeFiles() }
            let (actuator, hookLog) = (hooked.actuator, hooked.log)
            let id = WorkerID("node0/llm-decode@g0.service")
            #expect(await actuator.execute([.start(role: .decode, node: "node0", gpus: [0])]).map(\.outcome.isDone) == [true])
            // Observing promotes the ready worker, which registers it with the router.
            try await eventually("router registration") {
                _ = await actuator.worker(id)
                return RouterScript.lines(hookLog).contains { $0.hasPrefix("register ") }
            }
            #expect(await actuator.execute([.drain(worker: id)]).map(\.outcome.isDone) == [true])
            try await eventually("the abandoned drain") {
                let failures = await actuator.counters.routerHookFailures
                let lifecycle = await actuator.worker(id)?.lifecycle
                return failures == 1 && lifecycle == .ready
            }
            #expect(try nodes.property(0, "llm-decode@g0.service", "ActiveState") == "active")
            #expect(await actuator.counters.drainsFinished == 0)
            await actuator.shutdown()
        }
    }

    @Test("a worker whose drain begins while the router is still registering it ends deregistered, registered once")
    func aDrainDuringRegistrationLeavesTheWorkerDeregistered() async throws {
        try await withSystemdNodes(1, units: UnitFixture()) { nodes in
            // Registration takes 2 s: long enough for a drain (and its deregistration) to begin and end inside it.
            let hooked = try await Self.hookedActuator(nodes, load: WorkerLoad(running: 1, waiting: 0)) { log in
                "echo \"$1-start\" >> '\(log)'\n[ \"$1\" = register ] && sleep 2\necho \"$1-done\" >> '\(log)'\n"
            }
            defer { hooked.removeFiles() }
            let (actuator, hookLog) = (hooked.actuator, hooked.log)
            let id = WorkerID("node0/llm-decode@g0.service")
            #expect(await actuator.execute([.start(role: .decode, node: "node0", gpus: [0])]).map(\.outcome.isDone) == [true])
            try await eventually("the worker running") { try nodes.property(0, "llm-decode@g0.service", "SubState") == "running" }
            // Two observations at once, as the scrape and the tick make them: one registration.
            async let first = actuator.observe()
            async let second = actuator.observe()
            try await eventually("registration under way") { RouterScript.lines(hookLog).contains("register-start") }
            #expect(await actuator.execute([.drain(worker: id)]).map(\.outcome.isDone) == [true])
            _ = await (first, second)
            try await eventually("the worker taken out again") { RouterScript.lines(hookLog).last == "deregister-done" && RouterScript.lines(hookLog).contains("register-done") }
            let lines = RouterScript.lines(hookLog)
            #expect(lines.filter { $0 == "register-start" }.count == 1, "\(lines)")
            #expect(lines.lastIndex(of: "deregister-done")! > lines.firstIndex(of: "register-done")!, "\(lines)")
            await actuator.shutdown()
        }
    }

    @Test func cancelledDrainKeepsTheWorkerAndReRegistersIt() async throws {
        try await withSystemdNodes(1, units: UnitFixture()) { nodes in
            let hookLog = FileManager.default.temporaryDirectory.appendingPathComponent("hook-\(UUID().uuidString).log").path
            let hook = try RouterScript.write(appendingTo: hookLog)
            defer { try? FileManager.default.removeItem(atPath: hook); try? FileManager.default.removeItem(atPath: hookLog) }
            let actuator = try SystemdActuator(
                configuration: ActuatorFixture.configuration(nodes), router: CommandRouterHook(executable: hook),
                loadProvider: ScriptedLoad(WorkerLoad(running: 1, waiting: 0)), logger: ActuatorFixture.logger()
            )
            await actuator.start()
            let id = WorkerID("node0/llm-decode@g0.service")
            _ = await actuator.execute([.start(role: .decode, node: "node0", gpus: [0])])
            _ = await actuator.execute([.drain(worker: id)])
            try await eventually("deregistration") { RouterScript.lines(hookLog).contains { $0.hasPrefix("deregister ") } }
            let cancelled = await actuator.execute([.cancelDrain(worker: id)])
            #expect(cancelled.map(\.outcome.isDone) == [true])
            #expect(RouterScript.lines(hookLog).last?.hasPrefix("register node0/llm-decode@g0.service decode http://127.0.0.1:30100") == true)
            #expect(try nodes.property(0, "llm-decode@g0.service", "ActiveState") == "active")
            #expect(await actuator.worker(id)?.lifecycle == .ready)
            await actuator.shutdown()
        }
    }

    @Test func aKilledWorkerIsNoticedBySignalAndBackedOff() async throws {
        try await withSystemdNodes(1, units: UnitFixture()) { nodes in
            let actuator = try SystemdActuator(configuration: ActuatorFixture.configuration(nodes), logger: ActuatorFixture.logger())
            let events = EventRecorder(actuator)
            await actuator.start()
            let id = WorkerID("node0/llm-prefill@g0-1.service")
            #expect(await actuator.execute([.start(role: .prefill, node: "node0", gpus: [0, 1])]).map(\.outcome.isDone) == [true])

            let clock = ContinuousClock()
            let killedAt = clock.now
            try nodes.systemctl(0, "kill", "-s", "KILL", "llm-prefill@g0-1.service")
            let error = try await events.wait("the failure signal", timeout: .seconds(20)) { if case let .workerFailed(w, e) = $0, w == id { e } else { nil } }
            let latency = clock.now - killedAt
            // From the unit's signal, not the fixture's 60 s periodic reconcile; generous, since every
            // suite starting at once has stalled steps here for over 10 s.
            #expect(latency < .seconds(15), "noticed after \(latency)")
            #expect(error.message.contains("llm-prefill@g0-1.service"))
            #expect(error.message.contains("signal"))
            #expect(await actuator.worker(id)?.lifecycle == .failed)

            let retry = await actuator.execute([.start(role: .prefill, node: "node0", gpus: [0, 1])])
            #expect(retry.first?.outcome.error?.code == .backingOff)

            await actuator.reconcile()
            _ = try await events.wait("the failed unit cleared") { if case let .failedUnitCleared(w) = $0 { w } else { nil } }
            #expect(await actuator.worker(id) == nil)
            #expect(await actuator.counters.unitFailures == 1)
            await actuator.shutdown()
        }
    }

    @Test func aStopThatFailsIsRetriedByTheNextReconcile() async throws {
        var units = UnitFixture()
        units.decodeRefusesManualStop = true
        try await withSystemdNodes(1, units: units) { nodes in
            let actuator = try SystemdActuator(configuration: ActuatorFixture.configuration(nodes), logger: ActuatorFixture.logger())
            let events = EventRecorder(actuator)
            await actuator.start()
            let id = WorkerID("node0/llm-decode@g4.service")
            #expect(await actuator.execute([.start(role: .decode, node: "node0", gpus: [4])]).map(\.outcome.isDone) == [true])

            // No load provider: the worker is idle at once, and systemd refuses the StopUnit.
            #expect(await actuator.execute([.drain(worker: id)]).map(\.outcome.isDone) == [true])
            _ = try await events.wait("the drain to reach the stop") { if case let .drainIdle(w) = $0, w == id { w } else { nil } }
            try await eventually("the refused stop to leave the worker draining, not stopping") {
                let pending = await actuator.isStopPending(id)
                let lifecycle = await actuator.worker(id)?.lifecycle
                return !pending && lifecycle == .draining
            }
            #expect(try nodes.property(0, "llm-decode@g4.service", "ActiveState") == "active")

            // A reconcile while systemd still refuses tries again and leaves it draining.
            await actuator.reconcile()
            try await eventually("the retried stop to be refused too") { await actuator.isStopPending(id) == false }
            #expect(await actuator.worker(id)?.lifecycle == .draining)

            // The operator lifts the refusal; the next reconcile's retry stops the unit.
            let dropIn = "\(try #require(nodes.environment["FULCRUM_NODE0_UNIT_DIR"]))/llm-decode@.service.d"
            try FileManager.default.createDirectory(atPath: dropIn, withIntermediateDirectories: true)
            try "[Unit]\nRefuseManualStop=no\n".write(toFile: "\(dropIn)/allow-stop.conf", atomically: true, encoding: .utf8)
            #expect(try nodes.systemctl(0, "daemon-reload").status == 0)
            await actuator.reconcile()
            _ = try await events.wait("the retried drain to finish") { if case let .drainFinished(w) = $0, w == id { w } else { nil } }
            #expect(try nodes.property(0, "llm-decode@g4.service", "ActiveState") == "inactive")
            #expect(await actuator.worker(id) == nil)
            await actuator.shutdown()
        }
    }

    /// A drain's stop replaces the unit's pending job: in `fail` mode a start job still running
    /// (or a restart queued after a crash) refused it, and the worker kept its GPUs.
    @Test func aDrainStopsAWorkerWhoseStartIsStillRunning() async throws {
        var units = UnitFixture()
        units.decodeStartDelay = 60
        try await withSystemdNodes(1, units: units) { nodes in
            let actuator = try SystemdActuator(configuration: ActuatorFixture.configuration(nodes), logger: ActuatorFixture.logger())
            let events = EventRecorder(actuator)
            await actuator.start()
            let id = WorkerID("node0/llm-decode@g5.service")
            // Someone (an operator, a restart after a crash) started it; its start job runs for a minute.
            #expect(try nodes.systemctl(0, "start", "--no-block", "llm-decode@g5.service").status == 0)
            await actuator.reconcile()
            try await eventually("the starting worker to be adopted") { await actuator.worker(id) != nil }
            #expect(try nodes.property(0, "llm-decode@g5.service", "ActiveState") == "activating")
            #expect(await actuator.execute([.drain(worker: id)]).map(\.outcome.isDone) == [true])
            _ = try await events.wait("the drain to finish while the start job still ran", timeout: .seconds(30)) {
                if case let .drainFinished(w) = $0, w == id { w } else { nil }
            }
            #expect(try nodes.property(0, "llm-decode@g5.service", "ActiveState") == "inactive")
            await actuator.shutdown()
        }
    }

    @Test func perTickLimitsReadinessAndThePeriodicReconcile() async throws {
        try await withSystemdNodes(1, units: UnitFixture()) { nodes in
            let probe = SwitchableReadiness()
            let actuator = try SystemdActuator(
                configuration: ActuatorFixture.configuration(nodes) {
                    $0.maxStartsPerTick = 2
                    $0.maxDrainsPerTick = 1
                    $0.reconcileInterval = .seconds(1)
                },
                readiness: probe, logger: ActuatorFixture.logger()
            )
            let events = EventRecorder(actuator)
            await actuator.start()

            // Three starts in one tick: two are made, the third waits for the next tick.
            let starts = await actuator.execute([
                .start(role: .decode, node: "node0", gpus: [0]),
                .start(role: .decode, node: "node0", gpus: [1]),
                .start(role: .decode, node: "node0", gpus: [2]),
            ])
            #expect(starts.map(\.outcome.isDone) == [true, true, false])
            #expect(starts[2].outcome.error?.code == .rateLimited)

            // Running is not ready until the probe says so.
            let first = WorkerID("node0/llm-decode@g0.service"), second = WorkerID("node0/llm-decode@g1.service")
            #expect(await actuator.worker(first)?.lifecycle == .starting)
            probe.ready = true
            try await eventually("the first worker ready") { await actuator.worker(first)?.lifecycle == .ready }

            // Two drains in one tick: one is begun, the other deferred.
            let drains = await actuator.execute([.drain(worker: first), .drain(worker: second)])
            #expect(drains.map(\.outcome.isDone) == [true, false])
            #expect(drains[1].outcome.error?.code == .rateLimited)
            _ = try await events.wait("the first drain to finish") { if case let .drainFinished(w) = $0, w == first { w } else { nil } }
            #expect(await actuator.worker(second)?.lifecycle == .ready)

            // A unit started behind the actuator's back is adopted by the periodic reconcile,
            // without anyone calling reconcile().
            #expect(try nodes.systemctl(0, "start", "llm-prefill@g6-7.service").status == 0)
            _ = try await events.wait("the periodic reconcile to adopt the stray unit") {
                if case let .workerAdopted(w) = $0, w == WorkerID("node0/llm-prefill@g6-7.service") { w } else { nil }
            }
            await actuator.shutdown()
        }
    }

    @Test func aRestartedActuatorAdoptsRunningWorkersWithoutStartingThemAgain() async throws {
        try await withSystemdNodes(1, units: UnitFixture()) { nodes in
            let configuration = ActuatorFixture.configuration(nodes)
            let first = try SystemdActuator(configuration: configuration, logger: ActuatorFixture.logger())
            await first.start()
            let actions: [ScalingAction] = [.start(role: .prefill, node: "node0", gpus: [0, 1, 2, 3]), .start(role: .decode, node: "node0", gpus: [4, 6])]
            #expect(await first.execute(actions).map(\.outcome.isDone) == [true, true])
            let pids = try ["llm-prefill@g0-3.service", "llm-decode@g4.6.service"].map { try nodes.property(0, $0, "MainPID") }
            await first.shutdown()

            let second = try SystemdActuator(configuration: configuration, logger: ActuatorFixture.logger())
            await second.start()
            let observed = await second.observe()
            #expect(observed.workers.map(\.id.rawValue) == ["node0/llm-decode@g4.6.service", "node0/llm-prefill@g0-3.service"])
            #expect(observed.workers.map(\.gpus) == [[4, 6], [0, 1, 2, 3]])
            #expect(observed.workers.map(\.role) == [.decode, .prefill])
            let started = try nodes.property(0, "llm-prefill@g0-3.service", "ExecMainStartTimestamp")
            #expect(!started.isEmpty)
            let stamp = try #require(observed.workers.last?.startedAt.seconds)
            #expect(abs(stamp - Date().timeIntervalSince1970) < 600)

            let again = await second.execute(actions)
            #expect(again.allSatisfy { if case .unchanged = $0.outcome { true } else { false } }, "\(again.map(\.outcome))")
            #expect(try ["llm-prefill@g0-3.service", "llm-decode@g4.6.service"].map { try nodes.property(0, $0, "MainPID") } == pids)
            #expect(await second.counters.startsRequested == 0)
            await second.shutdown()
        }
    }

    @Test func anUnreachableNodeLeavesTheOtherWorkingAndItsWorkersStale() async throws {
        try await withSystemdNodes(2, units: UnitFixture()) { nodes in
            let actuator = try SystemdActuator(configuration: ActuatorFixture.configuration(nodes), logger: ActuatorFixture.logger())
            let events = EventRecorder(actuator)
            await actuator.start()
            #expect(await actuator.execute([
                .start(role: .prefill, node: "node0", gpus: [0]), .start(role: .prefill, node: "node1", gpus: [0]),
            ]).map(\.outcome.isDone) == [true, true])

            try nodes.stopNode(1)
            let problem = try await events.wait("node1 unreachable") { if case let .nodeUnreachable(node, error) = $0, node == "node1" { error } else { nil } }
            #expect(problem.message.hasPrefix("Node node1 ("), "\(problem.message)")
            #expect(problem.message.contains("); check that a bus answers at "), "says what to check: \(problem.message)")
            #expect(!problem.message.contains(".)"), "no sentence ends inside the parenthesis: \(problem.message)")
            let observed = await actuator.observe()
            #expect(observed.nodes.map(\.reachable) == [true, false])
            #expect(observed.workers.map(\.id.rawValue) == ["node0/llm-prefill@g0.service", "node1/llm-prefill@g0.service"], "stale, not gone")

            let more = await actuator.execute([.start(role: .decode, node: "node0", gpus: [1]), .start(role: .decode, node: "node1", gpus: [1])])
            #expect(more[0].outcome.isDone)
            #expect(more[1].outcome.error?.code == .unreachableNode)
            await actuator.shutdown()
        }
    }

    @Test func aFailingUnitGivesAClearErrorAndIsNotRetriedInATightLoop() async throws {
        try await withSystemdNodes(1, units: UnitFixture(prefill: .sleep, decode: .missingBinary)) { nodes in
            let actuator = try SystemdActuator(configuration: ActuatorFixture.configuration(nodes), logger: ActuatorFixture.logger())
            let events = EventRecorder(actuator)
            await actuator.start()
            let first = await actuator.execute([.start(role: .decode, node: "node0", gpus: [5])])
            let error = try #require(first.first?.outcome.error)
            #expect(error.message.contains("llm-decode@g5.service"), "\(error)")
            #expect(error.message.hasSuffix("."))
            _ = try await events.wait("the failure event") { if case let .workerFailed(_, e) = $0 { e } else { nil } }
            for _ in 0..<5 {
                let retry = await actuator.execute([.start(role: .decode, node: "node0", gpus: [5])])
                #expect(retry.first?.outcome.error?.code == .backingOff || retry.first.map { if case .unchanged = $0.outcome { true } else { false } } == true)
            }
            #expect(await actuator.counters.startsRequested == 1)
            await actuator.shutdown()
        }
    }

    @Test func craftedNamesAreRefusedBeforeAnyBusCall() async throws {
        try await withSystemdNodes(1, units: UnitFixture()) { nodes in
            let handler = InMemoryLogHandler()
            let actuator = try SystemdActuator(
                configuration: ActuatorFixture.configuration(nodes, gpus: [0, 1, 2, 3]), logger: ActuatorFixture.logger(handler)
            )
            await actuator.start()
            let crafted = ["llm-prefill@g0-3.service;rm", "../x", "sshd.service", "llm-prefill@g0-3.service.d", "llm-prefill@g4-5.service"]
            let results = await actuator.execute(crafted.map { .drain(worker: WorkerID("node0/\($0)")) } + [
                .cancelDrain(worker: "node0/sshd.service"),
                .start(role: .prefill, node: "node0", gpus: [3, 4]),
                .drain(worker: "sshd.service"),
            ])
            for result in results {
                #expect(result.outcome.error?.code == .refusedUnit || result.outcome.error?.code == .unknownNode, "\(result.action): \(result.outcome)")
            }
            #expect(!handler.entries.contains { $0.message.description.hasPrefix("calling ") })
            #expect(await actuator.counters.refused == results.count)
            await actuator.shutdown()
        }
    }

    @Test func dryRunLogsTheExactCallsAndMakesNone() async throws {
        try await withSystemdNodes(1, units: UnitFixture()) { nodes in
            let handler = InMemoryLogHandler()
            let actuator = try SystemdActuator(
                configuration: ActuatorFixture.configuration(nodes) { $0.dryRun = true; $0.maxStartsPerTick = 1 },
                logger: ActuatorFixture.logger(handler)
            )
            await actuator.start()
            let results = await actuator.execute([.start(role: .prefill, node: "node0", gpus: [0, 1, 2, 3]), .start(role: .decode, node: "node0", gpus: [4])])
            guard case let .dryRun(calls) = results[0].outcome else { Issue.record("\(results[0].outcome)"); return }
            #expect(calls == ["StartUnit(\"llm-prefill@g0-3.service\", \"fail\") on node0"])
            #expect(results[1].outcome.error?.code == .rateLimited)
            #expect(handler.entries.contains { $0.message.description == "dry-run: would call StartUnit(\"llm-prefill@g0-3.service\", \"fail\") on node0" })
            #expect(try nodes.property(0, "llm-prefill@g0-3.service", "ActiveState") == "inactive")
            // A reload that turns dry-run off: the same start is now made.
            await actuator.setDryRun(false)
            let acting = await actuator.execute([.start(role: .prefill, node: "node0", gpus: [0, 1, 2, 3])])
            #expect(acting.map(\.outcome.isDone) == [true], "\(acting.map(\.outcome))")
            try await eventually("the started unit") { try nodes.property(0, "llm-prefill@g0-3.service", "ActiveState") == "active" }
            await actuator.shutdown()
        }
    }

    @Test func theScriptRunsACommandAgainstSeveralManagersAndCleansUp() throws {
        let folder = try UnitFixture().write()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let command = """
        set -e
        for i in 0 1; do
          dir=$(eval echo \\$FULCRUM_NODE${i}_RUNTIME_DIR)
          XDG_RUNTIME_DIR=$dir systemctl --user start llm-prefill@g0.service
          XDG_RUNTIME_DIR=$dir systemctl --user show -p MainPID --value llm-prefill@g0.service
        done
        echo "$FULCRUM_NODE0_PID $FULCRUM_NODE1_PID $FULCRUM_SYSTEMD_STATE"
        exit 3
        """
        let result = try SystemdNodes.run(SystemdNodes.script, ["--nodes", "2", "--units", folder, "--", "/bin/bash", "-c", command])
        #expect(result.status == 3, "the command's status: \(result.output)")
        let lines = result.output.split(separator: "\n").map(String.init)
        let pids = lines.suffix(3).flatMap { $0.split(separator: " ") }.compactMap { Int32($0) }
        #expect(pids.count == 4, "\(lines)")
        for pid in pids { #expect(kill(pid, 0) != 0, "process \(pid) outlived the script") }
        let state = try #require(lines.last?.split(separator: " ").last.map(String.init))
        #expect(!FileManager.default.fileExists(atPath: state))
    }
}

/// A load provider the test steers.
final class ScriptedLoad: WorkerLoadProvider {
    private let current: Mutex<(load: WorkerLoad, reads: Int)>
    init(_ load: WorkerLoad) { current = Mutex((load, 0)) }
    func set(_ load: WorkerLoad) { current.withLock { $0.load = load } }
    /// How often a drain has asked so far.
    var reads: Int { current.withLock { $0.reads } }
    func load(of worker: WorkerEndpoint) async -> WorkerLoad? {
        current.withLock { state in
            state.reads += 1
            return state.load
        }
    }
}

/// A router hook executable that appends its arguments to a file.
enum RouterScript {
    static func write(appendingTo log: String) throws -> String {
        try write("echo \"$*\" >> '\(log)'\n[ \"$FULCRUM_EVENT\" = \"$1\" ] || exit 9\n")
    }

    /// An executable hook running `body` under /bin/sh, in a fresh temporary file.
    static func write(_ body: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("router-hook-\(UUID().uuidString).sh").path
        try ("#!/bin/sh\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    static func lines(_ log: String) -> [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}

enum HTTPProbe {
    /// Whether something accepts TCP connections on 127.0.0.1:port.
    static func answers(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// A readiness probe the test flips by hand.
final class SwitchableReadiness: ReadinessProbe {
    private let state = Mutex(false)
    var ready: Bool {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }

    func isReady(_ worker: WorkerEndpoint) async -> Bool { ready }
}
