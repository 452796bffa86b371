import FulcrumTestSupport
import Foundation

/// Worker templates written for a test: real units running real commands.
struct UnitFixture {
    enum Command {
        /// `python3 -m http.server` on the port the unit derives from its GPU set.
        case httpServer
        case sleep
        /// An ExecStart that cannot run.
        case missingBinary
        /// Sleeps; on SIGTERM takes 3 s more to exit, as an engine finishing its requests does.
        case slowToStop
    }

    var prefill: Command = .sleep
    var decode: Command = .sleep
    /// Prefill's base port; decode's is 100 above.
    var basePort = 30000
    var restartOnFailure = false
    /// Makes StopUnit of the decode template fail (systemd refuses a manual stop), until a
    /// drop-in lifts it.
    var decodeRefusesManualStop = false
    /// Seconds the decode template spends in ExecStartPre: its start job runs that long.
    var decodeStartDelay = 0

    func template(role: String, command: Command) -> String {
        let exec = switch command {
        case .httpServer: "/usr/bin/python3 -m http.server --bind 127.0.0.1 ${FULCRUM_PORT}"
        case .sleep: "/bin/sleep infinity"
        case .missingBinary: "/nonexistent/fulcrum-engine --port ${FULCRUM_PORT}"
        case .slowToStop: "/bin/sh -c 'trap \"sleep 3; exit 0\" TERM; while :; do sleep 1 & wait $!; done'"
        }
        return """
        [Unit]
        Description=Fulcrum test \(role) worker on GPUs %i
        RefuseManualStop=\(role == "decode" && decodeRefusesManualStop ? "yes" : "no")
        StartLimitIntervalSec=60
        StartLimitBurst=3

        [Service]
        Type=exec
        Environment=FULCRUM_PREFILL_BASE_PORT=\(basePort) FULCRUM_DECODE_BASE_PORT=\(basePort + 100)
        ExecStartPre=\(SystemdNodes.unitEnv) \(role) %i %t/fulcrum-workers/%n.env
        \(role == "decode" && decodeStartDelay > 0 ? "ExecStartPre=/bin/sleep \(decodeStartDelay)" : "")
        EnvironmentFile=-%t/fulcrum-workers/%n.env
        ExecStart=\(exec)
        KillSignal=SIGTERM
        TimeoutStopSec=20
        Restart=\(restartOnFailure ? "on-failure" : "no")
        RestartSec=1

        """
    }

    /// Writes both templates into a fresh folder and returns it.
    func write() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fulcrum-units-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try template(role: "prefill", command: prefill).write(to: folder.appendingPathComponent("llm-prefill@.service"), atomically: true, encoding: .utf8)
        try template(role: "decode", command: decode).write(to: folder.appendingPathComponent("llm-decode@.service"), atomically: true, encoding: .utf8)
        return folder.path
    }
}
