import FulcrumCoordination
import FulcrumCore
import Logging

/// Whether fulcrumd can steer the fleet right now, for READY=1 and `/readyz`.
///
/// READY=1 goes to systemd once, when the sockets are bound, the first reconciliation is done
/// and the first decision is made, so `systemctl start fulcrumd` returns when it is really up.
/// `/readyz` keeps asking afterwards: a load balancer or an alert should hear when the control
/// loop stops ticking or no node's systemd answers, not only about start-up.
actor Readiness {
    enum Step: Hashable { case reconciled, controlSocket, metricsEndpoint, firstTick }
    private var done: Set<Step> = []
    private var lastTick: ContinuousClock.Instant?
    private let notifier: SystemdNotifier
    private let logger: Logger

    init(notifier: SystemdNotifier, logger: Logger) {
        self.notifier = notifier
        self.logger = logger
    }

    func mark(_ step: Step) {
        let wasReady = startedUp
        done.insert(step)
        if !wasReady, startedUp {
            notifier.notify(["READY=1", "STATUS=ready"])
            logger.notice("fulcrumd ready")
        }
    }

    func ticked(at instant: ContinuousClock.Instant) {
        lastTick = instant
        mark(.firstTick)
    }

    var startedUp: Bool { done.count == 4 }

    /// Why the daemon cannot steer the fleet at `instant`, or nil when it can.
    ///
    /// A loop silent for three tick intervals (at least 30 s, so one slow tick on a loaded
    /// machine is not an outage) is stuck; with every node unreachable nothing can be started
    /// or drained whatever is decided.
    /// With coordination, a daemon without an etcd lease is not ready (a standby is: it would
    /// take over); `election` is nil when the daemon runs alone.
    func problem(at instant: ContinuousClock.Instant, tick: Duration, nodes: [NodeSnapshot], election: ElectionStatus? = nil) -> String? {
        guard startedUp else { return "first reconciliation pending" }
        if let election, election.role == .unavailable {
            return "no etcd lease (\(election.problem ?? "no answer yet")); this daemon acts on nothing until etcd answers"
        }
        let allowance = max(tick * 3, .seconds(30))
        if let lastTick, instant - lastTick > allowance {
            let silent = instant - lastTick
            return "the control loop has not ticked for \(silent.components.seconds) s (allowed \(allowance.components.seconds) s)"
        }
        if !nodes.isEmpty, nodes.allSatisfy({ !$0.reachable }) {
            return "no node's systemd is reachable (\(nodes.map(\.name).joined(separator: ", ")))"
        }
        return nil
    }
}
