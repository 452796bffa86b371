import Hummingbird
import Logging
import NIOCore

/// Runs a Hummingbird server on 127.0.0.1 with an OS-chosen port while `body` runs, then
/// cancels it (which also cancels handlers still sleeping). Real servers on loopback, never
/// mocks: the scraper and `fulcrumctl probe` tests talk HTTP to one of these.
public func withLoopbackServer<R: Sendable>(
    _ configure: (Router<BasicRequestContext>) -> Void,
    _ body: (_ port: Int) async throws -> R
) async throws -> R {
    let router = Router()
    configure(router)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    var logger = Logger(label: "fulcrum-test-server")
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
            throw Failure("the test server did not report a port")
        }
        return try await body(port)
    }
}
