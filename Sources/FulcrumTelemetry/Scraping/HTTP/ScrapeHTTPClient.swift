import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOPosix
import NIOSSL
import Synchronization

/// HTTP/1.1 GETs for scraping: SwiftNIO's HTTP codec, decompressor and TLS, with connections
/// managed for a fleet.
///
/// Why not AsyncHTTPClient, which the router hooks and the etcd client use: it is built for many
/// requests to few hosts, and a scraper makes one request every few seconds to each of a
/// thousand. Its connections let NIO's receive buffer grow to the largest read (up to 64 KB,
/// kept by each connection between requests) and it offers no way to bound that; it also keeps
/// a pool per host:port for as long as the client lives. With 1,000 kept-alive targets serving
/// 7 KB expositions that was 26.5 KB per connection and 3.9 MB of pools in fulcrumd; these
/// connections, reading at most `receiveBufferBytes` at a time, hold 7 KB each
/// (docs/performance.md).
/// Everything protocol-level stays in NIO; what is hand-written here is which connection a
/// request uses (`ConnectionPoolState`) and its deadline.
public final class ScrapeHTTPClient: Sendable {
    /// Bytes read from a socket at a time. Each connection keeps its last read buffer for the
    /// next read, so this, not the body size, is what an idle kept-alive connection holds. 2 KB
    /// against 4 KB: 1.9 MB less at 1,000 kept-alive workers for 1–2 % more client CPU (7 KB
    /// expositions); 1 KB saved another 0.9 MB for 7 % more. A gzipped engine exposition
    /// (3–10 KB on the wire) takes 2–5 reads.
    static let receiveBufferBytes = 2048
    /// Idle kept-alive connections unused this long are closed (a worker that left the fleet).
    static let idleTimeout: Duration = .seconds(60)

    private let group: any EventLoopGroup
    private let tlsConfiguration: TLSConfiguration
    /// Made on the first `https://` target: loading the trust roots cost an idle daemon 5.5 MB,
    /// and most fleets are scraped over plain HTTP.
    private let tls = Mutex<Result<NIOSSLContext, ConnectionFailure>?>(nil)
    private let reusesConnections: Bool
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private let pool: Mutex<PoolState>

    private typealias Lease = ConnectionPoolState<ScrapeConnection>.Lease

    private struct PoolState {
        /// A queued request, by waiter number: waiting on its continuation, or already handed a
        /// slot or refused before the continuation was registered.
        enum Waiter {
            case waiting(CheckedContinuation<Lease, any Error>)
            case handedOver(Lease)
            case gaveUp(ConnectionFailure)
        }

        var connections: ConnectionPoolState<ScrapeConnection>
        var waiters: [Int: Waiter] = [:]
        var lastExpiry = 0.0

        /// Delivers `outcome` to a waiter: returns the continuation to resume, or records the
        /// outcome for when the continuation arrives.
        mutating func settle(_ waiter: Int, _ outcome: Waiter) -> CheckedContinuation<Lease, any Error>? {
            guard case .waiting(let continuation) = waiters[waiter] else {
                waiters[waiter] = outcome
                return nil
            }
            waiters[waiter] = nil
            return continuation
        }
    }

    /// - Parameters:
    ///   - reusesConnections: keep connections open between requests (when the server agrees).
    ///   - connectionsPerEndpoint: requests to one host:port beyond this many wait their turn.
    ///   - tls: for `https://`; the system's trust roots by default.
    public init(reusesConnections: Bool, connectionsPerEndpoint: Int, tls: TLSConfiguration = .makeClientConfiguration(),
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.group = group
        self.tlsConfiguration = tls
        self.reusesConnections = reusesConnections
        self.start = clock.now
        self.pool = Mutex(PoolState(connections: ConnectionPoolState(
            connectionsPerEndpoint: connectionsPerEndpoint, idleTimeoutSeconds: Self.idleTimeout.inSeconds)))
    }

    /// A client for `configuration`'s connection reuse and concurrency.
    public convenience init(configuration: ScraperConfiguration, tls: TLSConfiguration = .makeClientConfiguration()) {
        self.init(reusesConnections: configuration.reusesConnections,
                  connectionsPerEndpoint: min(configuration.concurrency, ScraperConfiguration.connectionsPerHost), tls: tls)
    }

    /// GETs `url` with `headers` (the client adds `Host`, and `Connection: close` when it does not
    /// reuse connections), failing once `deadline` passes: connecting, waiting for a connection,
    /// the response head and the whole body all count against it.
    func get(_ url: ScrapeURL, headers: HTTPHeaders, bodyLimit: Int, deadline: ContinuousClock.Instant) async throws(ConnectionFailure) -> ScrapeResponse {
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: url.target, headers: headers)
        head.headers.replaceOrAdd(name: "Host", value: url.hostHeader)
        if !reusesConnections { head.headers.replaceOrAdd(name: "Connection", value: "close") }
        var lease = try await leaseConnection(url.endpoint, deadline: deadline)
        while true {
            let connection: ScrapeConnection
            let reused: Bool
            switch lease {
            case .use(let idle): (connection, reused) = (idle, true)
            case .connect:
                do { connection = try await connect(url, deadline: deadline) } catch {
                    returnConnection(url.endpoint, nil, reusable: false)
                    throw error
                }
                reused = false
            }
            do {
                let response = try await exchange(head, on: connection, bodyLimit: bodyLimit, deadline: deadline)
                returnConnection(url.endpoint, connection, reusable: reusesConnections && response.keepAlive)
                return response
            } catch {
                // A kept-alive connection the server closed as the request went out: the GET goes
                // once more on a new connection (as Go's net/http does for idempotent requests).
                if reused, error.suggestsStaleConnection, clock.now < deadline {
                    connection.close()
                    lease = .connect
                    continue
                }
                returnConnection(url.endpoint, connection, reusable: false)
                throw error
            }
        }
    }

    /// Closes idle connections and refuses further requests; requests in flight finish.
    public func shutdown() async {
        let (idle, waiters) = pool.withLock { state in
            let (idle, queued) = state.connections.shutDown()
            return (idle, queued.compactMap { state.settle($0, .gaveUp(.cancelled)) })
        }
        for waiter in waiters { waiter.resume(throwing: ConnectionFailure.cancelled) }
        for connection in idle { try? await connection.channel.close() }
    }

    // MARK: - One request on one connection

    private func exchange(_ head: HTTPRequestHead, on connection: ScrapeConnection, bodyLimit: Int,
                          deadline: ContinuousClock.Instant) async throws(ConnectionFailure) -> ScrapeResponse {
        let eventLoop = connection.channel.eventLoop
        let collector = connection.collector
        let promise = eventLoop.makePromise(of: ScrapeResponse.self)
        eventLoop.execute { collector.value.send(head, limit: bodyLimit, promise: promise) }
        let timeout = eventLoop.scheduleTask(in: .nanoseconds(Self.nanoseconds(until: deadline))) {
            collector.value.abandon(.timedOut)
        }
        defer { timeout.cancel() }
        do {
            return try await withTaskCancellationHandler {
                try await promise.futureResult.get()
            } onCancel: {
                eventLoop.execute { collector.value.abandon(.cancelled) }
            }
        } catch let failure as ConnectionFailure {
            throw failure
        } catch {
            throw .transport(error)
        }
    }

    private func connect(_ url: ScrapeURL, deadline: ContinuousClock.Instant) async throws(ConnectionFailure) -> ScrapeConnection {
        let remaining = Self.nanoseconds(until: deadline)
        guard remaining > 0 else { throw .timedOut }
        let tls = url.endpoint.scheme == .https ? try tlsContext() : nil
        let address = url.endpoint.address
        // SNI takes names, not addresses; a certificate is checked against whichever was dialled.
        let serverName = address == nil ? url.endpoint.host : nil
        // The collector is handed out of the pipeline as it is built: a connection broken at once
        // (a refused TLS handshake) may have left its pipeline before the request is sent, and
        // the collector still knows why.
        let eventLoop = group.next()
        let collector = eventLoop.makePromise(of: NIOLoopBound<ResponseCollector>.self)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.nanoseconds(remaining))
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: Self.receiveBufferBytes))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handlers = channel.pipeline.syncOperations
                    if let tls { try handlers.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName)) }
                    try handlers.addHTTPClientHandlers(leftOverBytesStrategy: .dropBytes)
                    try handlers.addHandler(NIOHTTPResponseDecompressor(limit: .ratio(100)))
                    let handler = ResponseCollector()
                    try handlers.addHandler(handler)
                    collector.succeed(NIOLoopBound(handler, eventLoop: channel.eventLoop))
                }
            }
        do {
            // An address needs no resolver: NIO's would still ask getaddrinfo on a Dispatch thread
            // and race connections for it.
            let channel = try await (address.map { bootstrap.connect(to: $0) }
                ?? bootstrap.connect(host: url.endpoint.host, port: url.endpoint.port)).get()
            return ScrapeConnection(channel: channel, collector: try await collector.futureResult.get())
        } catch {
            collector.fail(error)  // ignored if the pipeline was built
            if case ChannelError.connectTimeout = error { throw .timedOut }
            throw .transport(error)
        }
    }

    private func tlsContext() throws(ConnectionFailure) -> NIOSSLContext {
        let context = tls.withLock { made in
            if let made { return made }
            let result = Result { try NIOSSLContext(configuration: tlsConfiguration) }.mapError { ConnectionFailure.transport($0) }
            made = result
            return result
        }
        return try context.get()
    }

    private static func nanoseconds(until deadline: ContinuousClock.Instant) -> Int64 {
        max(0, (deadline - .now).nanosecondsClamped)
    }

    // MARK: - The pool

    private var now: Double { (clock.now - start).inSeconds }

    private func leaseConnection(_ endpoint: ScrapeURL.Endpoint, deadline: ContinuousClock.Instant) async throws(ConnectionFailure)
        -> Lease {
        let now = self.now
        let (action, discard) = pool.withLock { state in
            var expired: [ScrapeConnection] = []
            if now - state.lastExpiry >= Self.idleTimeout.inSeconds / 4 {
                expired = state.connections.expire(now: now)
                state.lastExpiry = now
            }
            let (action, discard) = state.connections.lease(endpoint) { $0.channel.isActive }
            return (action, discard + expired)
        }
        for connection in discard { connection.close() }
        switch action {
        case .lease(let lease): return lease
        case .refuse: throw .cancelled
        case .wait(let waiter): return try await waitForConnection(endpoint, waiter: waiter, deadline: deadline)
        }
    }

    /// Waits, until the deadline at most, for a request to the same endpoint to hand its slot on.
    private func waitForConnection(_ endpoint: ScrapeURL.Endpoint, waiter: Int, deadline: ContinuousClock.Instant) async throws(ConnectionFailure)
        -> Lease {
        let timer = group.next().scheduleTask(in: .nanoseconds(Self.nanoseconds(until: deadline))) {
            self.giveUpWaiting(endpoint, waiter: waiter, .timedOut)
        }
        defer { timer.cancel() }
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    let settled = pool.withLock { state -> PoolState.Waiter? in
                        guard let outcome = state.waiters.removeValue(forKey: waiter) else {
                            state.waiters[waiter] = .waiting(continuation)
                            return nil
                        }
                        return outcome
                    }
                    switch settled {
                    case .handedOver(let lease): continuation.resume(returning: lease)
                    case .gaveUp(let failure): continuation.resume(throwing: failure)
                    case .waiting, nil: break
                    }
                }
            } onCancel: {
                giveUpWaiting(endpoint, waiter: waiter, .cancelled)
            }
        } catch let failure as ConnectionFailure {
            throw failure
        } catch {
            throw .cancelled
        }
    }

    /// Takes a waiter out of the queue, unless it was already handed a slot.
    private func giveUpWaiting(_ endpoint: ScrapeURL.Endpoint, waiter: Int, _ failure: ConnectionFailure) {
        let continuation = pool.withLock { state -> CheckedContinuation<Lease, any Error>? in
            guard state.connections.cancelWaiting(endpoint, waiter: waiter) else { return nil }
            return state.settle(waiter, .gaveUp(failure))
        }
        continuation?.resume(throwing: failure)
    }

    private func returnConnection(_ endpoint: ScrapeURL.Endpoint, _ connection: ScrapeConnection?, reusable: Bool) {
        let now = self.now
        let (release, waiter) = pool.withLock { state in
            let release = state.connections.release(endpoint, connection: connection, reusable: reusable, now: now)
            return (release, release.handOver.flatMap { state.settle($0.waiter, .handedOver($0.lease)) })
        }
        release.close?.close()
        if let waiter, let lease = release.handOver?.lease { waiter.resume(returning: lease) }
    }
}

/// A connection and the handler that collects its responses (reachable without a pipeline
/// lookup, and after the pipeline is gone).
struct ScrapeConnection: Sendable {
    var channel: any Channel
    var collector: NIOLoopBound<ResponseCollector>

    func close() { channel.close(promise: nil) }
}
