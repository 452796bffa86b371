import AsyncHTTPClient
import Foundation
import FulcrumTelemetry
import FulcrumTestSupport
import Testing

/// Two real fulcrumd sharing one fleet through a real three-member etcd cluster: one leads,
/// the other stands by; leader SIGKILL under load, a paused leader resumed, an etcd member
/// lost, etcd gone entirely, and an override sent to the standby. Part of the serialized
/// end-to-end suite (one user manager, ports 31600/31700).
extension DaemonEndToEndTests {
    /// One daemon of the pair: its folder, control socket, metrics port and process.
    final class Member: @unchecked Sendable {
        let name: String
        let folder: String
        let metricsPort: Int
        var daemon: Daemon?
        var socket: String { "\(folder)/control.sock" }

        init(name: String, root: String) throws {
            self.name = name
            folder = "\(root)/\(name)"
            metricsPort = try freeLocalPort()
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }

        func start(configuration: String, notify: NotifySocket) throws {
            try configuration.write(toFile: "\(folder)/fulcrum.yaml", atomically: true, encoding: .utf8)
            daemon = try Daemon(config: "\(folder)/fulcrum.yaml", notify: notify.path, log: "\(folder)/fulcrumd.log")
        }

        func kill() {
            guard let daemon, daemon.process.isRunning else { return }
            daemon.signal(SIGCONT)
            daemon.signal(SIGKILL)
            daemon.process.waitUntilExit()
        }

        var log: String { daemon?.output ?? "" }
    }

    /// The demo's configuration for one member, with `coordination` and without `state_file`.
    static func coordinatedConfiguration(member: Member, bus: String, router: String, etcd: [String]) throws -> String {
        try demoConfiguration(bus: bus, state: member.folder, metricsPort: member.metricsPort, router: router, prefillBase: 31600, decodeBase: 31700)
            .replacingOccurrences(of: "state_file: \(member.folder)/state.json\n", with: "")
            + """
            coordination:
              etcd:
                endpoints: [\(etcd.joined(separator: ", "))]
                prefix: /fulcrum/e2e
                lease_ttl: 5s
                name: \(member.name)

            """
    }

    /// `fulcrumctl status --json`'s coordination object, or nil while the daemon is not answering.
    func coordination(_ member: Member) -> [String: Any]? {
        guard let result = try? fulcrumctl(["status", "--json"], socket: member.socket), result.status == 0,
              let object = try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        else { return nil }
        return object["coordination"] as? [String: Any]
    }

    func role(_ member: Member) -> String? { coordination(member)?["role"] as? String }

    /// The sum of a metric's samples (those with the label `label`, when given) on the member's /metrics.
    func metric(_ member: Member, _ name: String, label: Label? = nil, client: HTTPClient) async throws -> Double {
        let samples = try await exposition(member, client: client).family(named: name)?.samples ?? []
        return samples.filter { sample in label.map { sample.labels.contains($0) } ?? true }.map(\.value).reduce(0, +)
    }

    /// The member's /metrics, parsed with the project's own parser.
    func exposition(_ member: Member, client: HTTPClient) async throws -> Exposition {
        let body = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(member.metricsPort)/metrics"), timeout: .seconds(10))
            .body.collect(upTo: 4 << 20)
        return try ExpositionParser.parse(String(buffer: body))
    }

    /// Waits until `member` has made `count` more control-loop ticks: a window in which
    /// something must not happen, measured in the daemon's own ticks rather than wall time.
    func waitTicks(_ member: Member, _ count: Int, client: HTTPClient) async throws {
        func ticks() async throws -> Double {
            try await exposition(member, client: client).family(named: "fulcrum_tick_duration_seconds")?
                .samples.first { $0.name == "fulcrum_tick_duration_seconds_count" }?.value ?? 0
        }
        let start = try await ticks()
        try await eventually("\(member.name) to tick \(count) times", timeout: .seconds(120)) { try await ticks() >= start + Double(count) }
    }

    /// Each loaded worker unit, in any state, with its InvocationID: a unit started (even one
    /// still activating, or one that failed) or started again shows up here as a change.
    /// Each running (or starting) worker unit with its invocation: a start or stop by anyone
    /// changes this map. Units already stopping or stopped are left out: a drain the leader
    /// finished before the snapshot ends on systemd's clock, not ours (its unit leaves
    /// `deactivating`, then the list, a moment later), and that is no one's new job.
    func invocations(_ nodes: SystemdNodes) throws -> [String: String] {
        let units = try nodes.systemctl(0, "list-units", "--all", "--plain", "--no-legend", "fulcrum-emu-*")
            .output.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        var result: [String: String] = [:]
        for unit in units {
            let state = try nodes.property(0, unit, "ActiveState")
            guard state != "inactive", state != "deactivating" else { continue }
            result[unit] = try state + " " + nodes.property(0, unit, "InvocationID")
        }
        return result
    }

    @Test("two daemons, one leader through etcd: takeover under load without a lost request, fencing, member loss, etcd down, standby override")
    func coordinatedPair() async throws {
        let root = NSTemporaryDirectory() + "fulcrumd-ha-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: "\(root)/units", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.writeProfiledUnits(into: "\(root)/units", prefillBase: 31600, decodeBase: 31700)
        let etcd = try await EtcdCluster.start(size: 3)
        defer { etcd.stop() }
        let nodes = try SystemdNodes.start(count: 1, units: "\(root)/units")
        defer { nodes.stop() }
        let (router, routerPort) = try Self.startRouter()
        defer { router.terminate(); router.waitUntilExit() }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { Task { try? await client.shutdown() } }
        let notify = try NotifySocket(path: "\(root)/notify.sock")
        defer { notify.close() }

        let a = try Member(name: "head-a", root: root)
        let b = try Member(name: "head-b", root: root)
        defer { a.kill(); b.kill() }
        func configuration(_ member: Member) throws -> String {
            try Self.coordinatedConfiguration(member: member, bus: nodes.bus(0), router: "http://127.0.0.1:\(routerPort)", etcd: etcd.endpoints)
        }

        // a starts first and leads; b joins as a standby and follows it.
        try a.start(configuration: configuration(a), notify: notify)
        try await eventually("head-a to lead\n\(a.log)", timeout: .seconds(120)) { role(a) == "leader" }
        try b.start(configuration: configuration(b), notify: notify)
        try await eventually("head-b to stand by behind head-a\n\(b.log)", timeout: .seconds(120)) {
            role(b) == "standby" && (coordination(b)?["leader"] as? [String: Any])?["name"] as? String == "head-a"
        }
        let leaderGauges = (try await metric(a, "fulcrum_leader", client: client), try await metric(b, "fulcrum_leader", client: client))
        #expect(leaderGauges == (1, 0), "fulcrum_leader on head-a and head-b")

        // An override sent to the standby is refused with the leader's name; the leader takes it,
        // and the standby shows it from etcd.
        let refused = try fulcrumctl(["override", "counts", "--prefill", "2", "--decode", "3", "--reason", "ha"], socket: b.socket)
        #expect(refused.status != 0)
        #expect(refused.output.contains("is a standby; the leader is head-a"), "\(refused.output)")
        let accepted = try fulcrumctl(["override", "counts", "--prefill", "2", "--decode", "3", "--reason", "ha"], socket: a.socket)
        #expect(accepted.status == 0, "\(accepted.output)")
        try await eventually("2 prefill and 3 decode units under the leader's override\n\(a.log)", timeout: .seconds(180)) {
            let units = try activeUnits(nodes)
            return count(units, "prefill") == 2 && count(units, "decode") == 3
        }
        try await eventually("the standby to show the shared override", timeout: .seconds(30)) {
            (try? fulcrumctl(["status"], socket: b.socket).output.contains("Overrides: counts")) == true
        }
        let standbyStatus = try fulcrumctl(["status"], socket: b.socket).output
        #expect(standbyStatus.contains("Role: standby as head-b; leader head-a on "), "\(standbyStatus)")
        #expect(try fulcrumctl(["status"], socket: a.socket).output.contains("Role: leader as head-a (lease "))

        // Load through the router for the rest of the failover: 60 s of chat.
        var lines = ["arrival_s,input_tokens,output_tokens"]
        for step in 0..<1200 { lines.append(String(format: "%.3f,1000,100", Double(step) * 0.5)) }
        try (lines.joined(separator: "\n") + "\n").write(toFile: "\(root)/trace.csv", atomically: true, encoding: .utf8)
        let (load, loadLog) = try Self.startLoad(router: routerPort, trace: "\(root)/trace.csv", report: "\(root)/load.json")
        defer { if load.isRunning { load.terminate() } }

        // One etcd member lost: nobody notices.
        etcd.kill(0)
        let changesBefore = try await metric(b, "fulcrum_leader_changes_total", client: client)
        try await waitTicks(a, 6, client: client) // 1 s ticks: longer than the 5 s lease a leader that could not renew would lose
        #expect(role(a) == "leader")
        #expect(role(b) == "standby")
        #expect(try await metric(b, "fulcrum_leader_changes_total", client: client) == changesBefore)

        // The leader is killed under load: b takes over within the TTL and a tick, adopts the
        // running units and starts none of them again.
        let before = try invocations(nodes)
        let killed = ContinuousClock.now
        a.kill()
        try await eventually("head-b to take over\n\(b.log)", timeout: .seconds(60)) { role(b) == "leader" }
        let takeover = ContinuousClock.now - killed
        print("coordination e2e: takeover after leader SIGKILL took \(takeover) (lease TTL 5 s)")
        #expect(takeover < .seconds(30))
        try await waitTicks(b, 3, client: client)
        let afterTakeover = try invocations(nodes)
        #expect(afterTakeover == before, "a unit was started or stopped on takeover: \(before) → \(afterTakeover)\n\(b.log)")
        try await eventually("the load to finish", timeout: .seconds(180)) { !load.isRunning }
        let output = String(decoding: loadLog.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(root)/load.json"))) as? [String: Any]
        #expect(report?["failed"] as? Int == 0, "\(output)")
        #expect(report?["succeeded"] as? Int == 1200, "\(output)")

        // a comes back as a standby; b is paused past its lease, a takes over and shrinks the
        // fleet; b resumed must not issue a single job.
        try a.start(configuration: configuration(a), notify: notify)
        try await eventually("head-a to stand by behind head-b\n\(a.log)", timeout: .seconds(120)) { role(a) == "standby" }
        b.daemon?.signal(SIGSTOP)
        try await eventually("head-a to take over from the paused head-b\n\(a.log)", timeout: .seconds(60)) { role(a) == "leader" }
        let shrink = try fulcrumctl(["override", "counts", "--prefill", "1", "--decode", "2", "--reason", "ha"], socket: a.socket)
        #expect(shrink.status == 0, "\(shrink.output)")
        try await eventually("1 prefill and 2 decode units under head-a\n\(a.log)", timeout: .seconds(180)) {
            let units = try activeUnits(nodes)
            return count(units, "prefill") == 1 && count(units, "decode") == 2
        }
        let settled = try invocations(nodes)
        let pausedLog = b.log.count
        b.daemon?.signal(SIGCONT)
        try await eventually("the resumed head-b to find itself a standby\n\(b.log)", timeout: .seconds(60)) { role(b) == "standby" }
        try await waitTicks(b, 3, client: client)
        let afterResume = try invocations(nodes)
        #expect(afterResume == settled, "the resumed head-b changed a unit: \(settled) → \(afterResume)\n\(b.log)")
        let resumed = String(b.log.dropFirst(pausedLog))
        for job in ["started fulcrum-emu", "draining node0/", "drained and stopped", "cleared failed unit"] {
            #expect(!resumed.contains(job), "the resumed head-b issued a job (\(job))\n\(resumed)")
        }

        // etcd gone: the leader keeps its lease until the TTL, then acts on nothing and says so.
        etcd.kill(1)
        etcd.kill(2)
        let readyz = "http://127.0.0.1:\(a.metricsPort)/readyz"
        try await eventually("head-a's /readyz to report no etcd lease", timeout: .seconds(60)) {
            let response = try await client.execute(HTTPClientRequest(url: readyz), timeout: .seconds(10))
            let body = String(buffer: try await response.body.collect(upTo: 65536))
            return response.status.code == 503 && body.contains("no etcd lease")
        }
        #expect(try await metric(a, "fulcrum_leader", client: client) == 0)
        let unavailable = try fulcrumctl(["override", "counts", "--prefill", "3", "--decode", "3"], socket: a.socket)
        #expect(unavailable.status != 0)
        #expect(unavailable.output.contains("holds no etcd lease"), "\(unavailable.output)")
        try await waitTicks(a, 3, client: client)
        let leaseless = try invocations(nodes)
        #expect(leaseless == settled, "a unit changed while no daemon held a lease: \(settled) → \(leaseless)")

        // etcd back: one of them leads again.
        for member in 0..<3 { try etcd.startMember(member) }
        try await etcd.waitHealthy()
        try await eventually("a leader again once etcd is back", timeout: .seconds(120)) { role(a) == "leader" || role(b) == "leader" }
        let aExit = try await a.daemon?.stop()
        let bExit = try await b.daemon?.stop()
        #expect(aExit == 0)
        #expect(bExit == 0)
    }
}
