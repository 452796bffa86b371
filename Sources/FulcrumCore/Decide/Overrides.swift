/// A manual override with an optional expiry and the operator's reason.
public struct Expiring<Value: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
    public var value: Value
    public var expiresAt: Timestamp?
    public var reason: String?

    public init(_ value: Value, expiresAt: Timestamp? = nil, reason: String? = nil) {
        self.value = value
        self.expiresAt = expiresAt
        self.reason = reason
    }

    public func isActive(at now: Timestamp) -> Bool { expiresAt.map { now < $0 } ?? true }
}

/// A prefill:decode instance ratio, e.g. 1:3.
public struct InstanceRatio: Sendable, Hashable, Codable, CustomStringConvertible {
    public var prefill: Int
    public var decode: Int

    public init(prefill: Int, decode: Int) {
        self.prefill = prefill
        self.decode = decode
    }

    public var description: String { "\(prefill):\(decode)" }
}

/// Per-role instance bounds set by hand, tightening the configured ones.
public struct RoleBounds: Sendable, Hashable, Codable {
    public var min: PerRole<Int?>
    public var max: PerRole<Int?>

    public init(min: PerRole<Int?> = PerRole(repeating: nil), max: PerRole<Int?> = PerRole(repeating: nil)) {
        self.min = min
        self.max = max
    }
}

/// What an operator has asked for by hand. Precedence: pause, then fixed counts, then a
/// fixed ratio; bounds apply to whatever the controller or the ratio computes.
public struct Overrides: Sendable, Hashable, Codable {
    /// Hold everything: no starts, no drains.
    public var pause: Expiring<Bool>?
    /// Run exactly these instance counts (clamped to the budget).
    public var counts: Expiring<PerRole<Int>>?
    /// Keep this prefill:decode instance ratio; the total still follows demand.
    public var ratio: Expiring<InstanceRatio>?
    public var bounds: Expiring<RoleBounds>?
    /// Workers an operator drained by hand: never put back into service by the controller,
    /// which starts replacements instead.
    public var manualDrains: Set<WorkerID> = []

    public init(
        pause: Expiring<Bool>? = nil,
        counts: Expiring<PerRole<Int>>? = nil,
        ratio: Expiring<InstanceRatio>? = nil,
        bounds: Expiring<RoleBounds>? = nil
    ) {
        self.pause = pause
        self.counts = counts
        self.ratio = ratio
        self.bounds = bounds
    }

    public static let none = Overrides()

    /// The overrides still in force at `now`, and the kinds that have expired.
    public func active(at now: Timestamp) -> (active: Overrides, expired: [OverrideKind]) {
        var active = self
        var expired: [OverrideKind] = []
        if let pause, !pause.isActive(at: now) { active.pause = nil; expired.append(.pause) }
        if let counts, !counts.isActive(at: now) { active.counts = nil; expired.append(.counts) }
        if let ratio, !ratio.isActive(at: now) { active.ratio = nil; expired.append(.ratio) }
        if let bounds, !bounds.isActive(at: now) { active.bounds = nil; expired.append(.bounds) }
        if active.pause?.value == false { active.pause = nil }
        return (active, expired)
    }
}

public enum OverrideKind: String, Sendable, Hashable, Codable, CaseIterable {
    case pause
    case counts
    case ratio
    case bounds
}
