import AsyncHTTPClient
import Foundation
import FulcrumCore
import FulcrumTestSupport
import Testing

/// fulcrumd under real traffic: emulated router and workers, a load generator replaying a mix
/// that turns prefill-heavy, a named worker drained mid-load. Part of the serialized end-to-end
/// suite, so the two daemon scenarios never compete for the two cores.
extension DaemonEndToEndTests {
    static let repository = SystemdNodes.repository

    @Test("under load: prefill grows when prompts lengthen, and a worker drained mid-load loses no request")
    func mixShiftUnderLoad() async throws {
        let root = NSTemporaryDirectory() + "fulcrumd-load-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: "\(root)/units", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.writeProfiledUnits(into: "\(root)/units", prefillBase: 31400, decodeBase: 31500)
        let nodes = try SystemdNodes.start(count: 1, units: "\(root)/units")
        defer { nodes.stop() }

        let (router, routerPort) = try Self.startRouter()
        defer { router.terminate(); router.waitUntilExit() }

        // fulcrumd with the demo's configuration (time-scaled SLO, priors, SGLang-style router hook).
        let metricsPort = try freeLocalPort()
        let configuration = try Self.demoConfiguration(bus: nodes.bus(0), state: root, metricsPort: metricsPort,
                                                       router: "http://127.0.0.1:\(routerPort)", prefillBase: 31400, decodeBase: 31500)
        try configuration.write(toFile: "\(root)/fulcrum.yaml", atomically: true, encoding: .utf8)
        let notify = try NotifySocket(path: "\(root)/notify.sock")
        defer { notify.close() }
        let daemon = try DaemonEndToEndTests.Daemon(config: "\(root)/fulcrum.yaml", notify: notify.path, log: "\(root)/fulcrumd.log")
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
        try await eventually("READY=1\n\(daemon.output)", timeout: .seconds(90)) { notify.messages.contains("READY=1") }

        // 300 s of chat, then 300 s of long prompts, replayed 10x faster.
        var lines = ["arrival_s,input_tokens,output_tokens"]
        var time = 0.0
        while time < 600 {
            lines.append(String(format: "%.3f,%d,%d", time, time < 300 ? 1000 : 4000, time < 300 ? 100 : 30))
            time += 0.5
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: "\(root)/trace.csv", atomically: true, encoding: .utf8)
        let (load, loadLog) = try Self.startLoad(router: routerPort, trace: "\(root)/trace.csv", report: "\(root)/load.json")
        defer { if load.isRunning { load.terminate() } }

        func units(_ role: String) throws -> [String] {
            try nodes.systemctl(0, "list-units", "--state=active", "--plain", "--no-legend", "fulcrum-emu-\(role)@*")
                .output.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        }
        // The mix turns prefill-heavy at 30 s: prefill must grow beyond what chat needed.
        try await eventually("prefill to grow past 2 instances after the shift", timeout: .seconds(90)) { try units("prefill").count >= 3 }

        // Drain one decode worker by name while requests are in flight.
        let api = DaemonEndToEndTests.API(client: HTTPClient(eventLoopGroupProvider: .singleton), socket: "\(root)/control.sock")
        defer { Task { try? await api.client.shutdown() } }
        let victim = try #require(try units("decode").first)
        let encoded = "node0/\(victim)".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let response = try await api.call(.POST, "/v1/workers/\(encoded)/drain", #"{"reason":"under load"}"#)
        #expect(response.status == 200, "\(response.json)")
        try await eventually("the drained decode unit to stop", timeout: .seconds(150)) { !(try units("decode").contains(victim)) }

        try await eventually("the load to finish", timeout: .seconds(180)) { !load.isRunning }
        let output = String(decoding: loadLog.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(load.terminationStatus == 0, "\(output)")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(root)/load.json"))) as? [String: Any]
        #expect(report?["failed"] as? Int == 0, "\(output)")
        #expect(report?["succeeded"] as? Int == 1200, "\(output)")
        #expect(try await daemon.stop() == 0)
    }

    /// Emulated worker templates replaying the demo profile 10x faster, on the given port bases.
    static func writeProfiledUnits(into folder: String, prefillBase: Int, decodeBase: Int) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let profile = repository.appendingPathComponent("examples/demo/demo-profile.yaml").path
        for role in ["prefill", "decode"] {
            try """
            [Unit]
            Description=Emulated \(role) worker on GPUs %i
            [Service]
            Type=exec
            Environment=FULCRUM_PREFILL_BASE_PORT=\(prefillBase) FULCRUM_DECODE_BASE_PORT=\(decodeBase)
            ExecStartPre=\(SystemdNodes.unitEnv) \(role) %i %t/fulcrum-workers/%n.env
            EnvironmentFile=-%t/fulcrum-workers/%n.env
            ExecStart=\(build.path)/fulcrum-emu worker --role \(role) --listen 127.0.0.1:${FULCRUM_PORT} --engine vllm --profile \(profile) --time-scale 10
            KillSignal=SIGTERM
            TimeoutStopSec=60
            """.write(toFile: "\(folder)/fulcrum-emu-\(role)@.service", atomically: true, encoding: .utf8)
        }
    }

    /// The demo's configuration (examples/demo/fulcrum.yaml.in: time-scaled SLO, priors, the
    /// SGLang-style router hook) filled in for one test's node, folder, ports and router.
    static func demoConfiguration(bus: String, state: String, metricsPort: Int, router: String, prefillBase: Int, decodeBase: Int) throws -> String {
        try String(contentsOfFile: repository.appendingPathComponent("examples/demo/fulcrum.yaml.in").path, encoding: .utf8)
            .replacingOccurrences(of: "@BUS@", with: bus)
            .replacingOccurrences(of: "@STATE@", with: state)
            .replacingOccurrences(of: "@METRICS_PORT@", with: String(metricsPort))
            .replacingOccurrences(of: "@ROUTER@", with: router)
            .replacingOccurrences(of: "port_base: 32000", with: "port_base: \(prefillBase)")
            .replacingOccurrences(of: "port_base: 32100", with: "port_base: \(decodeBase)")
    }

    /// The emulated router on a free port; the caller terminates it.
    static func startRouter() throws -> (process: Process, port: Int) {
        let port = try freeLocalPort()
        let router = Process()
        router.executableURL = build.appendingPathComponent("fulcrum-emu")
        router.arguments = ["router", "--listen", "127.0.0.1:\(port)", "--worker-wait", "20"]
        router.standardOutput = FileHandle.nullDevice
        router.standardError = FileHandle.nullDevice
        try router.run()
        return (router, port)
    }

    /// `fulcrum-emu load` replaying `trace` 10x faster through the router; its output goes to
    /// the pipe, its JSON report to `report`.
    static func startLoad(router port: Int, trace: String, report: String) throws -> (process: Process, output: Pipe) {
        let load = Process()
        load.executableURL = build.appendingPathComponent("fulcrum-emu")
        load.arguments = ["load", "--target", "http://127.0.0.1:\(port)", "--trace", trace, "--speedup", "10", "--json", report]
        let output = Pipe()
        load.standardOutput = output
        load.standardError = output
        try load.run()
        return (load, output)
    }
}
