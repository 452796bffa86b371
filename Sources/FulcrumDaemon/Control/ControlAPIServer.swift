import Foundation
import FulcrumCore
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

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

    package func run() async throws {
        let handler = self.handler
        let logger = self.logger
        let http = HTTP1Channel(responder: { request, writer, channel in
            try await handler.respond(to: request, writer: writer, channel: channel)
        }, configuration: .init(idleTimeout: .seconds(60)))
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
        let server: NIOAsyncChannel<HTTP1Channel.Value, Never>
        switch listener {
        case let .path(path, mode, group):
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            server = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true) { channel in
                http.setup(channel: channel, logger: logger)
            }
            try Self.secure(path: path, mode: mode, group: group)
            logger.info("control API listening", metadata: ["socket": "\(path)", "mode": "\(String(mode, radix: 8))"])
        case let .activated(fileDescriptor):
            server = try await bootstrap.bind(fileDescriptor) { channel in
                http.setup(channel: channel, logger: logger)
            }
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

/// Reads the peer's credentials from a Unix-socket connection (SO_PEERCRED).
func peerCredentials(of channel: any Channel) async -> Requester? {
    guard let provider = channel as? SocketOptionProvider else { return nil }
    do {
        let credentials: PeerCredentials = try await provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED)
        ).get()
        return Requester(uid: Int(credentials.uid), gid: Int(credentials.gid), pid: Int(credentials.pid))
    } catch {
        return nil
    }
}
