import FulcrumTestSupport
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A loopback HTTP/1.1 server on SwiftNIO whose connection handling a test chooses: how many
/// requests each connection answers before it drops the next one unanswered (as a server whose
/// keep-alive timeout fired just as the request went out), optionally behind TLS. It counts the
/// connections and requests it saw, which Hummingbird's server does not tell.
final class ConnectionTestServer: Sendable {
    struct Counts: Sendable, Equatable {
        var connections = 0
        var requests = 0
        var closed = 0
    }

    private let counts = Mutex(Counts())
    let body: String

    init(body: String) { self.body = body }

    var seen: Counts { counts.withLock { $0 } }

    /// Runs the server for the duration of `test`, which gets its port.
    func run<R: Sendable>(answersPerConnection: Int, tls: NIOSSLContext? = nil, _ test: (Int) async throws -> R) async throws -> R {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Responder(server: self, answers: answersPerConnection))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        do {
            let result = try await test(channel.localAddress?.port ?? 0)
            try await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }

    fileprivate final class Responder: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let server: ConnectionTestServer
        let answers: Int
        var answered = 0

        init(server: ConnectionTestServer, answers: Int) {
            self.server = server
            self.answers = answers
        }

        func channelActive(context: ChannelHandlerContext) {
            server.counts.withLock { $0.connections += 1 }
            context.fireChannelActive()
        }

        func channelInactive(context: ChannelHandlerContext) {
            server.counts.withLock { $0.closed += 1 }
            context.fireChannelInactive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = Self.unwrapInboundIn(data) else { return }
            server.counts.withLock { $0.requests += 1 }
            guard answered < answers else {
                context.close(promise: nil)
                return
            }
            answered += 1
            var headers = HTTPHeaders([("Content-Type", "text/plain; version=0.0.4"), ("Content-Length", "\(server.body.utf8.count)")])
            headers.add(name: "Connection", value: "keep-alive")
            context.write(Self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(Self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: server.body)))), promise: nil)
            context.writeAndFlush(Self.wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

@available(*, unavailable)
extension ConnectionTestServer.Responder: Sendable {}
