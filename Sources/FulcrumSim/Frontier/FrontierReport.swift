import Foundation
import FulcrumCore

/// What `fulcrum-sim frontier` writes with `--json`: every run as a point, the Pareto frontier
/// of the fixed splits, the GPU-hour lower bound and the summary for Fulcrum. The JSON is this
/// type's encoding (snake_case keys, `schema_version`), so readers decode it rather than pick at it.
public struct FrontierReport: Sendable, Hashable, Codable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    /// What was studied, as the caller named it (e.g. the trace's path).
    public var label: String
    public var profile: String
    public var gpuBudget: Int
    public var sloTTFTSeconds: Double
    public var sloTPOTSeconds: Double
    /// Share of requests that must meet both targets, 0…1 (the horizontal line of the plot).
    public var sloPercentile: Double
    public var requests: Int
    public var feasibleRequests: Int
    public var infeasibleRequests: Int
    /// The fleet every dynamic policy started from, ready at t = 0.
    public var warmStart: PerRole<Int>
    /// How it was chosen: `given`, `cheapest split meeting the SLO percentile` or
    /// `best-attainment split (none met the SLO percentile)`.
    public var warmStartRule: String
    /// Fixed splits (by prefill, then decode), then baselines, then Fulcrum (default first,
    /// then the sweep by headroom).
    public var points: [FrontierPoint]
    /// The fixed splits no other split beats on both GPU-hours and feasible attainment, cheapest first.
    public var paretoFrontier: [FrontierPoint]
    public var lowerBound: GPUHourLowerBound
    public var summary: FrontierSummary
    /// Fulcrum at its defaults at each phase of its tick (`FrontierStudy.tickPhases`), the
    /// default run (first tick at 0 s) first; nil in reports written before they were run.
    public var tickPhases: [FrontierSummary]?

    enum CodingKeys: String, CodingKey {
        case label, profile, requests, points, summary
        case sloTTFTSeconds = "slo_ttft_s"
        case sloTPOTSeconds = "slo_tpot_s"
        case sloPercentile = "slo_percentile"
        case schemaVersion = "schema_version"
        case gpuBudget = "gpu_budget"
        case feasibleRequests = "feasible_requests"
        case infeasibleRequests = "infeasible_requests"
        case warmStart = "warm_start"
        case warmStartRule = "warm_start_rule"
        case paretoFrontier = "pareto_frontier"
        case lowerBound = "lower_bound"
        case tickPhases = "tick_phases"
    }

    public var statics: [FrontierPoint] { points.filter { $0.kind == .static } }
    public var baselines: [FrontierPoint] { points.filter { $0.kind == .dynamic } }
    /// The least and the most of a figure over Fulcrum's tick phases (nil for a figure some
    /// phase lacks, such as a static ratio no split reaches, or without phases).
    public func tickPhaseRange(_ figure: (FrontierSummary) -> Double?) -> ClosedRange<Double>? {
        guard let phases = tickPhases, !phases.isEmpty else { return nil }
        let values = phases.compactMap(figure)
        guard values.count == phases.count, let low = values.min(), let high = values.max() else { return nil }
        return low...high
    }

    /// That range as text, "low–high" with `format` (a printf format) after scaling by `scale`.
    public func tickPhaseRangeText(_ figure: (FrontierSummary) -> Double?, format: String, scale: Double = 1) -> String? {
        tickPhaseRange(figure).map { String(format: "\(format)–\(format)", $0.lowerBound * scale, $0.upperBound * scale) }
    }

    /// Fulcrum's points ordered by headroom (the sweep as a line).
    public var fulcrumSweep: [FrontierPoint] {
        points.filter { $0.kind == .fulcrum }.sorted { ($0.headroom ?? 1) < ($1.headroom ?? 1) }
    }
}

/// Fulcrum at its default headroom against the fixed splits, on feasible attainment.
public struct FrontierSummary: Sendable, Hashable, Codable {
    public var policy: String
    public var gpuHours: Double
    public var sloAttainmentFeasible: Double
    /// Fulcrum's GPU-hours over the cheapest split with equal or better attainment; `nil`
    /// ("none") when no split reaches it.
    public var staticRatio: Double?
    public var staticRatioReference: String?
    /// Fulcrum's attainment minus the best split's using no more GPU-hours; `nil` when no
    /// split is that cheap.
    public var attainmentMargin: Double?
    public var attainmentMarginReference: String?
    public var roleFlipsPer10Minutes: Double
    public var scaleEventsPerHour: Double

    public init(point: FrontierPoint, statics: [FrontierPoint]) {
        let ratio = FrontierAnalysis.staticRatio(of: point, statics: statics)
        let margin = FrontierAnalysis.attainmentMargin(of: point, statics: statics)
        policy = point.name
        gpuHours = point.gpuHours
        sloAttainmentFeasible = point.sloAttainmentFeasible
        staticRatio = ratio?.ratio
        staticRatioReference = ratio?.reference.name
        attainmentMargin = margin?.margin
        attainmentMarginReference = margin?.reference.name
        roleFlipsPer10Minutes = point.roleFlipsPer10Minutes
        scaleEventsPerHour = point.scaleEventsPerHour
    }

    enum CodingKeys: String, CodingKey {
        case policy
        case gpuHours = "gpu_hours"
        case sloAttainmentFeasible = "slo_attainment_feasible"
        case staticRatio = "static_ratio"
        case staticRatioReference = "static_ratio_reference"
        case attainmentMargin = "attainment_margin"
        case attainmentMarginReference = "attainment_margin_reference"
        case roleFlipsPer10Minutes = "role_flips_per_10_min"
        case scaleEventsPerHour = "scale_events_per_hour"
    }

    /// Every key is written; "none" is `null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(policy, forKey: .policy)
        try container.encode(gpuHours, forKey: .gpuHours)
        try container.encode(sloAttainmentFeasible, forKey: .sloAttainmentFeasible)
        try container.encode(staticRatio, forKey: .staticRatio)
        try container.encode(staticRatioReference, forKey: .staticRatioReference)
        try container.encode(attainmentMargin, forKey: .attainmentMargin)
        try container.encode(attainmentMarginReference, forKey: .attainmentMarginReference)
        try container.encode(roleFlipsPer10Minutes, forKey: .roleFlipsPer10Minutes)
        try container.encode(scaleEventsPerHour, forKey: .scaleEventsPerHour)
    }
}
