import Foundation
import Logging

/// Who a daemon is, as the others read it from the leader key.
public struct DaemonIdentity: Codable, Sendable, Hashable {
    public var name: String
    public var host: String
    public var pid: Int32
    /// Where its `fulcrumctl` socket is, on `host`.
    public var controlSocket: String

    enum CodingKeys: String, CodingKey {
        case name, host, pid
        case controlSocket = "control_socket"
    }

    public init(name: String, host: String = ProcessInfo.processInfo.hostName, pid: Int32 = ProcessInfo.processInfo.processIdentifier, controlSocket: String) {
        self.name = name
        self.host = host
        self.pid = pid
        self.controlSocket = controlSocket
    }

    public var description: String { "\(name) (host \(host), pid \(pid))" }
}

/// This daemon's place in the election.
public enum CoordinationRole: String, Sendable, Hashable, Codable {
    /// Holds the leader key under a live lease: the only daemon that starts and drains.
    case leader
    /// Another daemon leads; this one scrapes and decides, and acts on nothing.
    case standby
    /// etcd cannot be reached (or has not answered yet): no lease, so no actions.
    case unavailable
}

/// The election as the status view and the metrics show it.
public struct ElectionStatus: Sendable, Hashable {
    public var role: CoordinationRole
    public var me: DaemonIdentity
    public var leader: DaemonIdentity?
    public var leaseID: Int64?
    public var leaseTTLSeconds: Int
    /// Seconds the lease is known to hold from now (measured from the last renewal's send).
    public var leaseRemainingSeconds: Double?
    /// Why this daemon cannot lead now, when etcd is the reason.
    public var problem: String?
    public var leaderChanges: Int
    public var fencedActions: Int

    public init(role: CoordinationRole, me: DaemonIdentity, leader: DaemonIdentity?, leaseID: Int64?, leaseTTLSeconds: Int,
                leaseRemainingSeconds: Double?, problem: String?, leaderChanges: Int, fencedActions: Int) {
        self.role = role
        self.me = me
        self.leader = leader
        self.leaseID = leaseID
        self.leaseTTLSeconds = leaseTTLSeconds
        self.leaseRemainingSeconds = leaseRemainingSeconds
        self.problem = problem
        self.leaderChanges = leaderChanges
        self.fencedActions = fencedActions
    }
}

/// The etcd election recipe: each daemon holds a lease it renews, and campaigns by creating
/// `<prefix>/leader` under that lease only if the key does not exist (a create-revision
/// compare). The key dies with the lease, so a leader that stops renewing (crashed, paused,
/// cut off) loses the lead after the TTL and the next campaign wins it.
///
/// Fencing: `admit(_:)` is asked immediately before every unit or router change, and holds
/// only if etcd confirms in that moment that the leader key is still the one this daemon
/// created. An old leader resumed after a pause finds its key gone or someone else's, and acts
/// on nothing. (What no check can close is a pause between etcd's answer and the D-Bus call
/// right after it; that window is the length of one local function return.)
public actor LeaderElection {
    public nonisolated let client: EtcdClient
    public nonisolated let leaderKey: String
    public nonisolated let stateKey: String
    public nonisolated let ttlSeconds: Int
    /// How often `run` renews and campaigns: a tenth of the TTL, from 250 ms to 1 s, so a
    /// standby takes over within about a second of the old lease expiring.
    public nonisolated let campaignInterval: Duration
    private let identity: DaemonIdentity
    private let logger: Logger
    private let clock = ContinuousClock()

    private var lease: (id: Int64, validUntil: ContinuousClock.Instant)?
    /// The create revision of the leader key this daemon wrote; nil unless leading.
    private var leadership: Int64?
    private var leader: DaemonIdentity?
    private var problem: String? = "etcd has not answered yet"
    private var leaderChanges = 0
    private var fencedActions = 0

    public init(client: EtcdClient, prefix: String, ttlSeconds: Int, identity: DaemonIdentity, logger: Logger) {
        self.client = client
        leaderKey = "\(prefix)/leader"
        stateKey = "\(prefix)/state"
        self.ttlSeconds = ttlSeconds
        self.identity = identity
        self.logger = logger
        campaignInterval = .milliseconds(min(1000, max(250, ttlSeconds * 100)))
    }

    /// Leading by local knowledge: the key was ours at the last look and the lease has not
    /// run out since its last renewal was sent.
    public var isLeader: Bool {
        guard leadership != nil, let lease else { return false }
        return clock.now < lease.validUntil
    }

    public var status: ElectionStatus {
        let role: CoordinationRole = isLeader ? .leader : (lease == nil || problem != nil ? .unavailable : .standby)
        return ElectionStatus(
            role: role, me: identity, leader: isLeader ? identity : leader, leaseID: lease?.id, leaseTTLSeconds: ttlSeconds,
            leaseRemainingSeconds: lease.map { max(0, (($0.validUntil - clock.now) / .milliseconds(1)) / 1000) },
            problem: problem, leaderChanges: leaderChanges, fencedActions: fencedActions
        )
    }

    /// One round: renew (or take) the lease, then campaign, or confirm the lead. Errors are
    /// kept as `problem`; a leader whose lease runs out while etcd is silent steps down.
    public func step() async {
        let started = clock.now
        do {
            try await renewLease(sentAt: started)
            try await campaign()
            if problem != nil { logger.notice("etcd answers again", metadata: ["endpoints": "\(client.endpoints.joined(separator: ","))"]) }
            problem = nil
        } catch {
            if problem == nil || problem?.hasPrefix("etcd has not") == true {
                logger.error("etcd is unreachable; a leader keeps leading only until its lease runs out", metadata: ["error": "\(error.message)"])
            }
            problem = error.message
            if error.message.contains("requested lease not found") {
                // The lease ran out between its grant (or renewal) and its use, on a slow round:
                // take a new one next round instead of asking with a dead one.
                lease = nil
                if leadership != nil { stepDown("its lease ran out before it could be renewed") }
            }
            if leadership != nil, !isLeader {
                stepDown("its lease ran out while etcd could not be reached (\(error.message))")
            }
        }
    }

    private func renewLease(sentAt started: ContinuousClock.Instant) async throws(EtcdError) {
        if let current = lease {
            let remaining = try await client.keepAlive(lease: current.id)
            if remaining > 0 {
                lease = (current.id, started + .seconds(remaining))
                return
            }
            lease = nil
            if leadership != nil { stepDown("etcd says its lease expired (the process was paused or cut off for longer than the \(ttlSeconds) s TTL)") }
        }
        let granted = try await client.grantLease(ttlSeconds: ttlSeconds)
        lease = (granted.id, started + .seconds(granted.ttlSeconds))
    }

    private func campaign() async throws(EtcdError) {
        guard let lease else { return }
        let record = (try? JSONEncoder().encode(identity)) ?? Data()
        let result = try await client.txn(
            if: [.created(leaderKey, atRevision: 0)], then: [.put(leaderKey, record, lease: lease.id)], else: [.get(leaderKey)]
        )
        if result.succeeded {
            leadership = result.revision
            leader = identity
            leaderChanges += 1
            logger.notice("elected leader; this daemon now starts and drains workers", metadata: ["lease": "\(lease.id)", "revision": "\(result.revision)"])
            return
        }
        guard let holder = result.ranges.first?.first else { return }
        if holder.lease == lease.id {
            leadership = holder.createRevision
            leader = identity
            return
        }
        if leadership != nil { stepDown("another daemon holds the leader key") }
        let next = try? JSONDecoder().decode(DaemonIdentity.self, from: holder.value)
        if next != leader {
            leader = next
            leaderChanges += 1
            logger.notice("following the leader", metadata: ["leader": "\(next?.description ?? "unknown")"])
        }
    }

    private func stepDown(_ why: String) {
        leadership = nil
        leader = nil
        logger.warning("no longer the leader: \(why); this daemon acts on nothing until it is elected again")
    }

    /// nil when this daemon may make `call` now (etcd confirmed its leadership a moment ago),
    /// else why not. Counts every refusal.
    public func admit(_ call: String) async -> String? {
        guard let revision = leadership, isLeader else {
            if leadership != nil { return refuse(call, "this daemon's lease has run out (it was paused or cut off for longer than the \(ttlSeconds) s TTL)") }
            return refuse(call, "this daemon is not the leader\(leader.map { "; the leader is \($0.description)" } ?? "")")
        }
        do {
            let check = try await client.txn(if: [.created(leaderKey, atRevision: revision)], then: [])
            if check.succeeded, isLeader { return nil }
            stepDown("the leader key is no longer the one it created")
            return refuse(call, "this daemon lost the lead")
        } catch {
            return refuse(call, "etcd could not confirm this daemon's lead (\(error.message))")
        }
    }

    private func refuse(_ call: String, _ why: String) -> String {
        fencedActions += 1
        logger.warning("fenced: did not \(call)", metadata: ["reason": "\(why)"])
        return why
    }

    /// Writes the shared operator state, only while this daemon leads (same transaction).
    @discardableResult
    public func publish(_ state: Data) async throws(EtcdError) -> Bool {
        guard let revision = leadership, isLeader else { return false }
        return try await client.txn(if: [.created(leaderKey, atRevision: revision)], then: [.put(stateKey, state)]).succeeded
    }

    /// The shared operator state as the leader last wrote it, with its revision.
    public func sharedState() async throws(EtcdError) -> EtcdKeyValue? {
        try await client.get(stateKey)
    }

    /// Gives the lead up at once (a clean stop): the key and lease go, a standby takes over
    /// on its next round instead of after the TTL.
    public func resign() async {
        guard let lease else { return }
        if let revision = leadership {
            _ = try? await client.txn(if: [.created(leaderKey, atRevision: revision)], then: [.delete(leaderKey)])
            logger.notice("resigned the lead")
        }
        try? await client.revoke(lease: lease.id)
        self.lease = nil
        leadership = nil
    }
}
