import FulcrumCore
import Logging
import ServiceLifecycle
import Synchronization

/// Runs the controller tick on the tick interval: observe, decide, act, publish metrics,
/// and pet the systemd watchdog from the loop itself, so a stuck loop gets the daemon
/// restarted rather than a healthy-looking process that no longer decides.
package struct ControlLoopService: Service {
    let core: DaemonCore
    let metrics: DaemonMetrics
    let notifier: SystemdNotifier
    let logger: Logger
    let now: @Sendable () -> Timestamp
    let ticks: AsyncStream<Void>?
    let onTick: @Sendable () async -> Void
    let backoffLog: BackoffLog

    /// `ticks`, when given, drives the loop instead of the clock (tests step it by hand).
    /// `onTick` runs after every tick (readiness tracks that the loop is alive).
    package init(core: DaemonCore, metrics: DaemonMetrics, notifier: SystemdNotifier, logger: Logger,
                now: @escaping @Sendable () -> Timestamp, ticks: AsyncStream<Void>? = nil,
                onTick: @escaping @Sendable () async -> Void = {}) {
        self.onTick = onTick
        self.core = core
        self.metrics = metrics
        self.notifier = notifier
        self.logger = logger
        self.now = now
        self.ticks = ticks
        backoffLog = BackoffLog(logger: logger)
    }

    package func run() async throws {
        if let ticks {
            for await _ in ticks.cancelOnGracefulShutdown() { await tickOnce() }
            return
        }
        // The watchdog is petted after each tick and, when ticks are further apart than half of
        // WatchdogSec, also while waiting for the next one: the loop is alive while it waits.
        let watchdog = SystemdNotifier.watchdogInterval().map { Duration.seconds($0) }
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let started = ContinuousClock.now
            await tickOnce()
            let next = started + (await core.configuration.intervals.tick)
            while ContinuousClock.now < next, !Task.isCancelled {
                let wake = watchdog.map { min(next, ContinuousClock.now + $0) } ?? next
                try? await Task.sleep(until: wake, clock: .continuous)
                if wake < next { notifier.notify(["WATCHDOG=1"]) }
            }
        }
    }

    func tickOnce() async {
        let started = ContinuousClock.now
        let decision = await core.tick(now: now())
        let elapsed = ContinuousClock.now - started
        let configuration = await core.configuration
        if let observation = await core.lastObservation {
            metrics.record(decision: decision, observation: observation, outcomes: await core.lastOutcomes,
                           tickDuration: elapsed, budget: configuration.controller.placement.maxTotalGPUs)
        }
        if !decision.actions.isEmpty {
            logger.notice("decision", metadata: [
                "desired": "\(decision.desired)", "current": "\(decision.current)",
                "actions": "\(decision.actions.map(\.description).joined(separator: "; "))",
                "reasons": "\(decision.reasons.map(\.code.rawValue).joined(separator: ","))",
                "dry_run": "\(configuration.dryRun)",
            ])
        }
        if let observation = await core.lastObservation { backoffLog.note(observation.nodes) }
        for outcome in await core.lastOutcomes where outcome.result == .failed || outcome.result == .refused {
            logger.error("action did not succeed", metadata: ["action": "\(outcome.action)", "result": "\(outcome.result.rawValue)", "message": "\(outcome.message ?? "")"])
        }
        await onTick()
        notifier.notify([
            "WATCHDOG=1",
            "STATUS=prefill \(decision.current.prefill)→\(decision.desired.prefill), decode \(decision.current.decode)→\(decision.desired.decode); \(decision.reasons.first?.code.rawValue ?? "steady")\(configuration.dryRun ? " (dry-run)" : "")",
        ])
    }
}

/// One log line when a node's GPUs start or stop backing off after failed starts, not one per
/// deferred start.
final class BackoffLog: Sendable {
    private let logger: Logger
    private let last = Mutex<[String: Set<Int>]>([:])

    init(logger: Logger) { self.logger = logger }

    func note(_ nodes: [NodeSnapshot]) {
        let current = Dictionary(nodes.map { ($0.name, Set($0.backingOff)) }, uniquingKeysWith: { $0.union($1) })
        let previous = last.withLock { state in defer { state = current }; return state }
        for (node, gpus) in current.sorted(by: { $0.key < $1.key }) where gpus != previous[node, default: []] {
            if gpus.isEmpty {
                logger.notice("GPUs may start workers again after their backoff", metadata: ["node": "\(node)"])
            } else {
                logger.warning("GPUs held back after failed starts; new workers go to other GPUs until the backoff ends",
                               metadata: ["node": "\(node)", "gpus": "\(gpus.sorted().map(String.init).joined(separator: ","))"])
            }
        }
    }
}
