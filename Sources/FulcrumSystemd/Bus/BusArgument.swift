/// One argument of a method call, as a value so a call can be logged (dry-run) exactly as it
/// would be sent.
public enum BusArgument: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case objectPath(String)
    case bool(Bool)
    case int32(Int32)
    case uint32(UInt32)
    case uint64(UInt64)
    case strings([String])

    public var description: String {
        switch self {
        case let .string(value): "\"\(value)\""
        case let .objectPath(value): value
        case let .bool(value): "\(value)"
        case let .int32(value): "\(value)"
        case let .uint32(value): "\(value)"
        case let .uint64(value): "\(value)"
        case let .strings(values): "[" + values.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        }
    }
}

/// A method call addressed to one object, with its arguments.
public struct BusMethodCall: Sendable, Hashable, CustomStringConvertible {
    public var destination: String
    public var path: String
    public var interface: String
    public var member: String
    public var arguments: [BusArgument]

    public init(destination: String, path: String, interface: String, member: String, arguments: [BusArgument] = []) {
        self.destination = destination
        self.path = path
        self.interface = interface
        self.member = member
        self.arguments = arguments
    }

    /// `Member(arg, arg)`: how logs and errors name the call.
    public var description: String {
        "\(member)(\(arguments.map(\.description).joined(separator: ", ")))"
    }
}
