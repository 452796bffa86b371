import Foundation
import FulcrumTestSupport
import Glibc
import Synchronization
import Testing
@testable import FulcrumSystemd

/// A bus peer that accepts the connection and then says nothing, as a stalled ssh or a
/// broker stuck before authentication looks to sd-bus.
@Suite("A bus that never answers")
struct StalledBusTests {
    /// Listens on a fresh Unix socket and accepts one connection without ever writing to it.
    final class SilentPeer: @unchecked Sendable {
        let path: String
        private let listener: Int32
        private var accepted: Int32 = -1

        init() throws {
            path = FileManager.default.temporaryDirectory.appending(path: "silent-bus-\(UUID().uuidString.prefix(8)).sock").path
            listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            let bound = withUnixSocketAddress(path) { bind(listener, $0, $1) }
            guard listener >= 0, bound == 0, listen(listener, 4) == 0 else {
                throw POSIXError(.init(rawValue: errno) ?? .EIO)
            }
            let thread = Thread { [self] in accepted = accept(listener, nil, nil) }
            thread.start()
        }

        func close() {
            shutdown(listener, Int32(SHUT_RDWR))
            Glibc.close(listener)
            if accepted >= 0 { Glibc.close(accepted) }
            unlink(path)
        }
    }

    @Test("closing the connection fails an AddMatch still waiting for the broker, instead of hanging")
    func closeFailsAPendingAddMatch() async throws {
        let peer = try SilentPeer()
        defer { peer.close() }
        let connection = try await BusConnection.open(.address("unix:path=\(peer.path)"), label: "silent")
        let outcome = Mutex<Result<Void, any Error>?>(nil)
        Task {
            do {
                try await connection.addMatch("type='signal',interface='org.freedesktop.systemd1.Manager'") { _, _ in }
                outcome.withLock { $0 = .success(()) }
            } catch {
                outcome.withLock { $0 = .failure(error) }
            }
        }
        // Nothing will ever acknowledge the match; what ends the wait is the close.
        try await eventually("the match to be installed, awaiting the broker") { await connection.matchCount() == 1 }
        #expect(outcome.withLock { $0 == nil })
        connection.close()
        // sd-bus itself would give up on the peer only after 90 s.
        try await eventually("the AddMatch to fail once the connection closed", timeout: .seconds(20)) { outcome.withLock { $0 } != nil }
        let failure = outcome.withLock { result -> String? in
            if case .failure(let error) = result { return "\(error)" } else { return nil }
        }
        // "using silent" is the close's error; a refusal at enqueue would name the AddMatch.
        #expect(failure?.contains("using silent") == true, "\(failure ?? "it succeeded")")
    }
}
