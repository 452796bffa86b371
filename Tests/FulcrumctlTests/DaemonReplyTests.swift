import Foundation
import FulcrumControlAPI
import FulcrumTestSupport
import Glibc
import Testing

/// How `fulcrumctl` reads what comes back on the control socket, in every form HTTP/1.1 allows
/// and in forms it does not: the binary, run as a user would, against a real Unix socket that
/// answers one connection with bytes the test chose.
@Suite("fulcrumctl reading the control socket's replies")
struct DaemonReplyTests {
    /// Accepts one connection on a fresh socket path, reads the request, writes `reply`, closes.
    final class OneShotResponder: @unchecked Sendable {
        let path = "/tmp/fulcrumctl-reply-\(UUID().uuidString.prefix(8)).sock"
        private let listener: Int32
        private let served = DispatchSemaphore(value: 0)
        private let lock = NSLock()
        private var receivedBytes: [UInt8] = []

        init(reply: [UInt8]) throws {
            listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            let listener = self.listener
            guard listener >= 0, withUnixSocketAddress(path, { bind(listener, $0, $1) }) == 0, listen(listener, 4) == 0 else {
                throw FulcrumctlRunner.RunnerError(description: "cannot listen on a test socket at \(path): errno \(errno)")
            }
            Thread.detachNewThread { [self] in
                defer { served.signal() }
                // Nobody connecting within a minute is a failure the test reports, not a hang.
                var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
                guard poll(&entry, 1, 60_000) == 1 else { return }
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                defer { close(connection) }
                let request = Self.readRequest(connection)
                lock.withLock { receivedBytes = request }
                _ = reply.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
        }

        /// The request as it arrived, once the reply has gone out.
        var request: String {
            served.wait()
            served.signal()
            return lock.withLock { String(decoding: receivedBytes, as: UTF8.self) }
        }

        /// Header, then as many body bytes as its Content-Length says.
        private static func readRequest(_ connection: Int32) -> [UInt8] {
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let text = String(decoding: bytes, as: UTF8.self)
                if let end = text.range(of: "\r\n\r\n") {
                    let length = text[..<end.lowerBound].split(separator: "\r\n")
                        .first { $0.lowercased().hasPrefix("content-length:") }
                        .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                    if text.utf8.count - text.utf8.distance(from: text.startIndex, to: end.upperBound) >= length { return bytes }
                }
                let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { return bytes }
                bytes += buffer[..<count]
            }
        }

        deinit {
            close(listener)
            unlink(path)
        }
    }

    static let refusal = #"{"schema":\#(ControlSchema.version),"error":"the test says no","status":409}"#

    static func reply(head: String, body: String) -> [UInt8] {
        Array((head + "\r\n\r\n" + body).utf8)
    }

    @Test("a reply with Content-Length, and the request fulcrumctl sent: method, encoded target, body and its length")
    func contentLengthReply() async throws {
        let responder = try OneShotResponder(reply: Self.reply(
            head: "HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nContent-Length: \(Self.refusal.utf8.count)", body: Self.refusal))
        let outcome = try await FulcrumctlRunner.run(["--socket", responder.path, "pause", "--reason", "disk swap"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr == "fulcrumctl: fulcrumd refused: the test says no\n")
        let request = responder.request
        #expect(request.hasPrefix("POST /v1/pause HTTP/1.1\r\n"), "request: \(request)")
        #expect(request.contains("\r\nConnection: close\r\n"))
        let body = try #require(request.components(separatedBy: "\r\n\r\n").last)
        #expect(request.contains("\r\nContent-Length: \(body.utf8.count)\r\n"))
        #expect(body.contains(#""reason":"disk swap""#), "body: \(body)")
    }

    @Test("a chunked reply (chunk extensions, a trailer) reads as the same JSON; a target with a space goes out encoded")
    func chunkedReply() async throws {
        let half = Self.refusal.utf8.count / 2
        let (first, second) = (String(Self.refusal.prefix(half)), String(Self.refusal.dropFirst(half)))
        let chunks = "\(String(first.utf8.count, radix: 16));note=x\r\n\(first)\r\n\(String(second.utf8.count, radix: 16))\r\n\(second)\r\n0\r\nX-Trailer: 1\r\n\r\n"
        let responder = try OneShotResponder(reply: Self.reply(head: "HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked", body: chunks))
        let outcome = try await FulcrumctlRunner.run(["--socket", responder.path, "override", "clear", "all of them"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr == "fulcrumctl: fulcrumd refused: the test says no\n")
        #expect(responder.request.hasPrefix("DELETE /v1/overrides?kind=all%20of%20them HTTP/1.1\r\n"), "request: \(responder.request)")
    }

    @Test("a reply without a length is read up to the close")
    func replyUpToTheClose() async throws {
        let responder = try OneShotResponder(reply: Self.reply(head: "HTTP/1.1 409 Conflict", body: Self.refusal))
        let outcome = try await FulcrumctlRunner.run(["--socket", responder.path, "resume"])
        #expect(outcome.stderr == "fulcrumctl: fulcrumd refused: the test says no\n")
        #expect(outcome.status == 1)
    }

    @Test("a connection closed before the whole body came: exit 75, and a change may have been made")
    func closedMidReply() async throws {
        let responder = try OneShotResponder(reply: Self.reply(head: "HTTP/1.1 200 OK\r\nContent-Length: 500", body: "{\"schema\":"))
        let outcome = try await FulcrumctlRunner.run(["--socket", responder.path, "reload"])
        #expect(outcome.status == 75)
        #expect(outcome.stderr == "fulcrumctl: fulcrumd closed the connection before answering POST /v1/reload, so a change may still have been made; check `fulcrumctl status` before retrying.\n")
    }

    @Test("something that is not HTTP on the socket: exit 1, asks whether it is fulcrumd's socket", arguments: [
        ("SSH-2.0-OpenSSH_9.2\r\n\r\n", "its reply does not start with an HTTP/1.1 status line"),
        ("HTTP/1.1 200 OK\r\nContent-Length: twelve\r\n\r\n", "its reply's Content-Length \"twelve\" is not a byte count"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "its chunked reply has a chunk size \"zz\" that is not hexadecimal"),
    ])
    func notHTTP(reply: String, what: String) async throws {
        let responder = try OneShotResponder(reply: Array(reply.utf8))
        let outcome = try await FulcrumctlRunner.run(["--socket", responder.path, "status"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr == "fulcrumctl: \(responder.path) did not answer GET /v1/status?max_workers=20 in HTTP (\(what)); is it fulcrumd's control socket?\n")
    }

    @Test("a socket path longer than a Unix socket address holds: exit 64 before connecting")
    func pathTooLong() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fulcrumctl-\(String(repeating: "d", count: 100))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("control.sock").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let outcome = try await FulcrumctlRunner.run(["--socket", path, "status"])
        #expect(outcome.status == 64)
        #expect(outcome.stderr == "fulcrumctl: \(path) is longer than a Unix socket path may be (107 bytes); give a shorter --socket.\n")
    }
}
