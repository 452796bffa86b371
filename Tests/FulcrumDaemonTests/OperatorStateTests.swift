@testable import FulcrumConfiguration
import Foundation
import FulcrumCore
import Synchronization
import Testing
@testable import FulcrumDaemon

@Suite("Operator state across restarts")
struct OperatorStateTests {
    private func folder() throws -> String {
        let path = NSTemporaryDirectory() + "fulcrum-state-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func sampleState() -> OperatorState {
        var overrides = Overrides(pause: Expiring(true, expiresAt: Timestamp(seconds: 500), reason: "maintenance"),
                                  ratio: Expiring(InstanceRatio(prefill: 1, decode: 3), reason: "launch"))
        overrides.manualDrains = [WorkerID("gpu-a/llm-decode@g3.service")]
        return OperatorState(overrides: overrides, audit: [
            AuditEntry(time: Timestamp(seconds: 10), requester: Requester(uid: 0, gid: 0, pid: 7), action: "pause for 490 s", reason: "maintenance"),
        ], fleetTakenOver: PerRole(prefill: 3, decode: 5))
    }

    @Test("the store writes and reads back the same state; no file is no state")
    func roundTrip() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = OperatorStateStore(path: "\(root)/nested/state.json")
        #expect(try store.load() == nil)
        try store.save(sampleState())
        #expect(try store.load() == sampleState())
        let attributes = try FileManager.default.attributesOfItem(atPath: store.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        // No temporary files are left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root)/nested") == ["state.json"])
    }

    @Test("an unreadable file is moved aside with one clear sentence, and the daemon starts clean")
    func unreadableFile() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = OperatorStateStore(path: "\(root)/state.json")
        try "{ half a file".write(toFile: store.path, atomically: true, encoding: .utf8)
        let error = #expect(throws: OperatorStateStore.LoadError.self) { try store.load() }
        #expect(error?.description.hasPrefix("The state file \(store.path) was not used because it is not a fulcrumd state file") == true)
        #expect(!FileManager.default.fileExists(atPath: store.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).contains { $0.hasPrefix("state.json.unreadable-") })
        #expect(try store.load() == nil)

        var future = sampleState()
        future.version = 99
        try store.save(future)
        let versionError = #expect(throws: OperatorStateStore.LoadError.self) { try store.load() }
        #expect(versionError?.description.contains("version 99") == true)
    }

    @Test("the default path follows systemd's StateDirectory=")
    func defaultPath() {
        #expect(OperatorStateStore.defaultPath(environment: ["STATE_DIRECTORY": "/var/lib/fulcrum"]) == "/var/lib/fulcrum/state.json")
        #expect(OperatorStateStore.defaultPath(environment: [:]) == "/var/lib/fulcrum/state.json")
        #expect(OperatorStateStore.defaultPath(environment: ["STATE_DIRECTORY": "/srv/f:/srv/g"]) == "/srv/f/state.json")
    }

    @Test("the core saves on every change and a new core resumes from what was saved")
    func coreSavesAndResumes() async throws {
        let saved = Mutex<[OperatorState]>([])
        let worker = WorkerSnapshot(id: "gpu-a/llm-decode@g1.service", role: .decode, node: "gpu-a", gpus: [1], lifecycle: .ready,
                                    startedAt: Timestamp(seconds: 0), readyAt: Timestamp(seconds: 1))
        let fleet = RecordingFleet(nodes: DaemonCoreTests.nodes, workers: [worker])
        let core = DaemonCore(configuration: try DaemonCoreTests.configuration(), fleet: fleet, telemetry: NoTelemetry(),
                              persist: { state in saved.withLock { $0.append(state) } })
        _ = await core.apply(.ratio(InstanceRatio(prefill: 1, decode: 2)), ttlSeconds: 100, reason: "launch", requester: nil, now: Timestamp(seconds: 0))
        #expect(saved.withLock { $0.last?.overrides.ratio?.value } == InstanceRatio(prefill: 1, decode: 2))
        _ = try await core.drain(worker.id, reason: "bad GPU", requester: nil, now: Timestamp(seconds: 1))
        #expect(saved.withLock { $0.last?.overrides.manualDrains } == [worker.id])
        // The first tick takes over the fleet, which is saved too.
        await core.tick(now: Timestamp(seconds: 2))
        #expect(saved.withLock { $0.last?.fleetTakenOver } != nil)
        let countBeforeQuietTick = saved.withLock { $0.count }
        await core.tick(now: Timestamp(seconds: 2.5))
        #expect(saved.withLock { $0.count } == countBeforeQuietTick, "a tick that changes nothing saves nothing")

        // A new process restores the overrides; they keep their expiry.
        let last = try #require(saved.withLock { $0.last })
        let restarted = DaemonCore(configuration: try DaemonCoreTests.configuration(), fleet: fleet, telemetry: NoTelemetry(), restored: last)
        #expect(await restarted.overrides.ratio?.value == InstanceRatio(prefill: 1, decode: 2))
        #expect(await restarted.audit.map(\.action) == last.audit.map(\.action))
        let later = await restarted.tick(now: Timestamp(seconds: 200))
        #expect(later.has(.overrideExpired))
        #expect(await restarted.overrides.ratio == nil)
    }

    @Test("the fleet taken over is saved at the first tick, a restarted core holds it instead of the fleet it finds, and take-over forgets it")
    func fleetTakenOverSurvivesRestarts() async throws {
        let saved = Mutex<[OperatorState]>([])
        func worker(_ role: Role, _ gpu: Int) -> WorkerSnapshot {
            WorkerSnapshot(id: WorkerID("gpu-a/llm-\(role)@g\(gpu).service"), role: role, node: "gpu-a", gpus: [gpu], lifecycle: .ready,
                           startedAt: Timestamp(seconds: 0), readyAt: Timestamp(seconds: 1))
        }
        let first = RecordingFleet(nodes: DaemonCoreTests.nodes, workers: [worker(.prefill, 0), worker(.decode, 1)])
        let core = DaemonCore(configuration: try DaemonCoreTests.configuration(), fleet: first, telemetry: NoTelemetry(),
                              persist: { state in saved.withLock { $0.append(state) } })
        await core.tick(now: Timestamp(seconds: 1))
        let state = try #require(saved.withLock { $0.last })
        #expect(state.fleetTakenOver == PerRole(prefill: 1, decode: 1))

        // Restarted in a burst, with 2:2 running: it holds the 1:1 its previous run took over.
        let burst = RecordingFleet(nodes: DaemonCoreTests.nodes,
                                   workers: [worker(.prefill, 0), worker(.prefill, 2), worker(.decode, 1), worker(.decode, 3)])
        let restarted = DaemonCore(configuration: try DaemonCoreTests.configuration(), fleet: burst, telemetry: NoTelemetry(),
                                   restored: state, persist: { state in saved.withLock { $0.append(state) } })
        await restarted.tick(now: Timestamp(seconds: 2))
        #expect(await restarted.fleetTakenOver == PerRole(prefill: 1, decode: 1))
        #expect(await restarted.statusView(now: Timestamp(seconds: 2)).fleetTakenOver == PerRole(prefill: 1, decode: 1))

        // Forgotten by an operator: audited, saved as forgotten, and the next tick takes over 2:2.
        let entry = await restarted.takeOverRunningFleet(reason: "resized by hand", requester: nil, now: Timestamp(seconds: 3))
        #expect(entry.action == "take over the running fleet at the next tick (was prefill 1, decode 1)")
        #expect(saved.withLock { $0.last?.fleetTakenOver } == nil)
        await restarted.tick(now: Timestamp(seconds: 4))
        #expect(saved.withLock { $0.last?.fleetTakenOver } == PerRole(prefill: 2, decode: 2))

        // A state file written before the field existed still loads, with nothing held.
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = OperatorStateStore(path: "\(root)/state.json")
        try #"{"version": 1, "overrides": {}, "audit": []}"#.write(toFile: store.path, atomically: true, encoding: .utf8)
        #expect(try store.load()?.fleetTakenOver == nil)
    }
}

@Suite("Readiness")
struct ReadinessTests {
    @Test("/readyz is ready only after start-up, and turns not ready when the loop stalls or every node is gone")
    func readinessProblems() async {
        let readiness = Readiness(notifier: SystemdNotifier(), logger: .init(label: "test"))
        let start = ContinuousClock.now
        let nodes = [NodeSnapshot(name: "gpu-a", gpus: [0]), NodeSnapshot(name: "gpu-b", gpus: [0])]
        #expect(await readiness.problem(at: start, tick: .seconds(10), nodes: nodes) == "first reconciliation pending")
        await readiness.mark(.reconciled)
        await readiness.mark(.controlSocket)
        await readiness.mark(.metricsEndpoint)
        await readiness.ticked(at: start)
        #expect(await readiness.problem(at: start + .seconds(25), tick: .seconds(10), nodes: nodes) == nil)
        let stalled = await readiness.problem(at: start + .seconds(45), tick: .seconds(10), nodes: nodes)
        #expect(stalled?.hasPrefix("the control loop has not ticked for 45 s") == true)
        await readiness.ticked(at: start + .seconds(45))
        var down = nodes
        down[0].reachable = false
        #expect(await readiness.problem(at: start + .seconds(46), tick: .seconds(10), nodes: down) == nil)
        down[1].reachable = false
        #expect(await readiness.problem(at: start + .seconds(46), tick: .seconds(10), nodes: down) == "no node's systemd is reachable (gpu-a, gpu-b)")
    }
}
