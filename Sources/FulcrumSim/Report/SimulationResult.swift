import Foundation
import FulcrumCore

/// The summary of one run, as written to JSON for comparing policies.
public struct SimulationResult: Sendable, Hashable, Codable {
    public var policy: String
    public var profile: String
    public var seed: UInt64
    public var gpuBudget: Int
    public var requests: Int
    public var completed: Int
    /// Unservable plus unfinished.
    public var failed: Int
    public var unservable: Int
    public var unfinished: Int
    /// Requests meeting both latency targets over all requests (failures miss), 0…1.
    public var sloAttainment: Double
    /// Requests that could meet the SLO alone on idle instances (`Profile.isFeasible`).
    public var feasibleRequests: Int
    /// Requests no configuration could serve in time (too slow alone, or never admissible).
    public var infeasibleRequests: Int
    /// Feasible requests meeting both targets over feasible requests, 0…1 (1 when none is
    /// feasible): the attainment scaling can influence.
    public var sloAttainmentFeasible: Double
    /// SLO-meeting requests per second of trace (trace duration = the last arrival time,
    /// traces starting at 0; at least 1 s).
    public var goodputRPS: Double
    /// SLO-meeting requests per GPU-hour held.
    public var goodputPerGPUHour: Double
    public var ttftP50: Double?
    public var ttftP99: Double?
    public var tpotP50: Double?
    public var tpotP99: Double?
    /// ∫ GPUs held dt (starting, ready and draining workers all hold GPUs), hours.
    public var gpuHours: Double
    /// GPU-hours held by each role's workers (starting and draining included).
    public var gpuHoursByRole: PerRole<Double>?
    /// Share of prompt tokens the prefill instances found in their prefix caches, for traces
    /// with prefix hashes.
    public var prefixHitRate: Double?
    /// Output tokens of completed requests per GPU-second held.
    public var outputTokensPerGPUSecond: Double
    /// Actions applied (starts, drains, cancelled drains), excluding no-ops and rejections.
    public var scaleActions: Int
    public var rejectedActions: Int
    /// Starts of one role on a node where a worker of the other role was drained in the
    /// same or the previous tick (see `RoleFlipCounter`).
    public var roleFlips: Int
    public var traceDurationSeconds: Double
    /// Simulated time until the last request resolved.
    public var simulatedSeconds: Double
    public var sloTTFTSeconds: Double
    public var sloTPOTSeconds: Double
    public var timelineIntervalSeconds: Double
    public var timeline: [TimelineEntry]

    enum CodingKeys: String, CodingKey {
        case policy, profile, seed, requests, completed, failed, unservable, unfinished, timeline
        case gpuBudget = "gpu_budget"
        case sloAttainment = "slo_attainment"
        case feasibleRequests = "feasible_requests"
        case infeasibleRequests = "infeasible_requests"
        case sloAttainmentFeasible = "slo_attainment_feasible"
        case goodputRPS = "goodput_rps"
        case goodputPerGPUHour = "goodput_per_gpu_hour"
        case ttftP50 = "ttft_p50_s"
        case ttftP99 = "ttft_p99_s"
        case tpotP50 = "tpot_p50_s"
        case tpotP99 = "tpot_p99_s"
        case gpuHours = "gpu_hours"
        case gpuHoursByRole = "gpu_hours_by_role"
        case prefixHitRate = "prefix_hit_rate"
        case outputTokensPerGPUSecond = "output_tokens_per_gpu_s"
        case scaleActions = "scale_actions"
        case rejectedActions = "rejected_actions"
        case roleFlips = "role_flips"
        case traceDurationSeconds = "trace_duration_s"
        case simulatedSeconds = "simulated_s"
        case sloTTFTSeconds = "slo_ttft_s"
        case sloTPOTSeconds = "slo_tpot_s"
        case timelineIntervalSeconds = "timeline_interval_s"
    }

    /// Missing percentiles (no completed request) are written as `null`, keeping every key.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(policy, forKey: .policy)
        try container.encode(profile, forKey: .profile)
        try container.encode(seed, forKey: .seed)
        try container.encode(gpuBudget, forKey: .gpuBudget)
        try container.encode(requests, forKey: .requests)
        try container.encode(completed, forKey: .completed)
        try container.encode(failed, forKey: .failed)
        try container.encode(unservable, forKey: .unservable)
        try container.encode(unfinished, forKey: .unfinished)
        try container.encode(sloAttainment, forKey: .sloAttainment)
        try container.encode(feasibleRequests, forKey: .feasibleRequests)
        try container.encode(infeasibleRequests, forKey: .infeasibleRequests)
        try container.encode(sloAttainmentFeasible, forKey: .sloAttainmentFeasible)
        try container.encode(goodputRPS, forKey: .goodputRPS)
        try container.encode(goodputPerGPUHour, forKey: .goodputPerGPUHour)
        try container.encode(ttftP50, forKey: .ttftP50)
        try container.encode(ttftP99, forKey: .ttftP99)
        try container.encode(tpotP50, forKey: .tpotP50)
        try container.encode(tpotP99, forKey: .tpotP99)
        try container.encode(gpuHours, forKey: .gpuHours)
        try container.encodeIfPresent(gpuHoursByRole, forKey: .gpuHoursByRole)
        try container.encodeIfPresent(prefixHitRate, forKey: .prefixHitRate)
        try container.encode(outputTokensPerGPUSecond, forKey: .outputTokensPerGPUSecond)
        try container.encode(scaleActions, forKey: .scaleActions)
        try container.encode(rejectedActions, forKey: .rejectedActions)
        try container.encode(roleFlips, forKey: .roleFlips)
        try container.encode(traceDurationSeconds, forKey: .traceDurationSeconds)
        try container.encode(simulatedSeconds, forKey: .simulatedSeconds)
        try container.encode(sloTTFTSeconds, forKey: .sloTTFTSeconds)
        try container.encode(sloTPOTSeconds, forKey: .sloTPOTSeconds)
        try container.encode(timelineIntervalSeconds, forKey: .timelineIntervalSeconds)
        try container.encode(timeline, forKey: .timeline)
    }

    /// Pretty, key-sorted JSON: byte-identical for identical runs, diff-friendly across runs.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}
