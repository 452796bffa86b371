#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOHTTP1
import NIOHTTPCompression

/// One finished scrape response.
struct ScrapeResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    /// The decompressed body; empty for any status but 200, whose body is not read.
    var body: ByteBuffer
    /// The server will keep the connection open for another request.
    var keepAlive: Bool
}

/// Why a request on one connection failed, before it is named for the user (`ScrapeError`).
enum ConnectionFailure: Error {
    case timedOut
    case cancelled
    case bodyTooLarge
    /// The peer closed the connection; `beforeResponse` when nothing of the response had come
    /// (on a kept-alive connection: the server had just closed it).
    case closed(beforeResponse: Bool)
    case transport(any Error)

    /// How a kept-alive connection looks when the server closed it while it sat idle: an end
    /// of stream before any answer, or a reset.
    var suggestsStaleConnection: Bool {
        switch self {
        case .closed(let beforeResponse): beforeResponse
        case .transport(let error as IOError): error.errnoCode == ECONNRESET || error.errnoCode == EPIPE
        default: false
        }
    }
}

/// The last handler of a scrape connection: collects one response at a time into a buffer of at
/// most the body limit and completes the request's promise. Every completion of that promise
/// (response, error, close, deadline, cancellation) goes through `finish`, on the event loop,
/// so it is completed exactly once.
final class ResponseCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    private struct Pending {
        var promise: EventLoopPromise<ScrapeResponse>
        var head: HTTPResponseHead?
        var body: ByteBuffer?
        var limit: Int
    }

    private var pending: Pending?
    private var context: ChannelHandlerContext?
    private var isOpen = true
    /// What broke the connection (a TLS handshake, a reset), for the request that finds it
    /// closed: "closed" alone would hide the cause.
    private var breakage: ConnectionFailure?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish(.failure(closedFailure))
        self.context = nil
    }

    /// Sends the request and arranges for `promise` to receive its response.
    func send(_ head: HTTPRequestHead, limit: Int, promise: EventLoopPromise<ScrapeResponse>) {
        guard isOpen, let context, pending == nil else {
            promise.fail(breakage ?? .closed(beforeResponse: true))
            return
        }
        pending = Pending(promise: promise, head: nil, body: nil, limit: limit)
        context.write(NIOAny(HTTPClientRequestPart.head(head)), promise: nil)
        context.writeAndFlush(NIOAny(HTTPClientRequestPart.end(nil)), promise: nil)
    }

    /// Fails the request in flight, if any, and closes the connection.
    func abandon(_ failure: ConnectionFailure) {
        finish(.failure(failure))
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard var current = pending else {
            // A response nobody asked for: the connection cannot be trusted with the next.
            context.close(promise: nil)
            return
        }
        switch Self.unwrapInboundIn(data) {
        case .head(let head):
            current.head = head
            pending = current
            // Only a 200's body is worth reading; the connection goes with the rest.
            if head.status != .ok {
                finish(.success(response(current, keepAlive: false)))
                context.close(promise: nil)
                return
            }
            // A declared length over the limit fails before a byte of it is read.
            if !head.headers.contains(name: "Content-Encoding"),
               let length = head.headers.first(name: "Content-Length").flatMap({ Int($0) }), length > current.limit {
                abandon(.bodyTooLarge)
            }
        case .body(var part):
            if current.body == nil {
                current.body = context.channel.allocator.buffer(capacity: min(part.readableBytes, current.limit))
            }
            guard current.body!.readableBytes + part.readableBytes <= current.limit else {
                abandon(.bodyTooLarge)
                return
            }
            pending = nil  // keeps the buffer uniquely referenced while it grows
            current.body!.writeBuffer(&part)
            pending = current
        case .end:
            finish(.success(response(current, keepAlive: current.head?.isKeepAlive ?? false)))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let failure: ConnectionFailure
        if let error = error as? NIOHTTPDecompression.DecompressionError, error == .limit {
            failure = .bodyTooLarge
        } else {
            failure = .transport(error)
        }
        if breakage == nil { breakage = failure }
        abandon(failure)
    }

    func channelInactive(context: ChannelHandlerContext) {
        isOpen = false
        finish(.failure(closedFailure))
        context.fireChannelInactive()
    }

    private var closedFailure: ConnectionFailure { breakage ?? .closed(beforeResponse: pending?.head == nil) }

    private func response(_ pending: Pending, keepAlive: Bool) -> ScrapeResponse {
        let head = pending.head ?? HTTPResponseHead(version: .http1_1, status: .ok)
        return ScrapeResponse(status: head.status, headers: head.headers, body: pending.body ?? ByteBuffer(), keepAlive: keepAlive)
    }

    private func finish(_ result: Result<ScrapeResponse, any Error>) {
        guard let current = pending else { return }
        pending = nil
        current.promise.completeWith(result)
    }
}

@available(*, unavailable)
extension ResponseCollector: Sendable {}
