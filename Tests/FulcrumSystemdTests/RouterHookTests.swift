import FulcrumTestSupport
import Foundation
import FulcrumCore
@testable import FulcrumSystemd
import Testing

/// Hooks against a real HTTP server (python3 http.server subclass) and a real executable.
@Suite(.serialized) struct RouterHookTests {
    let worker = WorkerEndpoint(
        id: "node0/llm-prefill@g0-3.service", role: .prefill, node: "node0", gpus: [0, 1, 2, 3],
        unit: "llm-prefill@g0-3.service", host: "127.0.0.1", port: 30000
    )

    @Test func sglangHookSpeaksTheGatewayWorkerAPI() async throws {
        try await withRecordingServer { base, requests in
            let hook = SGLangRouterHook(baseURL: base)
            try await hook.register(worker)
            try await hook.deregister(worker)
            let seen = try await requests(2)
            #expect(seen[0] == "POST /workers {\"url\":\"http://127.0.0.1:30000\",\"worker_type\":\"prefill\"}")
            #expect(seen[1] == "DELETE /workers/http%3A%2F%2F127.0.0.1%3A30000 ")
        }
    }

    @Test func webhookPostsTheWorkerDetails() async throws {
        try await withRecordingServer { base, requests in
            let hook = WebhookRouterHook(url: base.appendingPathComponent("hook"))
            try await hook.deregister(worker)
            let seen = try await requests(1)
            #expect(seen[0].hasPrefix("POST /hook {"))
            #expect(seen[0].contains("\"event\":\"deregister\""))
            #expect(seen[0].contains("\"gpus\":[0,1,2,3]"))
            #expect(seen[0].contains("\"url\":\"http:\\/\\/127.0.0.1:30000\"") || seen[0].contains("\"url\":\"http://127.0.0.1:30000\""))
        }
    }

    @Test func httpErrorsBecomeOneSentenceNamingTheWorker() async throws {
        try await withRecordingServer(status: 503) { base, _ in
            let error = await #expect(throws: ActuatorError.self) { try await SGLangRouterHook(baseURL: base).register(worker) }
            #expect(error?.code == .routerHook)
            #expect(error?.message.contains("node0/llm-prefill@g0-3.service") == true)
            #expect(error?.message.contains("503") == true)
        }
    }

    @Test func aRouterThatIsDownIsOneSentenceNamingTheWorkerAndTheFix() async throws {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        let hook = SGLangRouterHook(baseURL: URL(string: "http://127.0.0.1:1")!, timeout: .seconds(30))
        let started = ContinuousClock.now
        let error = await #expect(throws: ActuatorError.self) { try await hook.register(worker) }
        // Reported when refused, not after the call's whole timeout of retried connections.
        #expect(ContinuousClock.now - started < .seconds(15))
        #expect(error?.code == .routerHook)
        #expect(error?.message == "Registering node0/llm-prefill@g0-3.service with the SGLang router: POST http://127.0.0.1:1/workers "
            + "failed (Connection refused); check that the router is up and its URL is right.")
    }

    @Test func aRouterThatDoesNotAnswerIsGivenUpOnAtTheTimeout() async throws {
        try await withRecordingServer(answerAfterSeconds: 600) { base, requests in
            let hook = SGLangRouterHook(baseURL: base, timeout: .seconds(1))
            let started = ContinuousClock.now
            let error = await #expect(throws: ActuatorError.self) { try await hook.register(worker) }
            #expect(error?.message.contains("failed (no answer within 1.0 seconds); check that the router is up") == true, "\(String(describing: error))")
            // Generous bound for a loaded machine; the point is that it does not wait 600 s.
            #expect(ContinuousClock.now - started < .seconds(60))
            _ = try await requests(1)
        }
    }

    @Test func commandHookRunsWithoutAShell() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("hook-\(UUID().uuidString).log").path
        let script = try RouterScript.write(appendingTo: log)
        defer { try? FileManager.default.removeItem(atPath: script); try? FileManager.default.removeItem(atPath: log) }
        var tricky = worker
        tricky.node = "node0;touch /tmp/fulcrum-pwned"
        try await CommandRouterHook(executable: script).register(tricky)
        #expect(RouterScript.lines(log) == ["register node0/llm-prefill@g0-3.service prefill http://127.0.0.1:30000 node0;touch /tmp/fulcrum-pwned 0,1,2,3 llm-prefill@g0-3.service"])
        #expect(!FileManager.default.fileExists(atPath: "/tmp/fulcrum-pwned"))

        let error = await #expect(throws: ActuatorError.self) { try await CommandRouterHook(executable: "/bin/false").deregister(worker) }
        #expect(error?.message.contains("exited 1") == true)
    }

    /// Writes an executable script to a temporary file.
    private func script(_ body: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hook-\(UUID().uuidString).sh").path
        try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test func aHookThatHangsIsStoppedAtItsTimeout() async throws {
        let hook = try script("exec sleep 600")
        defer { try? FileManager.default.removeItem(atPath: hook) }
        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: ActuatorError.self) {
            try await CommandRouterHook(executable: hook, timeout: .milliseconds(500)).deregister(worker)
        }
        #expect(error?.message.contains("did not finish deregister") == true, "\(String(describing: error))")
        // Generous bound for a loaded machine; the point is that it does not wait 600 s.
        #expect(clock.now - started < .seconds(60))
    }

    @Test func aHookWritingMoreThanAPipeHoldsDoesNotBlock() async throws {
        // 1 MiB on stderr, then failure: the hook must finish and its first words be reported.
        let hook = try script("echo 'gateway said no' >&2; head -c 1048576 /dev/zero | tr '\\0' x >&2; exit 3")
        defer { try? FileManager.default.removeItem(atPath: hook) }
        let error = await #expect(throws: ActuatorError.self) {
            try await CommandRouterHook(executable: hook, timeout: .seconds(60)).register(worker)
        }
        #expect(error?.message.contains("exited 3") == true, "\(String(describing: error))")
        #expect(error?.message.contains("gateway said no") == true)
    }
}

/// Starts a python3 HTTP server on a free loopback port that answers every request with
/// `status` and appends "METHOD PATH BODY" lines to a file; kills it afterwards.
func withRecordingServer(
    status: Int = 200,
    answerAfterSeconds: Int = 0,
    _ body: (URL, (Int) async throws -> [String]) async throws -> Void
) async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("router-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let log = folder.appendingPathComponent("requests.log").path
    let portFile = folder.appendingPathComponent("port").path
    let server = """
    import http.server, sys, time
    class H(http.server.BaseHTTPRequestHandler):
        def handle_one(self):
            n = int(self.headers.get('Content-Length') or 0)
            body = self.rfile.read(n).decode() if n else ''
            with open(sys.argv[1], 'a') as f:
                f.write(f"{self.command} {self.path} {body}\\n")
            time.sleep(\(answerAfterSeconds))
            self.send_response(\(status)); self.send_header('Content-Length', '2'); self.end_headers(); self.wfile.write(b'ok')
        do_POST = do_DELETE = do_GET = handle_one
        def log_message(self, *a): pass
    s = http.server.HTTPServer(('127.0.0.1', 0), H)
    open(sys.argv[2], 'w').write(str(s.server_address[1]))
    s.serve_forever()
    """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    process.arguments = ["-c", server, log, portFile]
    try process.run()
    // SIGKILL: children of the test runner may inherit a mask that blocks SIGTERM.
    defer { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    var port = 0
    try await eventually("the test router to listen") {
        port = Int((try? String(contentsOfFile: portFile, encoding: .utf8)) ?? "") ?? 0
        return port > 0
    }
    let requests: (Int) async throws -> [String] = { count in
        var lines: [String] = []
        try await eventually("\(count) requests at the router") {
            lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
            return lines.count >= count
        }
        return lines
    }
    try await body(URL(string: "http://127.0.0.1:\(port)")!, requests)
}
