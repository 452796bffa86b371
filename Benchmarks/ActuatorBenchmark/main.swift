// Start and stop N template units (default 100) on a private systemd user manager, once
// through the actuator (jobs pipelined on one connection) and once with `systemctl --user
// start`/`stop` one unit at a time, in the same run. Prints both and the ratio.
//
//   swift run -c release ActuatorBenchmark [units]      (root: it starts its own manager)

import Foundation
import FulcrumCore
import FulcrumSystemd
import Logging

let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 100
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let script = repository.appendingPathComponent("scripts/with-systemd-user").path

@discardableResult
func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do { try process.run() } catch { return (-1, "\(error)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

let units = FileManager.default.temporaryDirectory.appendingPathComponent("fulcrum-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: units, withIntermediateDirectories: true)
let template = "[Service]\nType=exec\nExecStart=/bin/sleep infinity\nKillSignal=SIGTERM\n"
try template.write(to: units.appendingPathComponent("llm-prefill@.service"), atomically: true, encoding: .utf8)
try template.write(to: units.appendingPathComponent("llm-decode@.service"), atomically: true, encoding: .utf8)

let (status, output) = run(script, ["--start", "--nodes", "1", "--units", units.path])
guard status == 0 else { print("could not start a systemd user manager: \(output)"); exit(1) }
var environment: [String: String] = [:]
for line in output.split(separator: "\n") {
    if let equals = line.firstIndex(of: "=") { environment[String(line[..<equals])] = String(line[line.index(after: equals)...]) }
}
let state = environment["FULCRUM_SYSTEMD_STATE"] ?? ""
defer {
    run(script, ["--stop", state])
    try? FileManager.default.removeItem(at: units)
}
let runtime = environment["FULCRUM_NODE0_RUNTIME_DIR"] ?? ""

let clock = ContinuousClock()
var logger = Logger(label: "bench")
logger.logLevel = .warning
let configuration = ActuatorConfiguration(
    nodes: [NodeConfiguration(name: "node0", gpus: Array(0..<count), endpoint: .address(environment["FULCRUM_NODE0_BUS"] ?? ""))],
    ports: PortScheme(prefillBase: 20000, decodeBase: 20000 + count + 1),
    maxStartsPerTick: count,
    maxDrainsPerTick: count
)
let actuator = try SystemdActuator(configuration: configuration, logger: logger)
await actuator.start()

let actuatorStart = clock.now
let started = await actuator.execute((0..<count).map { .start(role: .prefill, node: "node0", gpus: [$0]) })
let startTime = clock.now - actuatorStart
let startedOK = started.filter { if case .done = $0.outcome { true } else { false } }.count
let drainStart = clock.now
_ = await actuator.execute(await actuator.observe().workers.map { .drain(worker: $0.id) })
while await !actuator.observe().workers.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
let stopTime = clock.now - drainStart
await actuator.shutdown()
let actuatorTotal = startTime + stopTime

let systemctlStart = clock.now
for gpu in 0..<count { run("/usr/bin/systemctl", ["--user", "start", "llm-decode@g\(gpu).service"], environment: ["XDG_RUNTIME_DIR": runtime]) }
let systemctlStartTime = clock.now - systemctlStart
let systemctlStop = clock.now
for gpu in 0..<count { run("/usr/bin/systemctl", ["--user", "stop", "llm-decode@g\(gpu).service"], environment: ["XDG_RUNTIME_DIR": runtime]) }
let systemctlStopTime = clock.now - systemctlStop
let systemctlTotal = systemctlStartTime + systemctlStopTime

func ms(_ duration: Duration) -> String { String(format: "%.0f ms", duration.seconds * 1000) }
extension Duration { var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 } }
print("units: \(count) (\(startedOK) started by the actuator)")
print("actuator  (pipelined): start \(ms(startTime)), stop \(ms(stopTime)), total \(ms(actuatorTotal))")
print("systemctl (one by one): start \(ms(systemctlStartTime)), stop \(ms(systemctlStopTime)), total \(ms(systemctlTotal))")
print(String(format: "ratio: %.1fx", systemctlTotal.seconds / actuatorTotal.seconds))
