import FulcrumTestSupport
import Foundation
import FulcrumCore
@testable import FulcrumSystemd
import Synchronization
import Testing

/// A fence the test opens and closes, as leadership comes and goes.
final class SwitchFence: ActuationFence {
    private let open = Mutex(true)
    private let asked = Mutex<[String]>([])

    func set(open value: Bool) { open.withLock { $0 = value } }
    var changesAsked: [String] { asked.withLock { $0 } }

    func refusal(for change: String) async -> String? {
        asked.withLock { $0.append(change) }
        return open.withLock { $0 } ? nil : "this daemon is not the leader"
    }

    func mightAct() async -> Bool { open.withLock { $0 } }
}

/// The fence before every change (coordination), against a real systemd user manager: a
/// closed fence makes no call, keeps no GPUs for a start it refused, leaves router membership
/// to the leader, and abandons a drain rather than stopping the worker.
@Suite(.serialized) struct ActuationFenceTests {
    @Test func aClosedFenceMakesNoCallAndAbandonsADrain() async throws {
        try await withSystemdNodes(1, units: UnitFixture()) { nodes in
            let hookLog = FileManager.default.temporaryDirectory.appendingPathComponent("hook-\(UUID().uuidString).log").path
            let hook = try RouterScript.write(appendingTo: hookLog)
            defer { try? FileManager.default.removeItem(atPath: hook); try? FileManager.default.removeItem(atPath: hookLog) }
            let fence = SwitchFence()
            let actuator = try SystemdActuator(
                configuration: ActuatorFixture.configuration(nodes), router: CommandRouterHook(executable: hook),
                loadProvider: ScriptedLoad(WorkerLoad(running: 1, waiting: 0)), fence: fence, logger: ActuatorFixture.logger()
            )
            await actuator.start()

            // Closed: the start is refused before StartUnit, and its GPUs are not held.
            fence.set(open: false)
            let refused = await actuator.execute([.start(role: .decode, node: "node0", gpus: [0])])
            #expect(refused.first?.outcome.error?.code == .fenced, "\(refused.map(\.outcome))")
            #expect(try nodes.property(0, "llm-decode@g0.service", "ActiveState") == "inactive")
            #expect(await actuator.observe().workers.isEmpty)
            #expect(fence.changesAsked.contains { $0.hasPrefix("StartUnit(\"llm-decode@g0.service\"") })

            // Open: it starts and is registered with the router.
            fence.set(open: true)
            let id = WorkerID("node0/llm-decode@g0.service")
            #expect(await actuator.execute([.start(role: .decode, node: "node0", gpus: [0])]).map(\.outcome.isDone) == [true])
            try await eventually("router registration") {
                _ = await actuator.observe()
                return RouterScript.lines(hookLog).contains { $0.hasPrefix("register node0/llm-decode@g0.service") }
            }

            // Closed while draining: no deregistration, no stop; the drain is given up.
            fence.set(open: false)
            #expect(await actuator.execute([.drain(worker: id)]).map(\.outcome.isDone) == [true])
            try await eventually("the drain to be abandoned") { await actuator.worker(id)?.lifecycle == .ready }
            #expect(!RouterScript.lines(hookLog).contains { $0.hasPrefix("deregister ") })
            #expect(try nodes.property(0, "llm-decode@g0.service", "ActiveState") == "active")
            #expect(await actuator.counters.fenced >= 2)
            await actuator.shutdown()
        }
    }
}
