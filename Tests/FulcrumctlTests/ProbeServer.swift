import Foundation
import Hummingbird
import Logging
import NIOCore

/// A Hummingbird server on 127.0.0.1 (OS-chosen port) for the live `probe` tests; cancelled
/// when `body` returns.
func withProbeServer<R: Sendable>(
    _ configure: (Router<BasicRequestContext>) -> Void,
    _ body: (_ port: Int) async throws -> R
) async throws -> R {
    let router = Router()
    configure(router)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    var logger = Logger(label: "fulcrumctl-test-server")
    logger.logLevel = .critical
    let app = Application(
        router: router,
        configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            continuation.yield(channel.localAddress?.port ?? 0)
            continuation.finish()
        },
        logger: logger
    )
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.run() }
        defer { group.cancelAll() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            throw FulcrumctlRunner.RunnerError(description: "the test server did not report a port")
        }
        return try await body(port)
    }
}

/// gzip via the system's `gzip` (Debian marks it essential), so the server sends a real
/// deflate stream without a compression dependency.
func gzipped(_ text: String) throws -> [UInt8] {
    let path = try FulcrumctlRunner.fixtureFile(text, name: "body")
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
    defer { try? FileManager.default.removeItem(at: directory) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "gzip -c -n \"$0\" > \"$0.gz\"", path]
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw FulcrumctlRunner.RunnerError(description: "gzip failed") }
    return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path + ".gz")))
}
