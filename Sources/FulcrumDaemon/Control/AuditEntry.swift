import FulcrumCore

/// Who asked, for the audit log: the peer credentials of the control-socket connection.
package struct Requester: Sendable, Hashable, Codable, CustomStringConvertible {
    package var uid: Int
    package var gid: Int
    package var pid: Int

    package init(uid: Int, gid: Int, pid: Int) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
    }

    package var description: String { "uid=\(uid) gid=\(gid) pid=\(pid)" }
}

/// One line of the audit trail: every change made through the control API.
package struct AuditEntry: Sendable, Hashable, Codable {
    package var time: Timestamp
    package var requester: Requester?
    package var action: String
    package var reason: String?

    package init(time: Timestamp, requester: Requester?, action: String, reason: String?) {
        self.time = time
        self.requester = requester
        self.action = action
        self.reason = reason
    }
}
