import FulcrumCore

/// One run of a frontier study, reduced to what the plot and the summary need.
public struct FrontierPoint: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A fixed split, ready at t = 0 and held throughout.
        case `static`
        /// A baseline policy taking over the warm-start fleet.
        case dynamic
        /// Fulcrum's controller taking over the warm-start fleet, at one headroom setting.
        case fulcrum
    }

    /// The policy's name: `static:P:D`, a baseline's name, `fulcrum` or `fulcrum@H`.
    public var name: String
    public var kind: Kind
    /// Instance counts of a fixed split; `nil` for dynamic policies.
    public var split: PerRole<Int>?
    /// `ControllerConfiguration.headroom` of a Fulcrum point; `nil` otherwise.
    public var headroom: Double?
    public var gpuHours: Double
    /// Over all requests, 0…1.
    public var sloAttainment: Double
    /// Over feasible requests (`Profile.isFeasible`), 0…1: the y axis of the frontier.
    public var sloAttainmentFeasible: Double
    public var scaleActions: Int
    public var roleFlips: Int
    /// Applied scale actions per hour of trace.
    public var scaleEventsPerHour: Double
    /// Role flips per 10 minutes of trace.
    public var roleFlipsPer10Minutes: Double
    /// GPU-hours each role held (prefill caching studies compare the prefill share).
    public var gpuHoursByRole: PerRole<Double>?
    /// Share of prompt tokens the prefill workers' prefix caches held; nil for traces without
    /// prefix hashes.
    public var prefixHitRate: Double?

    public init(
        name: String, kind: Kind, split: PerRole<Int>? = nil, headroom: Double? = nil,
        gpuHours: Double, sloAttainment: Double, sloAttainmentFeasible: Double,
        scaleActions: Int = 0, roleFlips: Int = 0, scaleEventsPerHour: Double = 0, roleFlipsPer10Minutes: Double = 0
    ) {
        self.name = name
        self.kind = kind
        self.split = split
        self.headroom = headroom
        self.gpuHours = gpuHours
        self.sloAttainment = sloAttainment
        self.sloAttainmentFeasible = sloAttainmentFeasible
        self.scaleActions = scaleActions
        self.roleFlips = roleFlips
        self.scaleEventsPerHour = scaleEventsPerHour
        self.roleFlipsPer10Minutes = roleFlipsPer10Minutes
    }

    /// The point of a finished run; rates are per hour (per 10 minutes) of trace.
    public init(result: SimulationResult, kind: Kind, split: PerRole<Int>? = nil, headroom: Double? = nil) {
        let traceSeconds = max(1, result.traceDurationSeconds)
        self.init(
            name: result.policy, kind: kind, split: split, headroom: headroom,
            gpuHours: result.gpuHours,
            sloAttainment: result.sloAttainment,
            sloAttainmentFeasible: result.sloAttainmentFeasible,
            scaleActions: result.scaleActions,
            roleFlips: result.roleFlips,
            scaleEventsPerHour: Double(result.scaleActions) / (traceSeconds / 3600),
            roleFlipsPer10Minutes: Double(result.roleFlips) / (traceSeconds / 600)
        )
        gpuHoursByRole = result.gpuHoursByRole
        prefixHitRate = result.prefixHitRate
    }

    enum CodingKeys: String, CodingKey {
        case name, kind, split, headroom
        case gpuHours = "gpu_hours"
        case sloAttainment = "slo_attainment"
        case sloAttainmentFeasible = "slo_attainment_feasible"
        case scaleActions = "scale_actions"
        case roleFlips = "role_flips"
        case scaleEventsPerHour = "scale_events_per_hour"
        case roleFlipsPer10Minutes = "role_flips_per_10_min"
        case gpuHoursByRole = "gpu_hours_by_role"
        case prefixHitRate = "prefix_hit_rate"
    }

    /// Every key is written; an absent split or headroom is `null`; role GPU-hours and the
    /// hit rate only when known.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(kind, forKey: .kind)
        try container.encode(split, forKey: .split)
        try container.encode(headroom, forKey: .headroom)
        try container.encode(gpuHours, forKey: .gpuHours)
        try container.encode(sloAttainment, forKey: .sloAttainment)
        try container.encode(sloAttainmentFeasible, forKey: .sloAttainmentFeasible)
        try container.encode(scaleActions, forKey: .scaleActions)
        try container.encode(roleFlips, forKey: .roleFlips)
        try container.encode(scaleEventsPerHour, forKey: .scaleEventsPerHour)
        try container.encode(roleFlipsPer10Minutes, forKey: .roleFlipsPer10Minutes)
        try container.encodeIfPresent(gpuHoursByRole, forKey: .gpuHoursByRole)
        try container.encodeIfPresent(prefixHitRate, forKey: .prefixHitRate)
    }
}
