import FulcrumTelemetry
import NIOCore

/// A server of the emulator that could not open its listening socket, as one sentence naming
/// the address: "cannot listen on 127.0.0.1:8000 (address already in use); …" rather than
/// NIO's `bind(descriptor:ptr:bytes:)` text, which names neither the address nor the port.
public struct ListenFailure: Error, Sendable, CustomStringConvertible {
    public var address: String
    public var problem: String
    public var unresolvable: Bool

    public var description: String {
        unresolvable
            ? "cannot listen on \(address) (the host name does not resolve); give a local address such as 127.0.0.1."
            : "cannot listen on \(address) (\(problem)); pick a free port (0 lets the system choose) or another local address."
    }

    /// `error` as a listen failure when it is one (a socket or name-resolution error from
    /// binding `address`); any other error unchanged.
    public static func wrapping(_ error: any Error, address: String) -> any Error {
        if error is SocketAddressError.UnknownHost {
            return ListenFailure(address: address, problem: "", unresolvable: true)
        }
        if error is IOError || error is SocketAddressError {
            return ListenFailure(address: address, problem: TransportProblem.describe(error), unresolvable: false)
        }
        return error
    }
}
