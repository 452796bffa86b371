import CSystemd
import Synchronization

/// A reply the loop thread will deliver. Non-generic so C callbacks can reach it.
class ReplyTarget: @unchecked Sendable {
    let operation: String
    /// Loop thread only.
    var slot: OpaquePointer?
    /// Loop thread only; set while the call is in flight.
    var loop: LoopContext?

    init(operation: String) { self.operation = operation }

    var isWaiting: Bool { false }
    func receive(_ message: OpaquePointer) {}
    func fail(_ error: any Error) {}
    func succeedWithoutReply() {}
}

/// One awaited call: the continuation is resumed exactly once, by the reply, a failure or
/// cancellation, whichever comes first.
final class PendingCall<Value: Sendable>: ReplyTarget, @unchecked Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<Value, any Error>)
        case done(Result<Value, any Error>?)
    }

    private let state = Mutex<State>(.idle)
    private let decode: @Sendable (borrowing MessageReader) throws -> Value

    init(operation: String, decode: @escaping @Sendable (borrowing MessageReader) throws -> Value) {
        self.decode = decode
        super.init(operation: operation)
    }

    /// False when the call already ended (cancelled before it started): the continuation has
    /// then been resumed here.
    func attach(_ continuation: CheckedContinuation<Value, any Error>) -> Bool {
        let early: Result<Value, any Error>? = state.withLock { state in
            if case let .done(result) = state { return result ?? .failure(CancellationError()) }
            state = .waiting(continuation)
            return nil
        }
        if let early { continuation.resume(with: early); return false }
        return true
    }

    override var isWaiting: Bool {
        state.withLock { if case .waiting = $0 { true } else { false } }
    }

    override func receive(_ message: OpaquePointer) {
        if let error = sd_bus_message_get_error(message), sd_bus_error_is_set(error) != 0 {
            finish(.failure(BusError(error, operation: operation)))
            return
        }
        let reader = MessageReader(message: message, operation: operation)
        do { finish(.success(try decode(reader))) } catch { finish(.failure(error)) }
    }

    override func fail(_ error: any Error) { finish(.failure(error)) }

    override func succeedWithoutReply() {
        if let value = () as? Value { finish(.success(value)) }
    }

    private func finish(_ result: Result<Value, any Error>) {
        let continuation: CheckedContinuation<Value, any Error>? = state.withLock { state in
            switch state {
            case .idle:
                state = .done(result)
                return nil
            case let .waiting(continuation):
                state = .done(nil)
                return continuation
            case .done:
                return nil
            }
        }
        continuation?.resume(with: result)
    }
}
