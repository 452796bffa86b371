import Foundation
import FulcrumCore
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// The router's HTTP face: `POST /v1/completions`, `GET /metrics`, `GET /health`, and SGLang
/// model gateway's admin API: `POST /workers`, `GET /workers`, `DELETE /workers/{url-encoded}`.
public enum RouterServer {
    /// The router's services in start order: its HTTP client, then the HTTP server.
    public static func services(
        configuration: RouterConfiguration,
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws(RequestError) -> (router: DisaggregatedRouter, services: [any Service]) {
        let client = HTTPClientService.makeClient()
        let router = DisaggregatedRouter(configuration: configuration, client: client)
        for worker in configuration.workers {
            do {
                try await router.registry.add(url: worker.url, role: worker.role)
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
        let routes = Router()
        routes.get("/health") { _, _ in Response(status: .ok) }
        routes.get("/metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: WorkerExposition.contentType], body: .init(byteBuffer: ByteBuffer(string: await router.metrics.render())))
        }
        routes.post("/v1/completions") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 64 << 20)
            return await router.complete(Data(body.readableBytesView))
        }
        routes.post("/workers") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            return await addWorker(Data(body.readableBytesView), registry: router.registry)
        }
        routes.get("/workers") { _, _ -> Response in
            let workers = await router.registry.list()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let list = (try? encoder.encode(workers)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
            return WorkerServer.jsonResponse(.ok, "{\"workers\":\(list),\"total\":\(workers.count)}")
        }
        routes.delete("/workers/**") { _, context -> Response in
            let raw = context.parameters.getCatchAll().joined(separator: "/")
            let url = raw.removingPercentEncoding ?? raw
            guard await router.registry.remove(url: url) else {
                return WorkerServer.errorResponse(.notFound, "worker \(url) is not registered; GET /workers lists the registered ones", type: "NotFoundError")
            }
            return WorkerServer.jsonResponse(.ok, "{\"status\":\"removed\",\"url\":\(CompletionEncoding.jsonString(url))}")
        }
        let application = Application(
            router: routes,
            configuration: .init(address: .hostname(configuration.listen.host, port: configuration.listen.port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.listen.port) },
            logger: logger
        )
        return (router, [HTTPClientService(client: client), application])
    }

    static func addWorker(_ body: Data, registry: WorkerRegistry) async -> Response {
        struct Body: Decodable {
            var url: String
            var workerType: String?
            enum CodingKeys: String, CodingKey {
                case url
                case workerType = "worker_type"
            }
        }
        guard let parsed = try? JSONDecoder().decode(Body.self, from: body) else {
            return WorkerServer.errorResponse(.badRequest, "the body is not {\"url\": ..., \"worker_type\": \"prefill\" or \"decode\"}; send that JSON", type: "BadRequestError")
        }
        guard let type = parsed.workerType, let role = Role(rawValue: type) else {
            return WorkerServer.errorResponse(.badRequest, "worker_type \"\(parsed.workerType ?? "")\" is not prefill or decode; this router is disaggregated, so give one of those", type: "BadRequestError")
        }
        do {
            let added = try await registry.add(url: parsed.url, role: role)
            let url = try WorkerRegistry.normalise(parsed.url)
            return WorkerServer.jsonResponse(added ? .created : .ok, "{\"status\":\"\(added ? "added" : "already registered")\",\"url\":\(CompletionEncoding.jsonString(url)),\"worker_type\":\"\(role)\"}")
        } catch {
            return WorkerServer.errorResponse(.badRequest, error.message, type: "BadRequestError")
        }
    }
}

extension RouterServer {
    /// The router as `fulcrum-emu router` runs it, shutting down gracefully on `signals`.
    public static func serviceGroup(
        configuration: RouterConfiguration,
        signals: [UnixSignal] = [.sigterm, .sigint],
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws(RequestError) -> ServiceGroup {
        let services = try await self.services(configuration: configuration, logger: logger, onListening: onListening).services
        return ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: signals, logger: logger))
    }
}
