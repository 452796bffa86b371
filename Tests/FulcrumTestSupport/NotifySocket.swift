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
