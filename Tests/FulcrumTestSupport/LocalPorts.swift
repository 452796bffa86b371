import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A TCP port on 127.0.0.1 that nobody listens on right now, for a process a test starts
/// later (a daemon's metrics, an etcd member).
///
/// Taken from 25000–29999, below the kernel's ephemeral range (32768–60999 here), never from
/// it: a port the kernel handed out and the test released can be handed out again, as the
/// source port of any outgoing connection, before the test's process binds it (the coordinated
/// pair's second daemon once failed with "Address already in use" that way, in CI). Nothing
/// picks source ports from this range, the suite's fixed ports lie above it (30000 and up),
/// and each port is handed out once per test process, so concurrent tests never share one.
public func freeLocalPort() throws -> Int {
    try LocalPortPool.shared.next()
}

private final class LocalPortPool: @unchecked Sendable {
    static let shared = LocalPortPool()
    private static let ports = 25_000..<30_000
    private let lock = NSLock()
    /// Where the next search starts; the process id spreads test processes run side by side.
    private var cursor = Int(getpid())

    func next() throws -> Int {
        lock.lock()
        defer { lock.unlock() }
        for _ in Self.ports {
            let port = Self.ports.lowerBound + cursor % Self.ports.count
            cursor += 1
            if Self.canListen(on: port) { return port }
        }
        throw Failure("no free local port in \(Self.ports.lowerBound)–\(Self.ports.upperBound - 1); stop what listens there and run the tests again")
    }

    /// Whether a listener could bind `port` now, with the address reuse servers set.
    private static func canListen(on port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
