import Foundation
import FulcrumTestSupport
import Glibc
import Testing

/// What `fulcrumctl` says when fulcrumd cannot answer, and how it refuses malformed input, run as
/// a user would run it against real Unix sockets.
@Suite("fulcrumctl against a daemon that cannot answer")
struct DaemonClientErrorTests {
    /// A Unix socket bound at a fresh short path (the limit is 108 bytes); listening or not.
    final class BoundSocket {
        let path = "/tmp/fulcrumctl-\(UUID().uuidString.prefix(8)).sock"
        private var descriptor: Int32 = -1

        init(listening: Bool) throws {
            descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            let descriptor = self.descriptor
            let bound = withUnixSocketAddress(path) { bind(descriptor, $0, $1) }
            guard descriptor >= 0, bound == 0, !listening || listen(descriptor, 8) == 0 else {
                throw FulcrumctlRunner.RunnerError(description: "cannot bind a test socket at \(path): errno \(errno)")
            }
        }

        /// Leaves the socket file behind, as a daemon that stopped without cleaning up does.
        func closeKeepingFile() {
            if descriptor >= 0 { close(descriptor) }
            descriptor = -1
        }

        deinit {
            closeKeepingFile()
            unlink(path)
        }
    }

    @Test("a daemon that takes the request and never answers: exit 75, and the message says a change may have been made")
    func timeoutIsNotUnreachable() async throws {
        let silent = try BoundSocket(listening: true)
        let outcome = try await FulcrumctlRunner.run(["--socket", silent.path, "--timeout", "1", "pause"])
        #expect(outcome.status == 75)
        #expect(outcome.stderr == "fulcrumctl: fulcrumd did not answer POST /v1/pause within 1 s, so a change may still have been made; check `fulcrumctl status` before retrying, or wait longer with --timeout.\n")
    }

    @Test("a socket file nobody listens on: exit 69, one sentence without library internals")
    func staleSocketIsUnreachable() async throws {
        let stale = try BoundSocket(listening: false)
        stale.closeKeepingFile()
        let outcome = try await FulcrumctlRunner.run(["--socket", stale.path, "status"])
        #expect(outcome.status == 69)
        #expect(outcome.stderr == "fulcrumctl: cannot reach fulcrumd at \(stale.path); is it running? (systemctl status fulcrumd; a socket file left by a stopped daemon looks the same)\n")
    }

    @Test("a ratio with a typo and an absurd timeout are refused before anything is sent", arguments: [
        (["override", "ratio", "1::3"], "ratio \"1::3\" is not P:D with two whole numbers; write it like 1:3."),
        (["override", "ratio", "1:x:3"], "ratio \"1:x:3\" is not P:D with two whole numbers; write it like 1:3."),
        (["--timeout", "1e16", "status"], "--timeout 1e+16 is not a number of seconds from above 0 to 86400 (a day); give e.g. --timeout 30."),
    ])
    func malformedInputIsRefused(arguments: [String], message: String) async throws {
        let outcome = try await FulcrumctlRunner.run(["--socket", "/nonexistent/control.sock"] + arguments)
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains(message), "stderr: \(outcome.stderr)")
    }
}
