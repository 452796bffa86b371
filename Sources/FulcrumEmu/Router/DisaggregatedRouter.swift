import AsyncHTTPClient
import Foundation
import FulcrumCore
import Hummingbird
import Synchronization

/// The disaggregated front end: each completion goes to a prefill worker (`max_tokens` 1, not
/// streamed), then to a decode worker (streamed), whose tokens are passed to the client as they
/// come. Workers are chosen by least outstanding work.
public final class DisaggregatedRouter: Sendable {
    public let registry: WorkerRegistry
    public let metrics: FrontendMetrics
    private let upstream: UpstreamCall
    private let model: String
    private let requestIDs = Atomic<UInt64>(0)

    public init(configuration: RouterConfiguration, client: HTTPClient) {
        registry = WorkerRegistry()
        metrics = FrontendMetrics(model: configuration.model)
        upstream = UpstreamCall(client: client, registry: registry, metrics: metrics, workerWait: configuration.workerWait, maxAttempts: configuration.maxAttempts)
        model = configuration.model
    }

    /// Answers one `POST /v1/completions` body.
    public func complete(_ body: Data) async -> Response {
        let arrival = ContinuousClock.now
        let parsed: CompletionRequest
        do {
            parsed = try CompletionRequest.parse(body)
        } catch {
            await metrics.arrived(inputTokens: 0)
            await metrics.finished(stream: false, success: false, outputTokens: 0, seconds: arrival.secondsSince)
            return WorkerServer.errorResponse(.badRequest, error.message, type: "BadRequestError")
        }
        await metrics.arrived(inputTokens: parsed.promptTokens)
        let response = await route(parsed, body: body, arrival: arrival)
        return response
    }

    private func route(_ parsed: CompletionRequest, body: Data, arrival: ContinuousClock.Instant) async -> Response {
        // Prefill: the whole prompt, one token back.
        let prefillBody = Self.rewrite(body, maxTokens: 1, stream: false)
        let prefillLease: WorkerLease
        let prefillResponse: HTTPClientResponse
        switch await upstream.send(prefillBody, role: .prefill, cost: parsed.promptTokens) {
        case .unavailable(let message): return await unavailable(message, parsed: parsed, arrival: arrival)
        case .answered(let lease, let response): (prefillLease, prefillResponse) = (lease, response)
        }
        let prefillAnswer = try? await prefillResponse.body.collect(upTo: 16 << 20)
        await registry.release(prefillLease)
        guard prefillResponse.status == .ok, prefillAnswer != nil else {
            return await passThrough(Int(prefillResponse.status.code), prefillAnswer, from: prefillLease.url, parsed: parsed, arrival: arrival)
        }

        let id = requestIDs.wrappingAdd(1, ordering: .relaxed).newValue
        let encoding = CompletionEncoding(requestID: id, model: parsed.model ?? model, created: Int(Date().timeIntervalSince1970))
        guard parsed.maxTokens > 1 else { return await oneTokenAnswer(parsed, encoding: encoding, arrival: arrival) }
        return await decode(parsed, body: body, encoding: encoding, arrival: arrival)
    }

    /// No worker of a role to send to: the client is told to come back.
    private func unavailable(_ message: String, parsed: CompletionRequest, arrival: ContinuousClock.Instant) async -> Response {
        await metrics.finished(stream: parsed.stream, success: false, outputTokens: 0, seconds: arrival.secondsSince)
        return WorkerServer.errorResponse(.serviceUnavailable, message, type: "ServiceUnavailableError")
    }

    /// A request for one token: the prefill worker's token is the whole answer.
    private func oneTokenAnswer(_ parsed: CompletionRequest, encoding: CompletionEncoding, arrival: ContinuousClock.Instant) async -> Response {
        await metrics.firstToken(after: arrival.secondsSince)
        await metrics.tokensStreamed(1)
        await metrics.finished(stream: parsed.stream, success: true, outputTokens: 1, seconds: arrival.secondsSince)
        return parsed.stream
            ? sseResponse(encoding.tokenEvent(finishReason: .length) + CompletionEncoding.doneEvent)
            : WorkerServer.jsonResponse(.ok, encoding.completion(tokens: 1, finishReason: .length, promptTokens: parsed.promptTokens))
    }

    /// Decode: the KV moves over, then every token streams back (or is collected into one
    /// answer for a client that did not ask for a stream).
    private func decode(_ parsed: CompletionRequest, body: Data, encoding: CompletionEncoding, arrival: ContinuousClock.Instant) async -> Response {
        let decodeBody = Self.rewrite(body, maxTokens: parsed.maxTokens, stream: true)
        let decodeLease: WorkerLease
        let decodeResponse: HTTPClientResponse
        switch await upstream.send(decodeBody, role: .decode, cost: parsed.promptTokens + parsed.maxTokens) {
        case .unavailable(let message): return await unavailable(message, parsed: parsed, arrival: arrival)
        case .answered(let lease, let response): (decodeLease, decodeResponse) = (lease, response)
        }
        guard decodeResponse.status == .ok else {
            let answer = try? await decodeResponse.body.collect(upTo: 16 << 20)
            await registry.release(decodeLease)
            return await passThrough(Int(decodeResponse.status.code), answer, from: decodeLease.url, parsed: parsed, arrival: arrival)
        }
        let relay = TokenRelay(metrics: metrics, registry: registry, lease: decodeLease, response: decodeResponse, parsed: parsed, arrival: arrival)
        if parsed.stream {
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    try await relay.run { payload in
                        try await writer.write(ByteBuffer(string: "data: \(payload)\n\n"))
                    }
                    try await writer.finish(nil)
                }
            )
        }
        let outcome = try? await relay.run { _ in }
        guard let outcome, outcome.complete else {
            let tokens = outcome?.tokens ?? 0
            return WorkerServer.errorResponse(.badGateway, "decode worker \(decodeLease.url) ended the stream after \(tokens) of \(parsed.maxTokens) tokens; retry the request", type: "BadGatewayError")
        }
        return WorkerServer.jsonResponse(.ok, encoding.completion(tokens: outcome.tokens, finishReason: .length, promptTokens: parsed.promptTokens))
    }

    /// A worker's own refusal (a 400 for a prompt too long, say) goes back to the client as is.
    private func passThrough(_ status: Int, _ body: ByteBuffer?, from url: String, parsed: CompletionRequest, arrival: ContinuousClock.Instant) async -> Response {
        await metrics.finished(stream: parsed.stream, success: false, outputTokens: 0, seconds: arrival.secondsSince)
        guard let body, body.readableBytes > 0 else {
            return WorkerServer.errorResponse(.badGateway, "worker \(url) answered \(status) without a body; check that worker", type: "BadGatewayError")
        }
        return Response(status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }

    private func sseResponse(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/event-stream"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The client's body with `max_tokens` and `stream` set for one phase; other fields pass.
    static func rewrite(_ body: Data, maxTokens: Int, stream: Bool) -> Data {
        guard var object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else { return body }
        object["max_tokens"] = maxTokens
        object["stream"] = stream
        object.removeValue(forKey: "stream_options")
        return (try? JSONSerialization.data(withJSONObject: object)) ?? body
    }
}

extension ContinuousClock.Instant {
    /// Seconds from this instant until now.
    var secondsSince: Double {
        duration(to: .now).inSeconds
    }
}
