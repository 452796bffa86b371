import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A stand-in for the service manager's `$NOTIFY_SOCKET`: a datagram socket whose messages
/// (READY=1, STATUS=..., WATCHDOG=1) a test can wait for.
public final class NotifySocket: @unchecked Sendable {
    public let path: String
    private let descriptor: Int32
    private let lock = NSLock()
    private var received: [String] = []
    private var thread: Thread?

    public init(path: String) throws {
        self.path = path
        unlink(path)
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure("cannot create a datagram socket for \(path)") }
        let descriptor = self.descriptor
        let bound = withUnixSocketAddress(path) { bind(descriptor, $0, $1) }
        guard bound == 0 else { throw Failure("cannot bind \(path): \(String(cString: strerror(errno)))") }
        // Wake up every 200 ms so the reader thread can notice `close()`.
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let thread = Thread { [weak self] in self?.readLoop() }
        self.thread = thread
        thread.start()
    }

    private var closed = false

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            lock.lock()
            let stop = closed
            lock.unlock()
            if stop { return }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { continue }
            let message = String(decoding: buffer[0..<count], as: UTF8.self)
            lock.lock()
            received.append(contentsOf: message.split(separator: "\n").map(String.init))
            lock.unlock()
        }
    }

    public var messages: [String] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    public func close() {
        lock.lock()
        closed = true
        lock.unlock()
        Glibc.close(descriptor)
        unlink(path)
    }
}

/// A TCP port nobody listens on right now (bound to port 0, then released).
public func freeLocalPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
        }
    }
    guard bound else { throw Failure("cannot find a free local port") }
    return Int(UInt16(bigEndian: address.sin_port))
}
