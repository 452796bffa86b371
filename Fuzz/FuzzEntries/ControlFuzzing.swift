import Dispatch
import FulcrumConfiguration
import FulcrumCore
import FulcrumDaemon
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore

/// The control API's request handling, in process and without a socket: the input's first line
/// is `METHOD PATH[?QUERY]`, the rest is the body. Each input gets a fresh daemon state over an
/// in-memory fleet, so a finding reproduces from its input alone.
public func fuzzControlRequest(_ bytes: [UInt8]) {
    let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
    let requestLine = String(decoding: bytes[..<newline], as: UTF8.self).split(separator: " ", maxSplits: 1)
    let body = newline < bytes.endIndex ? Array(bytes[(newline + 1)...]) : []
    let method = requestLine.first.flatMap { HTTPRequest.Method(String($0)) } ?? .post
    let path = requestLine.count > 1 ? String(requestLine[1]) : "/"
    let done = DispatchSemaphore(value: 0)
    Task {
        let handler = ControlRequestHandler(core: ControlFuzzing.freshCore(), logger: ControlFuzzing.logger,
                                            now: { Timestamp(seconds: 1_000) }, reload: { _ in "reloaded" })
        var request = Request(head: HTTPRequest(method: method, scheme: nil, authority: nil, path: path),
                              body: .init(buffer: ByteBuffer(bytes: body)))
        let connection = ControlConnection(requester: Requester(uid: 0, gid: 0, pid: 1), isOpen: { true })
        _ = await handler.handle(request: &request, connection: connection)
        done.signal()
    }
    done.wait()
}

enum ControlFuzzing {
    static let logger = Logger(label: "fuzz.control") { _ in SwiftLogNoOpLogHandler() }

    static let configuration: DaemonConfiguration = {
        let yaml = """
        nodes: [{name: node0, gpus: [0, 1, 2, 3]}]
        workers:
          prefill: {template: llm-prefill@.service}
          decode: {template: llm-decode@.service}
        slo: {ttft: 2s, tpot: 50ms}
        """
        guard let configuration = try? DaemonConfiguration.parse(yaml: yaml, source: "fuzz.yaml") else {
            fatalError("the fuzz harness's own configuration no longer parses; update ControlFuzzing.configuration")
        }
        return configuration
    }()

    static func freshCore() -> DaemonCore {
        let worker = WorkerSnapshot(id: "node0/llm-decode@g1.service", role: .decode, node: "node0", gpus: [1], lifecycle: .ready,
                                    startedAt: Timestamp(seconds: 0))
        return DaemonCore(configuration: configuration, fleet: StaticFleet(workers: [worker]), telemetry: NoReadings())
    }
}

/// A fleet that never changes and whose actions always succeed.
private struct StaticFleet: WorkerFleet {
    let workers: [WorkerSnapshot]
    func observe() async -> FleetObservation {
        FleetObservation(nodes: [NodeSnapshot(name: "node0", gpus: [0, 1, 2, 3])], workers: workers)
    }
    func execute(_ actions: [ScalingAction]) async -> [ActionReport] { actions.map { ActionReport(action: $0, result: .done) } }
    func reconcile() async {}
}

private struct NoReadings: TelemetryProvider {
    func telemetry(for workers: [WorkerSnapshot]) async -> [WorkerID: WorkerTelemetry] { [:] }
    func frontend() async -> FrontendTelemetry? { nil }
}
