import CSystemd
import Foundation
import Synchronization

/// One private sd-bus connection, driven by a thread of its own.
///
/// sd-bus objects are single-threaded, so the `sd_bus` never leaves `thread`: callers hand
/// it jobs that run there between wake-ups. The thread sleeps in poll() on the bus fd (with
/// the events and timeout sd-bus asks for) and on an eventfd that `enqueue` writes, so an idle
/// connection costs no CPU and a new call is sent at once. Replies and signals are decoded on
/// the thread and only Swift values leave it.
public final class BusConnection: Sendable {
    /// Names this connection in errors and logs, e.g. `node0 (unix:path=/run/user/0/bus)`.
    public let label: String
    private let loop: LoopContext
    /// A pipe: `enqueue` writes a byte, the loop polls the read end.
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let queue = Mutex(Queue())

    private struct Queue {
        var jobs: [@Sendable (LoopContext?) -> Void] = []
        var closing = false
        var closed = false
        var onClose: [@Sendable (BusError) -> Void] = []
    }

    private init(loop: LoopContext, wakeRead: Int32, wakeWrite: Int32, label: String) {
        self.loop = loop
        self.wakeRead = wakeRead
        self.wakeWrite = wakeWrite
        self.label = label
    }

    /// Opens a connection and starts its thread. Fails fast (no retry) when the endpoint
    /// refuses; reconnecting with backoff is the caller's policy.
    public static func open(_ endpoint: SystemdEndpoint, label: String) async throws(BusError) -> BusConnection {
        let result: Result<BusConnection, BusError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                let operation = "connecting to \(label)"
                let bus: OpaquePointer
                do throws(BusError) {
                    bus = try openBus(endpoint, description: label, operation: operation)
                } catch {
                    continuation.resume(returning: .failure(error))
                    return
                }
                var wake: [Int32] = [-1, -1]
                guard pipe(&wake) == 0 else {
                    sd_bus_flush_close_unref(bus)
                    continuation.resume(returning: .failure(BusError(returnCode: errno, operation: operation)))
                    return
                }
                for fd in wake {
                    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                    _ = fcntl(fd, F_SETFL, O_NONBLOCK)
                }
                let connection = BusConnection(loop: LoopContext(bus: bus, label: label), wakeRead: wake[0], wakeWrite: wake[1], label: label)
                continuation.resume(returning: .success(connection))
                connection.run()
            }
            thread.name = "sd-bus \(label)"
            thread.start()
        }
        return try result.get()
    }

    /// Runs `job` on the bus thread; with `nil` when the connection is already closed, so the
    /// job can fail whatever it was going to complete.
    func enqueue(_ job: @escaping @Sendable (LoopContext?) -> Void) {
        // Writing under the lock: the loop closes the pipe under it too, so the fd is never reused.
        let runNow = queue.withLock { queue -> Bool in
            if queue.closed { return true }
            queue.jobs.append(job)
            wake()
            return false
        }
        if runNow { job(nil) }
    }

    /// Registers a handler called once, on any thread, when the connection ends for any reason.
    public func onClose(_ handler: @escaping @Sendable (BusError) -> Void) {
        let closedAlready = queue.withLock { queue -> Bool in
            if queue.closed { return true }
            queue.onClose.append(handler)
            return false
        }
        if closedAlready { handler(BusError(returnCode: -ENOTCONN, operation: "using \(label)")) }
    }

    public var isClosed: Bool { queue.withLock { $0.closed } }

    /// Closes the connection: pending calls fail with a disconnect error. Idempotent.
    public func close() {
        queue.withLock { queue in
            guard !queue.closed else { return }
            queue.closing = true
            wake()
        }
    }

    /// Calls a method and decodes its reply on the bus thread. Cancelling the task cancels the
    /// call (sd-bus drops the pending reply slot) and throws `CancellationError`.
    public func call<Value: Sendable>(
        _ method: BusMethodCall,
        timeout: Duration = .seconds(30),
        decode: @escaping @Sendable (borrowing MessageReader) throws -> Value
    ) async throws -> Value {
        let operation = "\(method) on \(label)"
        let pending = PendingCall<Value>(operation: operation, decode: decode)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard pending.attach(continuation) else { return }
                enqueue { loop in
                    guard let loop else {
                        pending.fail(BusError(returnCode: -ENOTCONN, operation: operation))
                        return
                    }
                    loop.send(method, pending: pending, timeout: timeout)
                }
            }
        } onCancel: {
            pending.fail(CancellationError())
            enqueue { loop in loop?.abandon(pending) }
        }
    }

    /// Installs a signal match and waits until the broker acknowledged it, so a signal sent
    /// after this returns is never missed. `handler` runs on the bus thread for each signal.
    public func addMatch(
        _ rule: String,
        handler: @escaping @Sendable (borrowing MessageReader, SignalHeader) -> Void
    ) async throws {
        let operation = "AddMatch(\"\(rule)\") on \(label)"
        let pending = PendingCall<Void>(operation: operation) { _ in () }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            guard pending.attach(continuation) else { return }
            enqueue { loop in
                guard let loop else {
                    pending.fail(BusError(returnCode: -ENOTCONN, operation: operation))
                    return
                }
                loop.addMatch(rule, handler: handler, installed: pending)
            }
        }
    }

    /// Matches installed or being installed; 0 once closed. For tests of the close path.
    func matchCount() async -> Int {
        await withCheckedContinuation { continuation in
            enqueue { loop in continuation.resume(returning: loop?.matchCount ?? 0) }
        }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private func run() {
        var fds = [pollfd](repeating: pollfd(), count: 2)
        var reason = BusError(returnCode: -ENOTCONN, operation: "using \(label)")
        while true {
            let (jobs, closing) = queue.withLock { queue in
                defer { queue.jobs.removeAll(keepingCapacity: true) }
                return (queue.jobs, queue.closing)
            }
            for job in jobs { job(loop) }
            if closing { break }
            // Each sd_bus_process dispatches at most one message; drain before sleeping.
            var processed: Int32
            repeat { processed = sd_bus_process(loop.bus, nil) } while processed > 0
            if processed < 0 || sd_bus_is_open(loop.bus) <= 0 {
                reason = BusError(returnCode: processed < 0 ? processed : -ECONNRESET, operation: "using \(label)")
                break
            }
            let fd = sd_bus_get_fd(loop.bus)
            let events = sd_bus_get_events(loop.bus)
            if fd < 0 || events < 0 {
                reason = BusError(returnCode: fd < 0 ? fd : events, operation: "polling \(label)")
                break
            }
            var deadline: UInt64 = .max
            sd_bus_get_timeout(loop.bus, &deadline)
            fds[0] = pollfd(fd: fd, events: Int16(truncatingIfNeeded: events), revents: 0)
            fds[1] = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
            let ready = poll(&fds, 2, Self.milliseconds(until: deadline))
            if ready < 0 && errno != EINTR {
                reason = BusError(returnCode: errno, operation: "polling \(label)")
                break
            }
            if fds[1].revents & Int16(POLLIN) != 0 {
                var drain = [UInt8](repeating: 0, count: 256)
                while read(wakeRead, &drain, drain.count) > 0 {}
            }
        }
        let (leftover, handlers) = queue.withLock { queue in
            queue.closed = true
            Glibc.close(wakeRead)
            Glibc.close(wakeWrite)
            defer { queue.jobs = []; queue.onClose = [] }
            return (queue.jobs, queue.onClose)
        }
        for job in leftover { job(nil) }
        loop.shutDown(reason)
        for handler in handlers { handler(reason) }
    }

    /// poll()'s timeout for an absolute CLOCK_MONOTONIC deadline in µs (UInt64.max: none).
    private static func milliseconds(until deadline: UInt64) -> Int32 {
        if deadline == .max { return -1 }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let nowMicros = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
        if deadline <= nowMicros { return 0 }
        return Int32(min((deadline - nowMicros + 999) / 1000, UInt64(Int32.max)))
    }
}

/// The header fields of a received signal.
public struct SignalHeader: Sendable, Hashable {
    public var path: String
    public var interface: String
    public var member: String
}

private func openBus(_ endpoint: SystemdEndpoint, description: String, operation: String) throws(BusError) -> OpaquePointer {
    var bus: OpaquePointer?
    var result: Int32
    switch endpoint {
    case .system:
        result = sd_bus_open_system(&bus)
    case .user:
        result = sd_bus_open_user(&bus)
    case let .ssh(destination):
        result = sd_bus_open_system_remote(&bus, destination)
    case let .address(address):
        result = sd_bus_new(&bus)
        if result >= 0 { result = sd_bus_set_address(bus, address) }
        if result >= 0 { result = sd_bus_set_bus_client(bus, 1) }
        if result >= 0 { result = sd_bus_start(bus) }
    }
    if result >= 0, let bus { _ = sd_bus_set_description(bus, description) }
    guard result >= 0, let bus else {
        if let bus { sd_bus_flush_close_unref(bus) }
        throw BusError(returnCode: result, operation: operation)
    }
    return bus
}
