import AsyncHTTPClient
import Foundation
import FulcrumCore
import FulcrumTelemetry
import FulcrumTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// fulcrumd as users run it: the real binary, a real systemd user manager, real emulated
/// workers (fulcrum-emu) as template units, the control API over its Unix socket.
@Suite("fulcrumd end to end", .serialized)
struct DaemonEndToEndTests {
    static let build = SystemdNodes.repository.appendingPathComponent(".build/debug")

    /// The emulated worker templates, pointing at this checkout's binaries. Base ports 31200
    /// and 31300 keep them apart from the other suites' ports (tests run in parallel).
    static func writeUnits(into folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for role in ["prefill", "decode"] {
            let unit = """
            [Unit]
            Description=Emulated \(role) worker on GPUs %i
            StartLimitIntervalSec=60
            StartLimitBurst=3

            [Service]
            Type=exec
            Environment=FULCRUM_PREFILL_BASE_PORT=31200 FULCRUM_DECODE_BASE_PORT=31300
            ExecStartPre=\(SystemdNodes.unitEnv) \(role) %i %t/fulcrum-workers/%n.env
            EnvironmentFile=-%t/fulcrum-workers/%n.env
            ExecStart=\(build.path)/fulcrum-emu worker --role \(role) --listen 127.0.0.1:${FULCRUM_PORT} --engine vllm --time-scale 20
            KillSignal=SIGTERM
            TimeoutStopSec=60
            Restart=on-failure
            RestartSec=2
            """
            try unit.write(toFile: "\(folder)/fulcrum-emu-\(role)@.service", atomically: true, encoding: .utf8)
        }
    }

    static func configuration(bus: String, socket: String, metricsPort: Int) -> String {
        """
        nodes:
          - name: node0
            host: 127.0.0.1
            gpus: [0, 1, 2, 3, 4, 5, 6, 7]
            systemd: \(bus)
        workers:
          engine: vllm
          prefill: {template: fulcrum-emu-prefill@.service, gpus_per_instance: 1, port_base: 31200, drain_timeout: 30s}
          decode: {template: fulcrum-emu-decode@.service, gpus_per_instance: 1, port_base: 31300, drain_timeout: 30s}
        slo: {ttft: 2s, tpot: 50ms}
        intervals: {tick: 1s, scrape: 1s, scrape_timeout: 500ms}
        estimation: {startup_prior: 5s}
        stabilisation: {scale_down_window: 3s, flip_window: 2s, flip_cooldown: 5s, max_step_down: 4}
        control: {socket: \(socket), mode: "0660"}
        state_file: \((socket as NSString).deletingLastPathComponent)/state.json
        metrics: {listen: "127.0.0.1:\(metricsPort)"}
        """
    }

    final class Daemon: @unchecked Sendable {
        let process = Process()
        let log: String

        init(config: String, notify: String, log: String, environment extra: [String: String] = [:]) throws {
            self.log = log
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = build.appendingPathComponent("fulcrumd")
            process.arguments = ["--config", config]
            // An empty value in `extra` removes the variable.
            process.environment = ProcessInfo.processInfo.environment.merging(["NOTIFY_SOCKET": notify]) { $1 }
                .merging(extra) { $1 }.filter { !$0.value.isEmpty }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        func signal(_ number: Int32) { kill(process.processIdentifier, number) }

        func stop() async throws -> Int32 {
            signal(SIGTERM)
            try await eventually("fulcrumd to exit after SIGTERM", timeout: .seconds(180)) { !process.isRunning }
            return process.terminationStatus
        }

        var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
    }

    struct API {
        let client: HTTPClient
        let socket: String

        func call(_ method: HTTPMethod, _ path: String, _ body: String? = nil) async throws -> (status: UInt, json: [String: Any]) {
            guard let url = URL(httpURLWithSocketPath: socket, uri: path) else { throw Failure("bad socket URL for \(socket)") }
            var request = HTTPClientRequest(url: url.absoluteString)
            request.method = method
            if let body { request.body = .bytes(ByteBuffer(string: body)) }
            let response = try await client.execute(request, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 4 << 20)
            let object = try JSONSerialization.jsonObject(with: Data(buffer: bytes))
            return (response.status.code, object as? [String: Any] ?? ["array": object])
        }
    }

    func fulcrumctl(_ arguments: [String], socket: String) throws -> (status: Int32, output: String) {
        try SystemdNodes.run(Self.build.appendingPathComponent("fulcrumctl").path, arguments + ["--socket", socket])
    }

    func activeUnits(_ nodes: SystemdNodes) throws -> [String] {
        try nodes.systemctl(0, "list-units", "--state=active", "--plain", "--no-legend", "fulcrum-emu-*")
            .output.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }.sorted()
    }

    func unitStatus(_ nodes: SystemdNodes, _ unit: String) -> String {
        (try? nodes.systemctl(0, "status", "--no-pager", "-n", "30", unit).output) ?? "(no status of \(unit))"
    }

    func count(_ units: [String], _ role: String) -> Int { units.filter { $0.hasPrefix("fulcrum-emu-\(role)@") }.count }

    @Test("reaches READY, obeys overrides and pause, drains a named worker, survives a bad reload, adopts its workers after a restart")
    func lifecycle() async throws {
        let root = NSTemporaryDirectory() + "fulcrumd-e2e-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.writeUnits(into: "\(root)/units")
        let nodes = try SystemdNodes.start(count: 1, units: "\(root)/units")
        defer { nodes.stop() }
        let notify = try NotifySocket(path: "\(root)/notify.sock")
        defer { notify.close() }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { Task { try? await client.shutdown() } }
        let socket = "\(root)/control.sock"
        let config = "\(root)/fulcrum.yaml"
        let metricsPort = try freeLocalPort()
        // `systemd: user` with the manager's XDG_RUNTIME_DIR, as an ordinary user runs the demo
        // against their own `systemctl --user` (sd_bus_open_user, not an explicit address).
        let good = Self.configuration(bus: "user", socket: socket, metricsPort: metricsPort)
        let userManager = ["XDG_RUNTIME_DIR": nodes.runtimeDirectory(0), "DBUS_SESSION_BUS_ADDRESS": ""]
        try good.write(toFile: config, atomically: true, encoding: .utf8)
        let api = API(client: client, socket: socket)

        var daemon = try Daemon(config: config, notify: notify.path, log: "\(root)/fulcrumd.log", environment: userManager)
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }

        // READY=1 only after the sockets are bound and the first reconciliation is done.
        try await eventually("READY=1 from fulcrumd\n\(daemon.output)", timeout: .seconds(240)) { notify.messages.contains("READY=1") }
        #expect(FileManager.default.fileExists(atPath: socket))
        try await eventually("the minimum workers to run", timeout: .seconds(120)) { try activeUnits(nodes).count == 2 }

        // Metrics parse with the project's own parser.
        let metricsURL = "http://127.0.0.1:\(metricsPort)/metrics"
        let exposition = try await client.execute(HTTPClientRequest(url: metricsURL), timeout: .seconds(10)).body.collect(upTo: 4 << 20)
        let parsed = try ExpositionParser.parse(String(buffer: exposition))
        #expect(parsed.family(named: "fulcrum_workers") != nil)
        #expect(parsed.family(named: "fulcrum_desired_instances") != nil)

        // fulcrumctl, as an operator runs it.
        // (The daemon reports what its last tick observed, so wait for a tick after the starts.)
        try await eventually("fulcrumctl status to list both workers", timeout: .seconds(120)) {
            let status = try fulcrumctl(["status"], socket: socket)
            return status.status == 0 && status.output.contains("Split: prefill 1 → 1, decode 1 → 1") && status.output.contains("2 worker(s) listed.")
        }
        let workers = try fulcrumctl(["workers"], socket: socket)
        #expect(workers.status == 0)
        #expect(workers.output.hasPrefix("WORKER"))
        #expect(workers.output.contains("node0/fulcrum-emu-prefill@g"))
        // A client outside the socket's group is refused by the socket's permissions.
        let outsider = try SystemdNodes.run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups",
                                                                  Self.build.appendingPathComponent("fulcrumctl").path, "status", "--socket", socket])
        #expect(outsider.status == 77, "\(outsider.output)")
        #expect(outsider.output.contains("permission denied"))

        // A ratio override holds 1:3 until its TTL expires, then the controller takes over again.
        let ratio = try fulcrumctl(["override", "ratio", "1:3", "--ttl", "12s", "--reason", "e2e"], socket: socket)
        #expect(ratio.status == 0, "\(ratio.output)")
        try await eventually("1 prefill and 3 decode units under the ratio", timeout: .seconds(180)) {
            let units = try activeUnits(nodes)
            return count(units, "prefill") == 1 && count(units, "decode") == 3
        }
        try await eventually("the ratio to expire and the cluster to return to 1 + 1", timeout: .seconds(240)) { try activeUnits(nodes).count == 2 }
        let explain = try fulcrumctl(["explain", "--json"], socket: socket)
        #expect(explain.status == 0)

        // Fixed counts.
        var response = try await api.call(.POST, "/v1/overrides", #"{"kind":"counts","prefill":2,"decode":3,"reason":"e2e"}"#)
        #expect(response.status == 200)
        try await eventually("2 prefill and 3 decode units", timeout: .seconds(180)) {
            let units = try activeUnits(nodes)
            return count(units, "prefill") == 2 && count(units, "decode") == 3
        }

        // Pause holds everything even when the override asks for less.
        response = try await api.call(.POST, "/v1/pause", #"{"reason":"maintenance"}"#)
        #expect(response.status == 200)
        response = try await api.call(.POST, "/v1/overrides", #"{"kind":"counts","prefill":1,"decode":1}"#)
        #expect(response.status == 200)
        // Three paused decisions in a row, none with an action: the daemon holds. (The units are
        // checked through the daemon's own decisions, not a single systemctl look, which a
        // worker restarting for reasons of its own would make flaky.)
        func pausedDecisions() async throws -> [[String: Any]] {
            let decisions = try await api.call(.GET, "/v1/status").json["last_decisions"] as? [[String: Any]] ?? []
            return Array(decisions.suffix(3)).filter { ($0["reasons"] as? [String])?.contains { $0.hasPrefix("override_paused") } == true }
        }
        try await eventually("three decisions that report the pause", timeout: .seconds(120)) { try await pausedDecisions().count == 3 }
        let paused = try await pausedDecisions()
        #expect(paused.allSatisfy { ($0["actions"] as? [Any])?.isEmpty == true }, "\(paused)")
        try await eventually("the 2 + 3 units held under the pause (\((try? activeUnits(nodes)) ?? []))", timeout: .seconds(120)) {
            let units = try activeUnits(nodes)
            return count(units, "prefill") == 2 && count(units, "decode") == 3
        }
        response = try await api.call(.POST, "/v1/resume")
        #expect(response.status == 200)
        try await eventually("the cluster to shrink to 1 + 1 after resume", timeout: .seconds(240)) { try activeUnits(nodes).count == 2 }

        // Malformed requests are refused and change nothing.
        response = try await api.call(.POST, "/v1/overrides", #"{"kind":"counts","prefill":"many"}"#)
        #expect(response.status == 400)
        #expect((response.json["error"] as? String)?.contains("prefill") == true)
        response = try await api.call(.POST, "/v1/workers/node0%2Fsshd.service/drain")
        #expect(response.status == 404)

        // Drain one named worker: its unit stops, and the audit names it.
        let decodeUnit = try #require(try activeUnits(nodes).first { $0.hasPrefix("fulcrum-emu-decode@") })
        let encoded = "node0/\(decodeUnit)".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        response = try await api.call(.POST, "/v1/workers/\(encoded)/drain", #"{"reason":"e2e drain"}"#)
        #expect(response.status == 200, "\(response.json)")
        let drainResponse = response.json
        #expect((drainResponse["outcome"] as? [String: Any])?["result"] as? String == "done", "\(drainResponse)")
        // The drain waits at most its 30 s drain_timeout for the worker to go idle, then stops
        // it; the deadline is generous for a loaded machine. A slow drain prints its story.
        let drainStarted = ContinuousClock.now
        try await eventually("the drained unit to stop; drain response \(drainResponse)\n\(daemon.output)\n\(unitStatus(nodes, decodeUnit))",
                             timeout: .seconds(240)) {
            !(try activeUnits(nodes).contains(decodeUnit))
        }
        let drainSeconds = (ContinuousClock.now - drainStarted).inSeconds
        print("e2e: hand drain of \(decodeUnit) took \(drainSeconds) s")
        if drainSeconds > 45 { print("e2e: slow drain\n\(daemon.output)\n\(unitStatus(nodes, decodeUnit))") }
        let audit = try await api.call(.GET, "/v1/status").json["audit"] as? [[String: Any]] ?? []
        #expect(audit.contains { ($0["action"] as? String) == "drain node0/\(decodeUnit)" && $0["requester"] != nil })

        // A bad configuration on SIGHUP is rejected; the daemon keeps running on the old one.
        try "nodes: [\n  broken".write(toFile: config, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        try await eventually("the failed reload to be counted", timeout: .seconds(120)) {
            let text = try await client.execute(HTTPClientRequest(url: metricsURL), timeout: .seconds(10)).body.collect(upTo: 4 << 20)
            return String(buffer: text).contains(#"fulcrum_config_reloads_total{result="failure"} 1"#)
        }
        #expect(try await api.call(.GET, "/v1/status").status == 200)
        // A valid file whose metrics address moved: the rest applies, the address waits for a
        // restart and the answer says so (the old listener keeps serving).
        try good.replacingOccurrences(of: "127.0.0.1:\(metricsPort)", with: "127.0.0.1:\(metricsPort + 1)").write(toFile: config, atomically: true, encoding: .utf8)
        response = try await api.call(.POST, "/v1/reload")
        #expect(response.status == 200)
        #expect((response.json["change"] as? String)?.hasSuffix("; changes to metrics take effect only after a restart (systemctl restart fulcrumd; workers keep running and are adopted)") == true, "\(response.json)")
        #expect(try await client.execute(HTTPClientRequest(url: metricsURL), timeout: .seconds(10)).status == .ok)
        try good.write(toFile: config, atomically: true, encoding: .utf8)
        response = try await api.call(.POST, "/v1/reload")
        #expect(response.status == 200)
        #expect(response.json["change"] as? String == "reloaded \(config)")

        // SIGTERM leaves the workers running; a new daemon adopts them and starts nothing new.
        try await eventually("1 + 1 workers before the restart", timeout: .seconds(180)) { try activeUnits(nodes).count == 2 }
        let before = try activeUnits(nodes)
        let pids = try before.map { try nodes.property(0, $0, "MainPID") }
        // Nor is the fleet taken over at the first tick (a restart in a burst would otherwise
        // hold the burst's fleet as the floor).
        let takenOver = try #require(try await api.call(.GET, "/v1/status").json["fleet_taken_over"] as? [String: Int])
        // An operator's pause is not lost with the process.
        response = try await api.call(.POST, "/v1/pause", #"{"reason":"across the restart"}"#)
        #expect(response.status == 200)
        #expect(try await daemon.stop() == 0)
        #expect(try activeUnits(nodes) == before)
        daemon = try Daemon(config: config, notify: notify.path, log: "\(root)/fulcrumd-2.log", environment: userManager)
        let readyCount = notify.messages.filter { $0 == "READY=1" }.count
        try await eventually("READY=1 from the restarted fulcrumd", timeout: .seconds(240)) {
            notify.messages.filter { $0 == "READY=1" }.count > readyCount
        }
        for _ in 0..<3 {
            let status = try await api.call(.GET, "/v1/status").json
            #expect((status["workers"] as? [[String: Any]])?.count == 2)
        }
        #expect(try activeUnits(nodes) == before)
        #expect(try before.map { try nodes.property(0, $0, "MainPID") } == pids)
        let restored = try await api.call(.GET, "/v1/status").json
        let restoredOverrides = try #require(restored["overrides"] as? [String: Any], "\(restored)")
        #expect(restoredOverrides["pause"] != nil, "\(restoredOverrides)")
        let restoredAudit = restored["audit"] as? [[String: Any]] ?? []
        #expect(restoredAudit.contains { ($0["action"] as? String) == "drain node0/\(decodeUnit)" })
        #expect(restored["fleet_taken_over"] as? [String: Int] == takenOver)
        #expect(takenOver != ["prefill": 1, "decode": 1], "the restarted daemon found 1 + 1; \(takenOver) must be its predecessor's")
        // Forgotten by hand (fulcrumctl take-over), the next tick takes over the 1 + 1 running.
        let takeOver = try fulcrumctl(["take-over", "--reason", "resized by hand"], socket: socket)
        #expect(takeOver.status == 0, "\(takeOver.output)")
        #expect(takeOver.output.hasPrefix("take over the running fleet at the next tick (was prefill \(takenOver["prefill"] ?? -1)"), "\(takeOver.output)")
        try await eventually("fulcrumctl status to show the running 1 + 1 taken over", timeout: .seconds(120)) {
            try fulcrumctl(["status"], socket: socket).output.contains(" Taken over: prefill 1, decode 1\n")
        }
        #expect(try await daemon.stop() == 0)
    }

    @Test("manages a node through systemd's own ssh transport, as configured with systemd: ssh:user@host")
    func sshTransport() async throws {
        let root = NSTemporaryDirectory() + "fulcrumd-ssh-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.writeUnits(into: "\(root)/units")
        let nodes = try SystemdNodes.start(count: 1, units: "\(root)/units")
        defer { nodes.stop() }
        let ssh = try SSHServer.start(buses: [nodes.bus(0)])
        defer { ssh.stop() }
        let notify = try NotifySocket(path: "\(root)/notify.sock")
        defer { notify.close() }
        let socket = "\(root)/control.sock"
        let config = "\(root)/fulcrum.yaml"
        let metricsPort = try freeLocalPort()
        try Self.configuration(bus: "ssh:\(try ssh.host(0))", socket: socket, metricsPort: metricsPort)
            .write(toFile: config, atomically: true, encoding: .utf8)

        let daemon = try Daemon(config: config, notify: notify.path, log: "\(root)/fulcrumd.log", environment: try ssh.clientEnvironment())
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
        try await eventually("READY=1 from fulcrumd over ssh\n\(daemon.output)", timeout: .seconds(240)) { notify.messages.contains("READY=1") }
        // The floor of one worker per role is started on the remote manager, through the bridge.
        try await eventually("the minimum workers to run on the ssh node\n\(daemon.output)", timeout: .seconds(180)) { try activeUnits(nodes).count == 2 }

        // Job completion and unit state arrive as signals through ssh too: a counts override
        // is carried out and reported done.
        let counts = try fulcrumctl(["override", "counts", "--prefill", "2", "--decode", "1"], socket: socket)
        #expect(counts.status == 0, "\(counts.output)")
        try await eventually("2 prefill and 1 decode units over ssh", timeout: .seconds(180)) {
            let units = try activeUnits(nodes)
            return count(units, "prefill") == 2 && count(units, "decode") == 1
        }
        try await eventually("fulcrumctl workers to show three ready workers on node0", timeout: .seconds(120)) {
            let workers = try fulcrumctl(["workers"], socket: socket)
            return workers.status == 0 && workers.output.components(separatedBy: "\n").filter { $0.hasPrefix("node0/") && $0.contains(" ready ") }.count == 3
        }

        // A crash on the remote node is noticed through the bridge's signals and counted.
        let victim = try #require(try activeUnits(nodes).first { $0.hasPrefix("fulcrum-emu-decode@") })
        let pid = try nodes.property(0, victim, "MainPID")
        #expect(kill(pid_t(pid) ?? 0, SIGKILL) == 0)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { Task { try? await client.shutdown() } }
        try await eventually("fulcrum_worker_failures_total to count the crash", timeout: .seconds(180)) {
            let body = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(metricsPort)/metrics"), timeout: .seconds(10)).body.collect(upTo: 4 << 20)
            let failures = try ExpositionParser.parse(String(buffer: body)).family(named: "fulcrum_worker_failures_total")?.samples.first?.value
            return (failures ?? 0) >= 1
        }

        // With the node's only way in gone, /readyz says the daemon cannot steer anything.
        let readyz = "http://127.0.0.1:\(metricsPort)/readyz"
        #expect(try await client.execute(HTTPClientRequest(url: readyz), timeout: .seconds(10)).status == .ok)
        ssh.stop()
        try await eventually("/readyz to report the unreachable node", timeout: .seconds(180)) {
            let response = try await client.execute(HTTPClientRequest(url: readyz), timeout: .seconds(10))
            let body = String(buffer: try await response.body.collect(upTo: 1 << 16))
            return response.status == .serviceUnavailable && body.contains("no node's systemd is reachable (node0)")
        }

        #expect(try await daemon.stop() == 0)
        // Workers outlive the controller.
        #expect(try activeUnits(nodes).count >= 2)
    }
}

