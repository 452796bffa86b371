/// How to reach one node's service manager.
public enum SystemdEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The local system manager (`sd_bus_open_system`): production, as root or with polkit.
    case system
    /// The calling user's manager (`sd_bus_open_user`, from `$XDG_RUNTIME_DIR/bus`).
    case user
    /// A remote system manager through `ssh destination systemd-stdio-bridge`
    /// (`sd_bus_open_system_remote`); `destination` is `user@host` or `host`.
    case ssh(destination: String)
    /// An explicit D-Bus address, e.g. `unix:path=/run/user/0/bus` (a bus broker, not the
    /// manager's private socket: signals need a broker to route them).
    case address(String)

    /// Parses the configuration form: `system`, `user`, `ssh:user@host`, or a D-Bus address
    /// (anything containing `:` and `=`, e.g. `unix:path=/run/user/0/bus`).
    /// A port after the host (outside IPv6 brackets) must be a number from 1 to 65535.
    private static func portIsValid(in destination: String) -> Bool {
        let host = destination.split(separator: "@", maxSplits: 1).last.map(String.init) ?? destination
        let afterBrackets = host.hasPrefix("[") ? String(host[(host.firstIndex(of: "]") ?? host.endIndex)...].dropFirst()) : host
        guard let colon = afterBrackets.firstIndex(of: ":") else { return true }
        let port = afterBrackets[afterBrackets.index(after: colon)...]
        return Int(port).map { (1...65535).contains($0) } ?? false
    }

    public init(parsing text: String) throws(ActuatorError) {
        switch text {
        case "system": self = .system
        case "user": self = .user
        case _ where text.hasPrefix("ssh:"):
            let destination = String(text.dropFirst(4))
            // sd-bus passes the destination to ssh as one argument after "--", but a leading
            // "-" or a shell-looking character has no business in a host name anyway.
            // systemd 252 reads [user@]host[:port], host possibly a bracketed IPv6 address.
            guard !destination.isEmpty,
                  destination.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || "@._-:[]".contains($0) }),
                  !destination.hasPrefix("-"),
                  Self.portIsValid(in: destination)
            else {
                throw ActuatorError(.invalidConfiguration, "The endpoint '\(text)' has no valid ssh destination; write it as ssh:user@host or ssh:user@host:port.")
            }
            self = .ssh(destination: destination)
        case _ where text.contains(":") && text.contains("="):
            self = .address(text)
        default:
            throw ActuatorError(.invalidConfiguration, "The endpoint '\(text)' is not system, user, ssh:user@host or a D-Bus address such as unix:path=/run/user/0/bus; use one of those.")
        }
    }

    /// What an operator checks when the manager behind this endpoint cannot be reached.
    public var reachabilityCheck: String {
        switch self {
        case .system: "check that the system bus runs (`systemctl status dbus`)"
        case .user: "check that the user manager's bus is at $XDG_RUNTIME_DIR/bus (`systemctl --user status`)"
        case let .ssh(destination):
            "check that fulcrumd's user reaches it without a prompt: `systemctl -H \(destination) list-units` as that user (see docs/deploy.md)"
        case let .address(address): "check that a bus answers at \(address)"
        }
    }

    public var description: String {
        switch self {
        case .system: "system"
        case .user: "user"
        case let .ssh(destination): "ssh:\(destination)"
        case let .address(address): address
        }
    }
}
