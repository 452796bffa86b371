import NIOSSL
import Foundation
import FulcrumCore
import FulcrumTelemetry
import FulcrumTestSupport
import Hummingbird
import Logging
import NIOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Real servers on loopback, never mocks: every test talks HTTP to a Hummingbird server that
// lives exactly as long as the test's closure (FulcrumTestSupport's withLoopbackServer).

struct TestServerError: Error, CustomStringConvertible {
    var description: String
}

/// The scrape HTTP client for `configuration`, shut down after `body`.
func withClient<R: Sendable>(
    _ configuration: ScraperConfiguration,
    tls: TLSConfiguration = .makeClientConfiguration(),
    _ body: (ScrapeHTTPClient) async throws -> R
) async throws -> R {
    let client = ScrapeHTTPClient(configuration: configuration, tls: tls)
    do {
        let result = try await body(client)
        await client.shutdown()
        return result
    } catch {
        await client.shutdown()
        throw error
    }
}

/// A loopback port nobody listens on: bind to port 0, read the port, close.
func unusedPort() throws -> Int {
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw TestServerError(description: "socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw TestServerError(description: "bind() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// gzip via the system's `gzip` (Debian marks it essential), so the test server sends real
/// deflate streams, bombs included, without a compression dependency.
func gzipped(_ bytes: [UInt8]) throws -> [UInt8] {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fulcrum-gzip-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("body")
    try Data(bytes).write(to: input)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "gzip -c -n -9 \"$0\" > \"$0.gz\"", input.path]
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw TestServerError(description: "gzip failed") }
    return [UInt8](try Data(contentsOf: input.appendingPathExtension("gz")))
}

/// Deterministic wall-clock: each call returns the next second, so `scrapedAt` values identify
/// the call that made them.
final class TickingClock: Sendable {
    private let next = Mutex(1000.0)

    var now: @Sendable () -> Timestamp {
        { self.next.withLock { value in
            value += 1
            return Timestamp(seconds: value)
        } }
    }
}

/// Counts requests in flight on the server and remembers the most seen at once.
final class InFlightGauge: Sendable {
    private let state = Mutex((current: 0, maximum: 0, total: 0))

    func enter() { state.withLock { $0.current += 1; $0.total += 1; $0.maximum = max($0.maximum, $0.current) } }
    func leave() { state.withLock { $0.current -= 1 } }
    var maximum: Int { state.withLock { $0.maximum } }
    var total: Int { state.withLock { $0.total } }
}

/// Things the server saw, for assertions after the round. Header names are lowercased.
final class RequestLog: Sendable {
    private let entries = Mutex<[(path: String, at: ContinuousClock.Instant, headers: [String: String])]>([])

    func record(_ request: Request) {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased(), default: ""] += field.value }
        let entry = (path: request.uri.path, at: ContinuousClock.now, headers: headers)
        entries.withLock { $0.append(entry) }
    }

    var all: [(path: String, at: ContinuousClock.Instant, headers: [String: String])] { entries.withLock { $0 } }
}

extension Response {
    static func exposition(_ text: String, contentType: String = "text/plain; version=0.0.4; charset=utf-8") -> Response {
        Response(
            status: .ok,
            headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }
}
