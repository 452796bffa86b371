@testable import FulcrumConfiguration
import Foundation
import FulcrumCoordination
import FulcrumCore
import FulcrumTestSupport
import Synchronization
import Testing
@testable import FulcrumDaemon

/// The core's side of coordination, driven directly: which role may act, what a standby says
/// to an operator, and how the shared state replaces the local one. The election itself runs
/// against real etcd in FulcrumCoordinationTests and the end-to-end suite.
@Suite("Daemon core under coordination")
struct DaemonCoreCoordinationTests {
    static func coordinatedConfiguration() throws -> DaemonConfiguration {
        var configuration = try DaemonCoreTests.configuration()
        configuration.coordination = CoordinationConfiguration(endpoints: ["http://127.0.0.1:2379"], prefix: "/fulcrum/t", name: "head-b")
        return configuration
    }

    static func status(_ role: CoordinationRole, leader: DaemonIdentity? = nil, problem: String? = nil) -> ElectionStatus {
        ElectionStatus(role: role, me: DaemonIdentity(name: "head-b", host: "b", pid: 2, controlSocket: "/run/fulcrum/control.sock"),
                       leader: leader, leaseID: role == .unavailable ? nil : 7, leaseTTLSeconds: 10, leaseRemainingSeconds: 9,
                       problem: problem, leaderChanges: 1, fencedActions: 0)
    }

    @Test("before the first election round and as a standby it decides but starts nothing; as leader it acts")
    func onlyTheLeaderActs() async throws {
        let fleet = RecordingFleet(nodes: DaemonCoreTests.nodes, workers: [])
        let core = DaemonCore(configuration: try Self.coordinatedConfiguration(), fleet: fleet, telemetry: NoTelemetry())
        var decision = await core.tick(now: Timestamp(seconds: 0))
        #expect(decision.actions.count == 2)
        #expect(await fleet.executed.isEmpty)
        #expect(await core.lastOutcomes.allSatisfy { $0.result == .notLeader })

        await core.coordinate(Self.status(.standby, leader: DaemonIdentity(name: "head-a", host: "a", pid: 1, controlSocket: "/run/a.sock")))
        decision = await core.tick(now: Timestamp(seconds: 10))
        #expect(await fleet.executed.isEmpty)

        await core.coordinate(Self.status(.leader))
        decision = await core.tick(now: Timestamp(seconds: 20))
        #expect(await fleet.executed.count == 2)
    }

    @Test("a standby names the leader and how to reach it; without a lease it says etcd is the problem")
    func refusals() async throws {
        let core = DaemonCore(configuration: try Self.coordinatedConfiguration(), fleet: RecordingFleet(nodes: DaemonCoreTests.nodes, workers: []),
                              telemetry: NoTelemetry())
        await core.coordinate(Self.status(.standby, leader: DaemonIdentity(name: "head-a", host: "gpu-head-1", pid: 41, controlSocket: "/run/fulcrum/control.sock")))
        let standby = try #require(await core.notLeading)
        #expect(standby.status == 409)
        #expect(standby.message == "fulcrumd head-b is a standby; the leader is head-a on host gpu-head-1 (pid 41); run the command there: ssh gpu-head-1 fulcrumctl --socket /run/fulcrum/control.sock ...")
        await core.coordinate(Self.status(.unavailable, problem: "No etcd endpoint answered"))
        let unavailable = try #require(await core.notLeading)
        #expect(unavailable.status == 503)
        #expect(unavailable.message.contains("holds no etcd lease (No etcd endpoint answered)"))
        await core.coordinate(Self.status(.leader))
        #expect(await core.notLeading == nil)

        let alone = DaemonCore(configuration: try DaemonCoreTests.configuration(), fleet: RecordingFleet(nodes: DaemonCoreTests.nodes, workers: []),
                               telemetry: NoTelemetry())
        #expect(await alone.notLeading == nil)
        #expect(await alone.mayAct)
    }

    @Test("the shared state replaces overrides, audit and the fleet taken over, and is not written back")
    func adoptShared() async throws {
        let writes = WriteCounter()
        let core = DaemonCore(configuration: try Self.coordinatedConfiguration(), fleet: RecordingFleet(nodes: DaemonCoreTests.nodes, workers: []),
                              telemetry: NoTelemetry(), persist: { _ in writes.add() })
        var overrides = Overrides()
        overrides.counts = Expiring(PerRole(prefill: 2, decode: 3), reason: "ha")
        // The leader's fleet taken over: a new leader holds it, not the fleet it finds.
        let shared = OperatorState(overrides: overrides, audit: [AuditEntry(time: Timestamp(seconds: 1), requester: nil, action: "override counts", reason: "ha")],
                                   fleetTakenOver: PerRole(prefill: 4, decode: 1))
        await core.adoptShared(shared)
        #expect(await core.operatorState == shared)
        await core.adoptShared(nil)
        #expect(await core.overrides == Overrides())
        #expect(await core.audit.isEmpty)
        #expect(await core.fleetTakenOver == PerRole(prefill: 4, decode: 1), "a leader that wrote none leaves this daemon's own")
        #expect(writes.count == 0)
    }

    @Test("a new leader writes the fleet taken over that the shared state lacks at its next tick, and only once")
    func sharedStateLackingTheFleetTakenOverIsCompleted() async throws {
        let saved = Mutex<[OperatorState]>([])
        let worker = WorkerSnapshot(id: "gpu-a/llm-decode@g1.service", role: .decode, node: "gpu-a", gpus: [1], lifecycle: .ready,
                                    startedAt: Timestamp(seconds: 0), readyAt: Timestamp(seconds: 1))
        let core = DaemonCore(configuration: try Self.coordinatedConfiguration(), fleet: RecordingFleet(nodes: DaemonCoreTests.nodes, workers: [worker]),
                              telemetry: NoTelemetry(), persist: { state in saved.withLock { $0.append(state) } })
        await core.tick(now: Timestamp(seconds: 0))
        let own = try #require(await core.fleetTakenOver)
        // An older leader's state, without the field: adopted at election, then completed.
        let shared = OperatorState(overrides: Overrides(), audit: [AuditEntry(time: Timestamp(seconds: 1), requester: nil, action: "pause", reason: nil)])
        await core.adoptShared(shared)
        await core.coordinate(Self.status(.leader))
        let before = saved.withLock { $0.count }
        await core.tick(now: Timestamp(seconds: 10))
        #expect(saved.withLock { $0.count } == before + 1)
        #expect(saved.withLock { $0.last } == OperatorState(overrides: Overrides(), audit: shared.audit, fleetTakenOver: own))
        await core.tick(now: Timestamp(seconds: 20))
        #expect(saved.withLock { $0.count } == before + 1, "written once")
    }
}

final class WriteCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add() { lock.withLock { value += 1 } }
    var count: Int { lock.withLock { value } }
}
