import Hummingbird
import Logging
import ServiceLifecycle

/// `/metrics` (Prometheus text format), `/healthz` (the process answers) and `/readyz`
/// (200 while the daemon can steer the fleet, 503 with the reason while it cannot) on TCP.
package enum MetricsServer {
    package static func application(
        metrics: DaemonMetrics,
        readinessProblem: @escaping @Sendable () async -> String?,
        host: String,
        port: Int,
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ -> Response in
            if let problem = await readinessProblem() {
                Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "not ready: \(problem)\n")))
            } else {
                Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
            }
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "fulcrumd"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
