/// `coordination` in `GET /v1/status`: this daemon's place in the etcd election. Absent when
/// the daemon runs alone (no `coordination` in its configuration).
public struct CoordinationView: Sendable, Hashable, Codable {
    public struct Daemon: Sendable, Hashable, Codable {
        public var name: String
        public var host: String
        public var pid: Int
        public var controlSocket: String

        enum CodingKeys: String, CodingKey {
            case name, host, pid
            case controlSocket = "control_socket"
        }

        public init(name: String, host: String, pid: Int, controlSocket: String) {
            self.name = name
            self.host = host
            self.pid = pid
            self.controlSocket = controlSocket
        }
    }

    /// `leader`, `standby` or `unavailable` (no lease: etcd cannot be reached).
    public var role: String
    public var me: Daemon
    public var leader: Daemon?
    /// The etcd lease, as a decimal string (an int64).
    public var leaseID: String?
    public var leaseTTLSeconds: Int
    public var leaseRemainingSeconds: Double?
    public var problem: String?
    public var leaderChanges: Int
    public var fencedActions: Int

    enum CodingKeys: String, CodingKey {
        case role, me, leader, problem
        case leaseID = "lease_id"
        case leaseTTLSeconds = "lease_ttl_seconds"
        case leaseRemainingSeconds = "lease_remaining_seconds"
        case leaderChanges = "leader_changes"
        case fencedActions = "fenced_actions"
    }

    public init(role: String, me: Daemon, leader: Daemon?, leaseID: String?, leaseTTLSeconds: Int, leaseRemainingSeconds: Double?,
                problem: String?, leaderChanges: Int, fencedActions: Int) {
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
