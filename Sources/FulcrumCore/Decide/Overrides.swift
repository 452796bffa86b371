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

/// The largest values an override may name, whoever sends it (the control socket, `decide`):
/// beyond them a count is a typo, and the controller's arithmetic is sized for fleets, not for
/// numbers near `Int.max`.
public enum OverrideLimits {
    public static let instances = 100_000
    public static let ratioPart = 1000
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
    /// GPUs (by node) of workers drained by hand: new instances go there only when no other GPUs
    /// fit, since an operator who empties a slot usually wants it empty (a GPU to inspect, a
    /// node to service). Forgotten once a worker serves on them again.
    public var handDrainedGPUs: [String: Set<Int>] = [:]

    public init(
        pause: Expiring<Bool>? = nil,
        counts: Expiring<PerRole<Int>>? = nil,
        ratio: Expiring<InstanceRatio>? = nil,
        bounds: Expiring<RoleBounds>? = nil,
        manualDrains: Set<WorkerID> = [],
        handDrainedGPUs: [String: Set<Int>] = [:]
    ) {
        self.pause = pause
        self.counts = counts
        self.ratio = ratio
        self.bounds = bounds
        self.manualDrains = manualDrains
        self.handDrainedGPUs = handDrainedGPUs
    }

    enum CodingKeys: String, CodingKey {
        case pause, counts, ratio, bounds, manualDrains, handDrainedGPUs
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        pause = try container.decodeIfPresent(Expiring<Bool>.self, forKey: .pause)
        counts = try container.decodeIfPresent(Expiring<PerRole<Int>>.self, forKey: .counts)
        ratio = try container.decodeIfPresent(Expiring<InstanceRatio>.self, forKey: .ratio)
        bounds = try container.decodeIfPresent(Expiring<RoleBounds>.self, forKey: .bounds)
        manualDrains = try container.decodeIfPresent(Set<WorkerID>.self, forKey: .manualDrains) ?? []
        // State files written before hand-drained GPUs were kept have none.
        handDrainedGPUs = try container.decodeIfPresent([String: Set<Int>].self, forKey: .handDrainedGPUs) ?? [:]
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

/// A change an operator asks for by hand (over the control socket), validated before it
/// touches the overrides.
public enum OverrideRequest: Sendable, Hashable {
    case ratio(InstanceRatio)
    case counts(PerRole<Int>)
    case bounds(RoleBounds)
    case pause
    case resume
    case clear(OverrideKind?)
}

extension Overrides {
    /// The overrides after `request`, and one line saying what changed, for people and for
    /// grep: `override bounds max decode 7 for 1h`.
    public func applying(_ request: OverrideRequest, now: Timestamp, ttlSeconds: Double?, reason: String?) -> (Overrides, String) {
        var next = self
        let expiry = ttlSeconds.map { now + $0 }
        let lasting = ttlSeconds.map { " for \(Self.spoken($0))" } ?? ""
        switch request {
        case let .ratio(ratio):
            next.ratio = Expiring(ratio, expiresAt: expiry, reason: reason)
            return (next, "override ratio \(ratio)\(lasting)")
        case let .counts(counts):
            next.counts = Expiring(counts, expiresAt: expiry, reason: reason)
            return (next, "override counts prefill \(counts.prefill), decode \(counts.decode)\(lasting)")
        case let .bounds(bounds):
            next.bounds = Expiring(bounds, expiresAt: expiry, reason: reason)
            return (next, "override bounds \(Self.spoken(bounds))\(lasting)")
        case .pause:
            next.pause = Expiring(true, expiresAt: expiry, reason: reason)
            return (next, "pause\(lasting)")
        case .resume:
            next.pause = nil
            return (next, "resume")
        case let .clear(kind):
            next.clear(kind)
            return (next, "clear \(kind?.rawValue ?? "all") overrides")
        }
    }

    private mutating func clear(_ kind: OverrideKind?) {
        switch kind {
        case nil: self = Overrides(manualDrains: manualDrains, handDrainedGPUs: handDrainedGPUs)
        case .pause?: pause = nil
        case .counts?: counts = nil
        case .ratio?: ratio = nil
        case .bounds?: bounds = nil
        }
    }

    /// Records a hand drain of `worker`, which holds `gpus` on `node`.
    public mutating func drainByHand(_ worker: WorkerID, node: String, gpus: [Int]) {
        manualDrains.insert(worker)
        handDrainedGPUs[node, default: []].formUnion(gpus)
    }

    /// Hand drains of workers that are gone need no more protecting, and hand-drained GPUs a
    /// worker serves on again (placed there as a last resort) are ordinary GPUs again.
    public mutating func forgetDrains(given workers: [WorkerSnapshot]) {
        let present = Set(workers.map(\.id))
        manualDrains = manualDrains.filter(present.contains)
        for worker in workers where worker.isCapacity && !manualDrains.contains(worker.id) {
            guard let setAside = handDrainedGPUs[worker.node] else { continue }
            let left = setAside.subtracting(worker.gpus)
            handDrainedGPUs[worker.node] = left.isEmpty ? nil : left
        }
    }

    /// `min prefill 1, max decode 7`: only the bounds that are set.
    static func spoken(_ bounds: RoleBounds) -> String {
        let parts = Role.allCases.compactMap { role in bounds.min[role].map { "min \(role) \($0)" } }
            + Role.allCases.compactMap { role in bounds.max[role].map { "max \(role) \($0)" } }
        return parts.joined(separator: ", ")
    }

    /// `90 s`, `30m`, `2h`: whole minutes and hours as operators write them.
    static func spoken(_ seconds: Double) -> String {
        guard seconds.isFinite, abs(seconds) < 1e15 else { return "\(seconds) s" }
        let whole = Int(seconds.rounded())
        if whole >= 3600, whole % 3600 == 0 { return "\(whole / 3600)h" }
        if whole >= 60, whole % 60 == 0 { return "\(whole / 60)m" }
        return "\(whole) s"
    }
}
