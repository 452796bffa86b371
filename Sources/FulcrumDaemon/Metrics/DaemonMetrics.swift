import FulcrumCoordination
import FulcrumCore
import Prometheus
import Synchronization

/// fulcrumd's own Prometheus metrics: what it sees, what it decided and what it did.
///
/// One registry per daemon (not the process-global MetricsSystem), so tests can run several
/// daemons in one process and read each one's exposition. Names follow Prometheus
/// conventions: `fulcrum_` prefix, base units in the name, `_total` for counters.
package final class DaemonMetrics: Sendable {
    package let registry = PrometheusCollectorRegistry()
    /// The election's own counts as last recorded, so the counters advance by the difference.
    private let electionCounts = Mutex((changes: 0, fenced: 0))

    package init() {
        registry.gauge(name: "fulcrum_up", help: "1 while fulcrumd runs.").set(to: Double(1))
        for role in Role.allCases {
            for state in WorkerLifecycle.allCases {
                registry.gauge(name: "fulcrum_workers", labels: [("role", role.rawValue), ("state", state.rawValue)],
                                   help: "Workers by role and lifecycle state.").set(to: Double(0))
            }
        }
    }

    package func exposition() -> String { registry.emitToString() }

    package func record(decision: Decision, observation: FleetObservation, outcomes: [ActionReport], tickDuration: Duration, budget: Int) {
        recordFleet(observation, budget: budget)
        for role in Role.allCases { recordRole(role, decision: decision) }
        recordEstimate(decision.estimate)
        recordOutcome(decision, outcomes: outcomes, tickDuration: tickDuration)
    }

    /// Workers by state, GPUs held and held back, the budget.
    private func recordFleet(_ observation: FleetObservation, budget: Int) {
        for node in observation.nodes {
            registry.gauge(name: "fulcrum_gpus_backing_off", labels: [("node", node.name)],
                           help: "GPUs held back after failed starts until their backoff ends.").set(to: Double(node.backingOff.count))
        }
        for role in Role.allCases {
            for state in WorkerLifecycle.allCases {
                let count = observation.workers.filter { $0.role == role && $0.lifecycle == state }.count
                registry.gauge(name: "fulcrum_workers", labels: [("role", role.rawValue), ("state", state.rawValue)],
                                   help: "Workers by role and lifecycle state.").set(to: Double(count))
            }
        }
        let gpus = observation.workers.filter(\.holdsGPUs).reduce(0) { $0 + $1.gpus.count }
        registry.gauge(name: "fulcrum_gpus_in_use", help: "GPUs held by workers (starting, ready, draining).").set(to: Double(gpus))
        registry.gauge(name: "fulcrum_gpu_budget", help: "Most GPUs fulcrumd may hold.").set(to: Double(budget))
    }

    /// What the decision wants for one role and the numbers behind it.
    private func recordRole(_ role: Role, decision: Decision) {
        let labels = [("role", role.rawValue)]
        registry.gauge(name: "fulcrum_desired_instances", labels: labels,
                           help: "Instances the controller steers toward, after stabilisation.").set(to: Double(decision.desired[role]))
        registry.gauge(name: "fulcrum_recommended_instances", labels: labels,
                           help: "Instances the rate matcher asked for, before stabilisation.").set(to: Double(decision.recommended[role]))
        registry.gauge(name: "fulcrum_instances", labels: labels,
                           help: "Instances counted as capacity (ready plus starting).").set(to: Double(decision.current[role]))
        registry.gauge(name: "fulcrum_demand_tokens_per_second", labels: labels,
                           help: "Estimated work per second for the role, forecast plus backlog.").set(to: Double(finite(decision.estimate.demand[role])))
        registry.gauge(name: "fulcrum_capacity_tokens_per_second", labels: labels,
                           help: "Estimated capacity of one instance at its latency target, before corrections.")
            .set(to: Double(finite(decision.estimate.capacityPerInstance[role] ?? 0)))
        registry.gauge(name: "fulcrum_latency_correction_ratio", labels: labels,
                           help: "Multiplier applied to capacity after missed latency targets (1 = none).").set(to: Double(finite(decision.estimate.corrections[role])))
        registry.gauge(name: "fulcrum_unplaced_instances", labels: labels,
                           help: "Instances wanted but waiting for GPUs within the budget.").set(to: Double(decision.unplaced[role]))
    }

    /// The traffic estimate: arrivals, forecast, lengths, observed latency.
    private func recordEstimate(_ estimate: TrafficEstimate) {
        registry.gauge(name: "fulcrum_arrival_rate_requests_per_second", help: "Smoothed request arrival rate.").set(to: Double(finite(estimate.arrivalRate)))
        registry.gauge(name: "fulcrum_forecast_arrival_rate_requests_per_second",
                           help: "Arrival rate forecast one worker start-up time ahead.").set(to: Double(finite(estimate.forecastArrivalRate)))
        registry.gauge(name: "fulcrum_forecast_horizon_seconds", help: "Forecast horizon: the learned worker start-up time.")
            .set(to: Double(finite(estimate.forecastHorizonSeconds)))
        registry.gauge(name: "fulcrum_mean_input_tokens", help: "Smoothed mean prompt length.").set(to: Double(finite(estimate.meanInputTokens ?? 0)))
        registry.gauge(name: "fulcrum_mean_output_tokens", help: "Smoothed mean output length.").set(to: Double(finite(estimate.meanOutputTokens ?? 0)))
        registry.gauge(name: "fulcrum_prefix_cache_hit_ratio", help: "Smoothed share of prompt tokens found in the prefill workers' prefix caches (NaN while no engine reports it).")
            .set(to: Double(estimate.prefixHitRate ?? .nan))
        registry.gauge(name: "fulcrum_effective_input_tokens", help: "Prompt tokens prefill computes per request: the mean prompt less the cached share.")
            .set(to: Double(finite(estimate.effectiveInputTokens ?? 0)))
        registry.gauge(name: "fulcrum_kv_transfer_seconds", help: "Smoothed KV hand-off time from prefill to decode (NaN while no engine reports it).")
            .set(to: Double(estimate.kvTransferSeconds ?? .nan))
        registry.gauge(name: "fulcrum_observed_ttft_seconds", help: "TTFT at the SLO percentile over the latency window (NaN when unmeasured).")
            .set(to: Double(estimate.observedTTFT ?? .nan))
        registry.gauge(name: "fulcrum_observed_tpot_seconds", help: "TPOT at the SLO percentile over the latency window (NaN when unmeasured).")
            .set(to: Double(estimate.observedTPOT ?? .nan))
    }

    /// Why it decided, what happened, how long it took, which overrides were in force.
    private func recordOutcome(_ decision: Decision, outcomes: [ActionReport], tickDuration: Duration) {
        for reason in decision.reasons {
            registry.counter(name: "fulcrum_decision_reasons_total", labels: [("reason", reason.code.rawValue)],
                                 help: "Reasons carried by decisions, by code.").increment()
        }
        for outcome in outcomes {
            registry.counter(name: "fulcrum_actions_total", labels: [("kind", outcome.action.kind), ("outcome", outcome.result.rawValue)],
                                 help: "Actions executed, by kind and outcome.").increment()
        }
        registry.durationHistogram(name: "fulcrum_tick_duration_seconds", buckets: Self.tickBuckets,
                                       help: "Time one control-loop tick took.").record(tickDuration)
        for kind in OverrideKind.allCases {
            let active: Bool = switch kind {
            case .pause: decision.overrides.pause != nil
            case .counts: decision.overrides.counts != nil
            case .ratio: decision.overrides.ratio != nil
            case .bounds: decision.overrides.bounds != nil
            }
            registry.gauge(name: "fulcrum_override_active", labels: [("kind", kind.rawValue)],
                               help: "1 while a manual override of this kind is in force.").set(to: Double(active ? 1 : 0))
        }
    }

    package func recordReload(success: Bool) {
        registry.counter(name: "fulcrum_config_reloads_total", labels: [("result", success ? "success" : "failure")],
                             help: "Configuration reloads by result.").increment()
    }

    package func recordScrape(target: String, duration: Duration, success: Bool) {
        registry.durationHistogram(name: "fulcrum_scrape_duration_seconds", buckets: Self.scrapeBuckets,
                                       help: "Time to fetch and parse one worker's metrics.").record(duration)
        if !success {
            registry.counter(name: "fulcrum_scrape_failures_total", labels: [("target", target)],
                                 help: "Failed scrapes by target.").increment()
        }
    }

    /// One scrape round over every worker took `duration` of wall time.
    package func recordScrapeCycle(_ duration: Duration) {
        registry.gauge(name: "fulcrum_scrape_cycle_seconds", help: "Wall time of the last scrape round over every worker and the frontend.")
            .set(to: duration.inSeconds)
    }

    /// A scrape of a worker that is still starting went unanswered (expected until it listens).
    package func recordStartingScrape(target: String) {
        registry.counter(name: "fulcrum_scrape_starting_unanswered_total", labels: [("target", target)],
                         help: "Scrapes of starting workers that were not answered yet (not failures).").increment()
    }

    /// A control request refused, by HTTP status (every one, also those not logged).
    package func recordControlRefusal(status: Int) {
        registry.counter(name: "fulcrum_control_requests_refused_total", labels: [("status", String(status))],
                         help: "Control-socket requests refused, by HTTP status.").increment()
    }

    /// A drain that ended: `empty` (in-flight reached zero) or `timeout` (stopped anyway).
    package func recordDrain(outcome: String) {
        registry.counter(name: "fulcrum_drains_total", labels: [("outcome", outcome)],
                         help: "Drains that ended, by outcome (empty or timeout).").increment()
    }

    /// A worker unit that failed or whose process died without being asked to stop.
    package func recordWorkerFailure() {
        registry.counter(name: "fulcrum_worker_failures_total", help: "Worker units that failed or died unexpectedly.").increment()
    }

    /// One round of the etcd election (coordinated daemons only).
    package func record(election status: ElectionStatus) {
        registry.gauge(name: "fulcrum_leader", help: "1 while this daemon is the elected leader (coordination), else 0.")
            .set(to: Double(status.role == .leader ? 1 : 0))
        registry.gauge(name: "fulcrum_coordination_lease_remaining_seconds", help: "Seconds this daemon's etcd lease is known to hold (0 without a lease).")
            .set(to: status.leaseRemainingSeconds ?? 0)
        registry.gauge(name: "fulcrum_coordination_etcd_reachable", help: "1 when etcd answered the last election round.")
            .set(to: Double(status.problem == nil ? 1 : 0))
        let (changes, fenced) = electionCounts.withLock { seen in
            defer { seen = (status.leaderChanges, status.fencedActions) }
            return (status.leaderChanges - seen.changes, status.fencedActions - seen.fenced)
        }
        let changesCounter = registry.counter(name: "fulcrum_leader_changes_total", help: "Leaders this daemon has seen take over, itself included.")
        if changes > 0 { changesCounter.increment(by: Double(changes)) }
        let fencedCounter = registry.counter(name: "fulcrum_fenced_actions_total", help: "Unit or router changes refused because this daemon's lead was not confirmed.")
        if fenced > 0 { fencedCounter.increment(by: Double(fenced)) }
    }

    // 1-2.5-5 steps: a tick's p50 and p99 at fleet size sit between 1 ms and 1 s.
    static let tickBuckets: [Duration] = [.milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                          .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                                          .seconds(2.5), .seconds(5)]
    static let scrapeBuckets: [Duration] = [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                                            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5)]

    private func finite(_ value: Double) -> Double { value.isFinite ? value : 0 }
}

extension ScalingAction {
    var kind: String {
        switch self {
        case .start: "start"
        case .drain: "drain"
        case .cancelDrain: "cancel_drain"
        }
    }
}

extension PrometheusCollectorRegistry {
    // The full metric name is given whole (it already carries its unit suffix), so the
    // descriptor's unit is left empty.
    func gauge(name: String, labels: [(String, String)] = [], help: String) -> Gauge {
        makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    func counter(name: String, labels: [(String, String)] = [], help: String) -> Counter {
        makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    func durationHistogram(name: String, buckets: [Duration], help: String) -> DurationHistogram {
        makeDurationHistogram(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), buckets: buckets)
    }

    func valueHistogram(name: String, labels: [(String, String)], buckets: [Double], help: String) -> ValueHistogram {
        makeValueHistogram(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels, buckets: buckets)
    }
}
