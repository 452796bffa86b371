import Foundation
import FulcrumCore
import Hummingbird
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Serves a `SyntheticFleet` on every port of the port scheme: one listener per port, all in
/// this process (each one is what a worker's own engine would serve on that port).
public enum FleetServer {
    /// Listens on `ports` (port → role) until cancelled; `ready` is called once all listen.
    public static func run(fleet: SyntheticFleet, ports: [Int: Role], host: String = "127.0.0.1",
                           ready: @escaping @Sendable () -> Void) async throws {
        raiseFileLimit(atLeast: ports.count + 256)
        var logger = Logger(label: "fulcrum-emu.fleet")
        logger.logLevel = .critical
        let start = ContinuousClock.now
        let (listening, continuation) = AsyncStream.makeStream(of: Void.self)
        try await withThrowingDiscardingTaskGroup { group in
            for (port, role) in ports {
                let router = Router()
                router.get("metrics") { _, _ -> Response in
                    let text = await fleet.scrape(port: port, role: role, at: (ContinuousClock.now - start).inSeconds)
                    return Response(status: .ok, headers: [.contentType: WorkerExposition.contentType],
                                    body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
                }
                let app = Application(router: router, configuration: .init(address: .hostname(host, port: port)),
                                      onServerRunning: { _ in continuation.yield() }, logger: logger)
                group.addTask {
                    do { try await app.runService() } catch { throw ListenFailure.wrapping(error, address: "\(host):\(port)") }
                }
            }
            group.addTask {
                var count = 0
                for await _ in listening {
                    count += 1
                    if count == ports.count { ready(); return }
                }
            }
        }
    }

    /// One descriptor per listener and per connection: the default soft limit (1,024) is not
    /// enough for a fleet.
    static func raiseFileLimit(atLeast needed: Int) {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = max(limit.rlim_cur, min(limit.rlim_max, rlim_t(needed * 2)))
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
