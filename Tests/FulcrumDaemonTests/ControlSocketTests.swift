@testable import FulcrumConfiguration
import Foundation
import FulcrumControlAPI
import FulcrumCore
import FulcrumTestSupport
import InMemoryLogging
import Logging
import Testing
@testable import FulcrumDaemon
#if canImport(Glibc)
import Glibc
#endif

/// The control socket as abusive and careless clients use it: real Unix sockets, a real
/// HTTP/1.1 server, an in-memory fleet.
@Suite("Control socket integrity", .serialized)
struct ControlSocketTests {
    /// A running control server on a fresh socket, stopped by `stop()`.
    struct Server {
        let path: String
        let core: DaemonCore
        let metrics: DaemonMetrics
        let log: InMemoryLogHandler
        let task: Task<Void, any Error>

        static func start() async throws -> Server {
            let directory = FileManager.default.temporaryDirectory.appending(path: "fulcrum-control-\(UUID().uuidString.prefix(8))")
            let path = directory.appending(path: "control.sock").path
            let core = DaemonCore(configuration: try DaemonCoreTests.configuration(),
                                  fleet: RecordingFleet(nodes: DaemonCoreTests.nodes, workers: []), telemetry: NoTelemetry())
            let log = InMemoryLogHandler()
            var logger = Logger(label: "test.control") { _ in log }
            logger.logLevel = .debug
            let metrics = DaemonMetrics()
            let handler = ControlRequestHandler(core: core, logger: logger, metrics: metrics,
                                                now: { Timestamp(seconds: Date().timeIntervalSince1970) }, reload: { _ in "reloaded" })
            let server = ControlAPIServer(handler: handler, listener: .path(path, mode: 0o600, group: nil), logger: logger)
            let task = Task { try await server.run() }
            try await eventually("the control socket to accept connections") { (try? RawClient.connect(path)).map { close($0); return true } ?? false }
            return Server(path: path, core: core, metrics: metrics, log: log, task: task)
        }

        func stop() async {
            task.cancel()
            _ = await task.result
            try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
        }
    }

    /// A client written against the socket itself, so it can misbehave as real clients do.
    enum RawClient {
        static func connect(_ path: String) throws -> Int32 {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw POSIXError(.EMFILE) }
            let result = withUnixSocketAddress(path) { Glibc.connect(fd, $0, $1) }
            guard result == 0 else { close(fd); throw POSIXError(.ECONNREFUSED) }
            return fd
        }

        /// `exchangeBlocking` off Swift's cooperative pool.
        static func exchange(_ path: String, _ request: String, halfClose: Bool, timeout: Double = 60) async throws -> (reply: String, closedAfter: Double?) {
            try await onOwnThread { try exchangeBlocking(path, request, halfClose: halfClose, timeout: timeout) }
        }

        /// Sends `request`, optionally shuts down the sending side, and reads until the server
        /// closes or `timeout` passes. Returns what came back and how long the server took to close.
        static func exchangeBlocking(_ path: String, _ request: String, halfClose: Bool, timeout: Double) throws -> (reply: String, closedAfter: Double?) {
            let fd = try connect(path)
            defer { close(fd) }
            let bytes = Array(request.utf8)
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if halfClose { shutdown(fd, Int32(SHUT_WR)) }
            let started = Date()
            var reply: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while Date().timeIntervalSince(started) < timeout {
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, 500) > 0 else { continue }
                let count = recv(fd, &chunk, chunk.count, 0)
                if count <= 0 { return (String(decoding: reply, as: UTF8.self), Date().timeIntervalSince(started)) }
                reply.append(contentsOf: chunk[..<count])
            }
            return (String(decoding: reply, as: UTF8.self), nil)
        }
    }

    static func post(_ path: String, _ body: String) -> String {
        "POST \(path) HTTP/1.1\r\nHost: fulcrum\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test("an answer that cannot be written as JSON is a 500 saying so, never a 200")
    func unencodableAnswerIsA500() throws {
        let core = DaemonCore(configuration: try DaemonCoreTests.configuration(),
                              fleet: RecordingFleet(nodes: DaemonCoreTests.nodes, workers: []), telemetry: NoTelemetry())
        let handler = ControlRequestHandler(core: core, logger: Logger(label: "test.control"), now: { Timestamp(seconds: 0) }, reload: { _ in "" })
        let (status, body) = handler.encode(["waiting": Double.infinity])
        #expect(status == 500)
        let error = try JSONDecoder().decode(ErrorView.self, from: Data(body.readableBytesView))
        #expect(error.status == 500)
        #expect(error.schema == ControlSchema.version, "fulcrumctl must not read it as another version's answer")
        #expect(error.error.hasPrefix("fulcrumd could not write its answer as JSON"))
    }

    @Test("a client that half-closes after its request gets the answer, and the change is attributed to it")
    func halfClosedClient() async throws {
        let server = try await Server.start()
        let (reply, _) = try await RawClient.exchange(server.path, Self.post("/v1/overrides", #"{"kind":"counts","prefill":2,"decode":1}"#),
                                                halfClose: true)
        await server.stop()
        #expect(reply.hasPrefix("HTTP/1.1 200"), "\(reply)")
        #expect(await server.core.overrides.counts?.value == PerRole(prefill: 2, decode: 1))
        let entry = try #require(await server.core.audit.last)
        #expect(entry.action == "override counts prefill 2, decode 1")
        #expect(entry.requester == Requester(uid: Int(getuid()), gid: Int(getgid()), pid: Int(getpid())))
    }

    @Test("refusals are logged escaped, capped and rate-limited; the metric counts every one")
    func refusalLogging() async throws {
        let server = try await Server.start()
        // Closed at once, not by the server's 10 s idle timeout: under a loaded 2-core run
        // "at once" has taken up to 5.1 s, so the bound sits between the two.
        let atOnce = Double(ControlAPIServer.idleTimeout.nanoseconds) / 1e9 - 2
        let forged = "/v1/workers/node0%2Fx%0Afake%20line%20injected/drain"
        for _ in 0..<25 {
            let (reply, closedAfter) = try await RawClient.exchange(server.path, Self.post(forged, "{}"), halfClose: false)
            #expect(reply.hasPrefix("HTTP/1.1 404"))
            #expect((closedAfter ?? 99) < atOnce, "a refused connection is closed at once")
        }
        let long = "/v1/" + String(repeating: "a", count: 60_000)
        let (longReply, closedAfter) = try await RawClient.exchange(server.path, "GET \(long) HTTP/1.1\r\nHost: fulcrum\r\n\r\n", halfClose: false)
        await server.stop()
        #expect(longReply.hasPrefix("HTTP/1.1 4"), "\(longReply.prefix(200))")
        #expect((closedAfter ?? 99) < atOnce, "a refused connection is closed at once")

        let refusals = server.log.entries.filter { "\($0.message)" == "control request refused" }
        #expect(refusals.count == 10, "at most one burst of refusals is logged per minute")
        for entry in server.log.entries {
            let line = "\(entry.message) \(entry.metadata.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
            #expect(!line.contains("\n"), "a client's newline reached the log: \(line)")
            #expect(line.utf8.count < 2_000, "a log line of \(line.utf8.count) bytes")
        }
        #expect(refusals.first.map { "\($0.metadata["error"] ?? "")".contains("node0/x\\nfake line injected") } == true)
        let exposition = server.metrics.exposition()
        #expect(exposition.contains(#"fulcrum_control_requests_refused_total{status="404"} 26"#),
                "\(exposition.split(separator: "\n").filter { $0.contains("refused") })")
    }

    @Test("a request that promises more body than it sends is cut off, not left hanging")
    func stalledBody() async throws {
        let server = try await Server.start()
        let request = "POST /v1/pause HTTP/1.1\r\nHost: fulcrum\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        let (_, closedAfter) = try await RawClient.exchange(server.path, request, halfClose: false, timeout: 60)
        await server.stop()
        let seconds = try #require(closedAfter, "the server never closed a connection whose body stalled")
        #expect(seconds < 45)
        #expect(await server.core.overrides.pause == nil, "a half-sent request must not be applied")
    }
}
