/// A point in time, in seconds, on whatever timeline the caller uses.
///
/// The core never reads a clock: the daemon passes wall-clock seconds, the simulator its
/// simulated seconds, and tests any number they like. Only differences between timestamps
/// matter to the controller, so the epoch is the caller's choice.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var seconds: Double

    public init(seconds: Double) {
        self.seconds = seconds
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.seconds < rhs.seconds }

    public static func + (lhs: Timestamp, rhs: Double) -> Timestamp { Timestamp(seconds: lhs.seconds + rhs) }

    public static func - (lhs: Timestamp, rhs: Double) -> Timestamp { Timestamp(seconds: lhs.seconds - rhs) }

    /// Seconds elapsed from `rhs` to `lhs`.
    public static func - (lhs: Timestamp, rhs: Timestamp) -> Double { lhs.seconds - rhs.seconds }

    public var description: String { "t=\(seconds)s" }

    public init(from decoder: any Decoder) throws {
        seconds = try decoder.singleValueContainer().decode(Double.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(seconds)
    }
}
