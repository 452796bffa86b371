import Foundation
import FulcrumCore
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The control API: HTTP/1.1 + JSON on a Unix socket (the Docker/Podman convention, so
/// `curl --unix-socket` works), served by HummingbirdCore's HTTP/1 channel.
///
/// The listening socket is bound here rather than through Hummingbird's `Application`
/// because Hummingbird cannot adopt a socket-activated file descriptor, and because each
/// change must be attributed to the peer's uid/gid/pid (SO_PEERCRED), which needs the
/// connection's channel.
package struct ControlAPIServer: Service {
    package enum Listener: Sendable {
        /// Create the socket at `path` with `mode` and, if given, `group` ownership.
        case path(String, mode: Int, group: String?)
        /// A socket handed over by systemd (`sd_listen_fds`).
        case activated(fileDescriptor: Int32)
    }

    let handler: ControlRequestHandler
    let listener: Listener
    let logger: Logger
    /// Called once the socket is listening (the daemon's readiness depends on it).
    let onListening: @Sendable () async -> Void

    package init(handler: ControlRequestHandler, listener: Listener, logger: Logger, onListening: @escaping @Sendable () async -> Void = {}) {
        self.handler = handler
        self.listener = listener
        self.logger = logger
        self.onListening = onListening
    }

    /// A connection that sends nothing for this long (a stalled header or body included) is
    /// closed, so a slow or broken client cannot hold a connection open.
    static let idleTimeout = TimeAmount.seconds(10)

    package func run() async throws {
        let handler = self.handler
        let logger = self.logger
        let peers = PeerRegistry()
        let http = HTTP1Channel(responder: { request, writer, channel in
            let connection = ControlConnection(requester: peers.requester(of: channel), isOpen: { channel.isActive })
            if try await handler.respond(to: request, writer: writer, connection: connection) {
                // Ending the input ends HummingbirdCore's request loop, which then closes the
                // output after the answer: the connection goes away instead of idling.
                channel.close(mode: .input, promise: nil)
            }
        }, configuration: .init(idleTimeout: Self.idleTimeout))
        // A client may send its request and then shut down its sending side; it still gets the
        // answer, because the connection stays open for writing.
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
        // Who is connecting is read as the connection is accepted, before anything is read
        // from it, so every request on it is attributed even if the client goes away at once.
        let accept: @Sendable (any Channel) -> EventLoopFuture<HTTP1Channel.Value> = { channel in
            peers.remember(channel).flatMap { http.setup(channel: channel, logger: logger) }
        }
        let server: NIOAsyncChannel<HTTP1Channel.Value, Never>
        switch listener {
        case let .path(path, mode, group):
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            server = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true, childChannelInitializer: accept)
            try Self.secure(path: path, mode: mode, group: group)
            logger.info("control API listening", metadata: ["socket": "\(path)", "mode": "\(String(mode, radix: 8))"])
        case let .activated(fileDescriptor):
            server = try await bootstrap.bind(fileDescriptor, childChannelInitializer: accept)
            logger.info("control API listening on a socket-activated descriptor", metadata: ["fd": "\(fileDescriptor)"])
        }
        await onListening()
        try await withGracefulShutdownHandler {
            try await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in connections {
                        group.addTask { await http.handle(value: connection, logger: logger) }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
        }
    }

    static func secure(path: String, mode: Int, group: String?) throws {
        if let group {
            guard let entry = getgrnam(group) else {
                throw ControlSocketError("control.group \"\(group)\" does not exist; create it (e.g. with systemd-sysusers) or change control.group")
            }
            guard chown(path, uid_t.max, entry.pointee.gr_gid) == 0 else {
                throw ControlSocketError("cannot give \(path) to group \(group): \(String(cString: strerror(errno))); run fulcrumd as root or as a member of that group")
            }
        }
        guard chmod(path, mode_t(mode)) == 0 else {
            throw ControlSocketError("cannot set mode \(String(mode, radix: 8)) on \(path): \(String(cString: strerror(errno)))")
        }
    }
}

package struct ControlSocketError: Error, CustomStringConvertible, Sendable {
    package var description: String
    init(_ description: String) { self.description = description }
}

/// Layout of Linux's `struct ucred` (pid_t, uid_t, gid_t), which Swift's Glibc module does not
/// export because glibc hides it behind `_GNU_SOURCE`.
struct PeerCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// The peer credentials of each open control connection, read once when it is accepted.
final class PeerRegistry: Sendable {
    private let peers = Mutex<[ObjectIdentifier: Requester]>([:])

    /// Reads `channel`'s SO_PEERCRED and keeps it until the channel closes. Never fails: a
    /// connection whose credentials cannot be read is still served, and refused any change.
    func remember(_ channel: any Channel) -> EventLoopFuture<Void> {
        let key = ObjectIdentifier(channel)
        channel.closeFuture.whenComplete { _ in _ = self.peers.withLock { $0.removeValue(forKey: key) } }
        guard let provider = channel as? SocketOptionProvider else { return channel.eventLoop.makeSucceededVoidFuture() }
        let read: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return read.map { credentials in
            let requester = Requester(uid: Int(credentials.uid), gid: Int(credentials.gid), pid: Int(credentials.pid))
            self.peers.withLock { $0[key] = requester }
        }.recover { _ in }
    }

    func requester(of channel: any Channel) -> Requester? {
        peers.withLock { $0[ObjectIdentifier(channel)] }
    }
}
