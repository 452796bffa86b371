/// Why a decision came out as it did: a machine-readable code, the role it concerns (if
/// one), and a sentence with the numbers for people.
public struct DecisionReason: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
        case demandFits = "demand_fits"
        case overBudget = "over_budget"
        case scaleUp = "scale_up"
        case scaleDown = "scale_down"
        case withinTolerance = "within_tolerance"
        case scaleDownStabilised = "scale_down_stabilised"
        case scaleUpStabilised = "scale_up_stabilised"
        case scaleUpPaced = "scale_up_paced"
        case stepLimited = "step_limited"
        case flipCooldown = "flip_cooldown"
        case roleMinimum = "role_minimum"
        case roleMaximum = "role_maximum"
        case minimumTotalGPUs = "minimum_total_gpus"
        case noTraffic = "no_traffic"
        case capacityUnknown = "capacity_unknown"
        case ttftCorrection = "ttft_correction"
        case tpotCorrection = "tpot_correction"
        case backlog = "backlog"
        case ttftNotCapacity = "ttft_not_capacity"
        case kvTransferBound = "kv_transfer_bound"
        case prefixCacheHits = "prefix_cache_hits"
        case prefixCachesDrained = "prefix_caches_drained"
        case routingImbalance = "routing_imbalance"
        case learningTraffic = "learning_traffic"
        case burstyTraffic = "bursty_traffic"
        case forecastRising = "forecast_rising"
        case demandRising = "demand_rising"
        case rampOutrunsFleet = "ramp_outruns_fleet"
        case burstFloor = "burst_floor"
        case telemetryStale = "telemetry_stale"
        case telemetryPartial = "telemetry_partial"
        case overridePaused = "override_paused"
        case overrideCounts = "override_counts"
        case overrideRatio = "override_ratio"
        case overrideBounds = "override_bounds"
        case overrideExpired = "override_expired"
        case waitingForGPUs = "waiting_for_gpus"
        case gpusBackingOff = "gpus_backing_off"
        case reuseDrainingWorker = "reuse_draining_worker"
    }

    public var code: Code
    public var role: Role?
    public var message: String

    public init(_ code: Code, role: Role? = nil, _ message: String) {
        self.code = code
        self.role = role
        self.message = message
    }

    public var description: String {
        role.map { "\(code.rawValue)[\($0)]: \(message)" } ?? "\(code.rawValue): \(message)"
    }
}
