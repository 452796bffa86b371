import FulcrumControlAPI
import FulcrumCoordination
import FulcrumSystemd
import Foundation
import Logging
import ServiceLifecycle

/// Runs the etcd election for a coordinated fulcrumd: renews the lease and campaigns every
/// `campaignInterval`, tells the core its role, keeps a standby's copy of the shared operator
/// state current, and on taking the lead loads that state before the core may act. A clean
/// stop resigns, so a standby takes over at once rather than after the TTL.
struct CoordinationService: Service {
    let election: LeaderElection
    let writer: SharedStateWriter
    let core: DaemonCore
    let metrics: DaemonMetrics
    let logger: Logger

    func run() async throws {
        var sync = SharedStateSync()
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            await election.step()
            var status = await election.status
            if !(await sync.update(role: status.role, election: election, core: core, logger: logger)) {
                // The lead is held but the shared state could not be read: act on nothing
                // until it can, rather than on overrides that may be stale. No daemon leads
                // in effect meanwhile (changes are refused with "retry in a few seconds").
                status.role = .standby
                status.leader = nil
            }
            await core.coordinate(status)
            if status.role == .leader { await writer.retry() }
            metrics.record(election: status)
            try? await Task.sleep(for: election.campaignInterval)
        }
        await election.resign()
        await election.client.shutdown()
    }
}

/// The shared operator state between the leader (which writes it) and the standbys (which
/// follow it), keyed by its etcd revision so an unchanged state is not decoded again.
struct SharedStateSync {
    private var seenRevision: Int64?
    private var leading = false

    /// Follows the state while not leading (reading it when its revision changed), and reads
    /// it once on taking the lead. False when this daemon just took the lead and the state
    /// could not be read: it must not act on overrides that may be stale.
    mutating func update(role: CoordinationRole, election: LeaderElection, core: DaemonCore, logger: Logger) async -> Bool {
        guard role == .leader else {
            leading = false
            _ = await read(election: election, core: core, logger: logger, force: false)
            return true
        }
        guard !leading else { return true }
        guard await read(election: election, core: core, logger: logger, force: true) else {
            logger.warning("elected, but the shared operator state could not be read; not acting yet")
            return false
        }
        leading = true
        return true
    }

    /// Adopts the stored state (or none, when the key does not exist); false when etcd did not answer.
    private mutating func read(election: LeaderElection, core: DaemonCore, logger: Logger, force: Bool) async -> Bool {
        let stored: EtcdKeyValue?
        do { stored = try await election.sharedState() } catch { return false }
        guard force || stored?.modRevision != seenRevision else { return true }
        seenRevision = stored?.modRevision
        guard let stored else {
            await core.adoptShared(nil)
            return true
        }
        do {
            let state = try JSONDecoder().decode(OperatorState.self, from: stored.value)
            guard state.version == OperatorState.currentVersion else {
                logger.error("the shared operator state in etcd (\(election.stateKey)) is version \(state.version); this fulcrumd reads version \(OperatorState.currentVersion); keeping what it has")
                return true
            }
            await core.adoptShared(state)
            if force {
                logger.notice("took over the shared operator state", metadata: ["overrides": "\(OverridesView(state.overrides).kinds.joined(separator: ","))", "audit_entries": "\(state.audit.count)"])
            }
        } catch {
            logger.error("the shared operator state in etcd (\(election.stateKey)) is not readable (\(error)); keeping what this daemon has")
        }
        return true
    }
}

/// Writes the leader's operator state to etcd in order, newest wins: a change made while a
/// write is in flight is written right after it, and intermediate states are skipped.
actor SharedStateWriter {
    private let election: LeaderElection
    private let logger: Logger
    private var pending: OperatorState?
    private var writing = false
    private var failing = false
    /// The newest state whose write failed, written again by `retry()`.
    private var unwritten: OperatorState?

    init(election: LeaderElection, logger: Logger) {
        self.election = election
        self.logger = logger
    }

    nonisolated func submit(_ state: OperatorState) {
        Task { await self.enqueue(state) }
    }

    /// Writes again a state whose write failed (the election service calls this every round
    /// while leading), so a change made during an etcd hiccup is not left local for good.
    func retry() async {
        guard let state = unwritten, !writing else { return }
        await enqueue(state)
    }

    private func enqueue(_ state: OperatorState) async {
        pending = state
        guard !writing else { return }
        writing = true
        defer { writing = false }
        while let next = pending {
            pending = nil
            await write(next)
        }
    }

    private func write(_ state: OperatorState) async {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(state) else { return }
        unwritten = nil
        do {
            let written = try await election.publish(data)
            if failing, written { logger.notice("saving the operator state to etcd works again") }
            failing = false
            if !written { logger.debug("not the leader; the operator state change stays local") }
        } catch {
            if !failing {
                logger.error("saving the operator state to etcd failed (\(error)); overrides still apply here, and a new leader would not see this change")
            }
            failing = true
            if pending == nil { unwritten = state }
        }
    }
}

/// The actuator's fence for a coordinated daemon: etcd confirms the lead before each change.
struct ElectionFence: ActuationFence {
    let election: LeaderElection

    func refusal(for change: String) async -> String? { await election.admit(change) }
    func mightAct() async -> Bool { await election.isLeader }
}
