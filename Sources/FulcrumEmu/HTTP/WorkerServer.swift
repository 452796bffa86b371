import Foundation
import FulcrumCore
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// The HTTP face of an emulated worker: `POST /v1/completions`, `GET /metrics`, `GET /health`,
/// `GET /v1/models`.
public enum WorkerServer {
    /// The worker's services in start order: the HTTP server, then the engine. A service group
    /// shuts services down in reverse, so the engine drains before the server stops.
    public static func services<C: Clock>(
        configuration: WorkerConfiguration,
        engine: EmulatedEngine<C>,
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> [any Service] where C.Duration == Duration {
        let router = Router()
        let createdAt = Date().timeIntervalSince1970
        let model = configuration.model
        let role = configuration.role
        let flavor = configuration.flavor

        router.get("/health") { _, _ -> Response in
            Response(status: await engine.isAccepting ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ -> Response in
            let text = WorkerExposition.render(await engine.metrics, flavor: flavor, role: role, model: model, createdAt: createdAt)
            return Response(status: .ok, headers: [.contentType: WorkerExposition.contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/v1/models") { _, _ -> Response in
            let body = "{\"object\":\"list\",\"data\":[{\"id\":\(CompletionEncoding.jsonString(model)),\"object\":\"model\",\"created\":\(Int(createdAt)),\"owned_by\":\"fulcrum-emu\"}]}"
            return jsonResponse(.ok, body)
        }
        router.post("/v1/completions") { request, _ -> Response in
            try await complete(request, engine: engine, model: model)
        }

        let application = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.listen.host, port: configuration.listen.port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.listen.port) },
            logger: logger
        )
        return [application, EngineService(engine: engine)]
    }

    static func complete<C: Clock>(_ request: Request, engine: EmulatedEngine<C>, model: String) async throws -> Response where C.Duration == Duration {
        var request = request
        let body = try await request.collectBody(upTo: 64 << 20)
        let parsed: CompletionRequest
        do {
            parsed = try CompletionRequest.parse(Data(body.readableBytesView))
        } catch {
            return errorResponse(.badRequest, error.message, type: "BadRequestError")
        }
        let submission: EngineSubmission
        do {
            submission = try await engine.submit(promptTokens: parsed.promptTokens, maxTokens: parsed.maxTokens)
        } catch .draining {
            return errorResponse(.serviceUnavailable, EngineRejection.draining.description, type: "ServiceUnavailableError")
        } catch {
            return errorResponse(.badRequest, error.description, type: "BadRequestError")
        }
        let encoding = CompletionEncoding(requestID: submission.id, model: model, created: Int(Date().timeIntervalSince1970))
        guard parsed.stream else {
            var tokens = 0
            var reason = FinishReason.abort
            for await event in submission.events {
                if case .finished(let finish, let count) = event {
                    reason = finish
                    tokens = count
                }
            }
            return jsonResponse(.ok, encoding.completion(tokens: tokens, finishReason: reason, promptTokens: parsed.promptTokens))
        }
        let promptTokens = parsed.promptTokens
        let includeUsage = parsed.includeUsage
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                // A write that fails (client gone) ends the loop, which cancels the request.
                for await event in submission.events {
                    switch event {
                    case .token(_, _, let finishReason):
                        try await writer.write(ByteBuffer(string: encoding.tokenEvent(finishReason: finishReason)))
                    case .finished(let reason, let count):
                        guard reason != .abort else { return }
                        if includeUsage {
                            try await writer.write(ByteBuffer(string: encoding.usageEvent(promptTokens: promptTokens, completionTokens: count)))
                        }
                        try await writer.write(ByteBuffer(string: CompletionEncoding.doneEvent))
                    }
                }
                try await writer.finish(nil)
            }
        )
    }

    static func jsonResponse(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func errorResponse(_ status: HTTPResponse.Status, _ message: String, type: String) -> Response {
        jsonResponse(status, CompletionEncoding.error(message, type: type, code: status.code))
    }
}

extension WorkerServer {
    /// A worker on the real clock, as `fulcrum-emu worker` runs it, in a service group that
    /// shuts down gracefully on `signals`.
    public static func serviceGroup(
        configuration: WorkerConfiguration,
        signals: [UnixSignal] = [.sigterm, .sigint],
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> ServiceGroup {
        let engine = EmulatedEngine(role: configuration.role, profile: configuration.profile, timeScale: configuration.timeScale, clock: ContinuousClock())
        let services = self.services(configuration: configuration, engine: engine, logger: logger, onListening: onListening)
        return ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: signals, logger: logger))
    }
}
