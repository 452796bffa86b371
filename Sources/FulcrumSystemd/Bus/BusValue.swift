/// A decoded D-Bus variant: the property types systemd's Unit and Service interfaces use.
public enum BusValue: Sendable, Hashable {
    case string(String)
    case bool(Bool)
    case int32(Int32)
    case uint32(UInt32)
    case int64(Int64)
    case uint64(UInt64)
    case double(Double)
    case strings([String])
    /// A type Fulcrum does not read; the signature is kept for diagnostics.
    case unsupported(signature: String)

    public var string: String? { if case let .string(value) = self { value } else { nil } }

    public var uint64: UInt64? {
        switch self {
        case let .uint64(value): value
        case let .uint32(value): UInt64(value)
        case let .int64(value) where value >= 0: UInt64(value)
        case let .int32(value) where value >= 0: UInt64(value)
        default: nil
        }
    }
}
