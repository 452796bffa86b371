/// The phase of inference a worker serves.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Processes the prompt and emits the first token: compute-bound.
    case prefill
    /// Emits the remaining tokens one step at a time: memory-bound.
    case decode

    public var other: Role { self == .prefill ? .decode : .prefill }

    public var description: String { rawValue }
}

/// A value per role, used for counts, capacities and anything else the controller keeps per phase.
public struct PerRole<Value> {
    public var prefill: Value
    public var decode: Value

    public init(prefill: Value, decode: Value) {
        self.prefill = prefill
        self.decode = decode
    }

    public init(repeating value: Value) {
        self.init(prefill: value, decode: value)
    }

    public subscript(role: Role) -> Value {
        get { role == .prefill ? prefill : decode }
        // In place: with a plain setter, `perRole[role].append(x)` copied the whole array on
        // every append (the getter's copy shared its buffer), one allocation per element.
        _modify {
            switch role {
            case .prefill: yield &prefill
            case .decode: yield &decode
            }
        }
    }

    public func map<T>(_ transform: (Role, Value) throws -> T) rethrows -> PerRole<T> {
        PerRole<T>(prefill: try transform(.prefill, prefill), decode: try transform(.decode, decode))
    }
}

extension PerRole: Sendable where Value: Sendable {}
extension PerRole: Equatable where Value: Equatable {}
extension PerRole: Hashable where Value: Hashable {}
extension PerRole: Codable where Value: Codable {}

extension PerRole: CustomStringConvertible {
    public var description: String { "prefill=\(prefill) decode=\(decode)" }
}

/// The worker port rule (docs/systemd.md): a role's base port plus the lowest GPU index of the
/// worker's GPU set. GPU sets on one node are disjoint, so ports never collide on a node. The
/// actuator, the scraper and `systemd/fulcrum-unit-env` all follow it (a test holds the script
/// to it).
public enum WorkerPort {
    /// `workers.<role>.port_base` when the configuration leaves it out.
    public static let defaultBases = PerRole(prefill: 30000, decode: 30100)

    public static func port(base: Int, lowestGPU: Int) -> Int { base + lowestGPU }
}

/// How long a drain waits for a worker's in-flight requests before stopping its unit, when the
/// configuration does not say (`workers.<role>.drain_timeout`). A prefill finishes in seconds
/// and hands its KV over within a few more; a decode request may stream for minutes. The
/// shipped templates' `TimeoutStopSec=` lies above these (120 s prefill, 660 s decode).
public enum WorkerDrain {
    public static let defaultTimeouts = PerRole<Duration>(prefill: .seconds(60), decode: .seconds(600))
}
