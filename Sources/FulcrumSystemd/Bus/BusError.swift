import CSystemd
import Glibc

/// A failed sd-bus operation: the D-Bus error name and message the peer (or sd-bus) gave.
///
/// Local failures (a closed socket, a timeout) carry the synthetic name sd-bus maps the errno
/// to, so callers can match on `name` in one place whichever side failed.
public struct BusError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The D-Bus error name, e.g. `org.freedesktop.systemd1.NoSuchUnit`.
    public var name: String
    /// The human message that came with it.
    public var message: String
    /// The errno sd-bus maps `name` to (positive), 0 when it has none.
    public var errno: Int32
    /// What was being done, e.g. `StartUnit("llm-prefill@g0.service", "fail") on node0`.
    public var operation: String

    public init(name: String, message: String, errno: Int32 = 0, operation: String) {
        self.name = name
        self.message = message
        self.errno = errno
        self.operation = operation
    }

    /// A failure sd-bus reported as a negative errno return value.
    init(returnCode: Int32, operation: String) {
        let code = returnCode < 0 ? -returnCode : returnCode
        self.init(
            name: Self.name(forErrno: code),
            message: String(cString: strerror(code)),
            errno: code,
            operation: operation
        )
    }

    /// A failure carried in an `sd_bus_error` (a method error reply).
    init(_ error: UnsafePointer<sd_bus_error>, operation: String) {
        let name = error.pointee.name.map { String(cString: $0) } ?? "org.freedesktop.DBus.Error.Failed"
        let message = error.pointee.message.map { String(cString: $0) } ?? ""
        var copy = error.pointee
        self.init(name: name, message: message, errno: sd_bus_error_get_errno(&copy), operation: operation)
    }

    public var description: String {
        let detail = message.droppingFinalPeriod
        return "\(operation) failed with \(name)\(detail.isEmpty ? "" : ": \(detail)")" + (hint.map { "; \($0)" } ?? "") + "."
    }

    /// What to do about the failures an operator meets while setting a node up.
    var hint: String? {
        switch name {
        case "org.freedesktop.DBus.Error.AccessDenied", "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired":
            "allow fulcrumd's user to manage the worker templates on that node (systemd/50-fulcrum.rules in /etc/polkit-1/rules.d, see docs/deploy.md)"
        default:
            nil
        }
    }

    /// The peer went away or the connection was closed; the call may or may not have run.
    public var isDisconnect: Bool {
        name == "org.freedesktop.DBus.Error.Disconnected" || name == "org.freedesktop.DBus.Error.NoReply"
            && message.lowercased().contains("connection")
            || [ECONNRESET, ENOTCONN, EPIPE, ECONNREFUSED, ENOENT, ESHUTDOWN].contains(errno)
    }

    public var isNoSuchUnit: Bool {
        name == "org.freedesktop.systemd1.NoSuchUnit" || name == "org.freedesktop.systemd1.LoadFailed"
    }

    static func name(forErrno code: Int32) -> String {
        switch code {
        case ENOTCONN, ECONNRESET, EPIPE, ESHUTDOWN: "org.freedesktop.DBus.Error.Disconnected"
        case ETIMEDOUT: "org.freedesktop.DBus.Error.Timeout"
        case ENOENT, ECONNREFUSED: "org.freedesktop.DBus.Error.FileNotFound"
        case EACCES, EPERM: "org.freedesktop.DBus.Error.AccessDenied"
        case ENOMEM: "org.freedesktop.DBus.Error.NoMemory"
        case EINVAL: "org.freedesktop.DBus.Error.InvalidArgs"
        case ECANCELED: "org.freedesktop.DBus.Error.Cancelled"
        default: "System.Error.\(code)"
        }
    }
}

extension String {
    /// The sentence without its closing period, to be embedded in another sentence.
    var droppingFinalPeriod: String { hasSuffix(".") ? String(dropLast()) : self }
}
