import FulcrumCore

/// The overrides in force, as the control API shows them.
///
/// The core's `Overrides` keeps its own Codable form for the state file; this is the wire form,
/// snake_case like the rest of the API, with expiries as Unix seconds.
public struct OverridesView: Sendable, Hashable, Codable {
    /// One override: its value, when it lapses (nil: until cleared) and why it was set.
    public struct Entry<Value: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
        public var value: Value
        public var expiresAt: Double?
        public var reason: String?

        enum CodingKeys: String, CodingKey {
            case value, reason
            case expiresAt = "expires_at"
        }

        init(_ expiring: Expiring<Value>) {
            value = expiring.value
            expiresAt = expiring.expiresAt?.seconds
            reason = expiring.reason
        }
    }

    public struct Bounds: Sendable, Hashable, Codable {
        public var minPrefill: Int?
        public var minDecode: Int?
        public var maxPrefill: Int?
        public var maxDecode: Int?

        enum CodingKeys: String, CodingKey {
            case minPrefill = "min_prefill", minDecode = "min_decode", maxPrefill = "max_prefill", maxDecode = "max_decode"
        }

        init(_ bounds: RoleBounds) {
            minPrefill = bounds.min.prefill
            minDecode = bounds.min.decode
            maxPrefill = bounds.max.prefill
            maxDecode = bounds.max.decode
        }
    }

    public var pause: Entry<Bool>?
    public var counts: Entry<PerRole<Int>>?
    public var ratio: Entry<InstanceRatio>?
    public var bounds: Entry<Bounds>?
    /// Workers drained by hand, which the controller never puts back into service.
    public var manualDrains: [String]
    /// GPUs (by node) those workers held: used for new workers only when no others fit. Absent
    /// when there are none (and from daemons older than this field).
    public var handDrainedGPUs: [String: [Int]]?

    enum CodingKeys: String, CodingKey {
        case pause, counts, ratio, bounds
        case manualDrains = "manual_drains"
        case handDrainedGPUs = "hand_drained_gpus"
    }

    public init(_ overrides: Overrides) {
        pause = overrides.pause.map(Entry.init)
        counts = overrides.counts.map(Entry.init)
        ratio = overrides.ratio.map(Entry.init)
        bounds = overrides.bounds.map { Entry(Expiring(Bounds($0.value), expiresAt: $0.expiresAt, reason: $0.reason)) }
        manualDrains = overrides.manualDrains.map(\.rawValue).sorted()
        handDrainedGPUs = overrides.handDrainedGPUs.isEmpty ? nil : overrides.handDrainedGPUs.mapValues { $0.sorted() }
    }

    /// The kinds in force, for a one-line summary.
    public var kinds: [String] {
        [pause.map { _ in "pause" }, counts.map { _ in "counts" }, ratio.map { _ in "ratio" }, bounds.map { _ in "bounds" }]
            .compactMap { $0 }
    }
}
