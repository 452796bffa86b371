import FulcrumCore

/// A change an operator asks for over the control socket, validated before it touches state.
package enum OverrideRequest: Sendable, Hashable {
    case ratio(InstanceRatio)
    case counts(PerRole<Int>)
    case bounds(RoleBounds)
    case pause
    case resume
    case clear(OverrideKind?)
}

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

/// Applies override requests to the override set, with expiry and reason.
package enum OverrideBook {
    /// The new override set after `request`, and a one-line description for the audit log.
    package static func apply(
        _ request: OverrideRequest,
        to overrides: Overrides,
        now: Timestamp,
        ttlSeconds: Double?,
        reason: String?
    ) -> (Overrides, String) {
        var next = overrides
        let expiry = ttlSeconds.map { now + $0 }
        let suffix = ttlSeconds.map { " for \(Int($0)) s" } ?? ""
        switch request {
        case let .ratio(ratio):
            next.ratio = Expiring(ratio, expiresAt: expiry, reason: reason)
            return (next, "override ratio \(ratio)\(suffix)")
        case let .counts(counts):
            next.counts = Expiring(counts, expiresAt: expiry, reason: reason)
            return (next, "override counts prefill=\(counts.prefill) decode=\(counts.decode)\(suffix)")
        case let .bounds(bounds):
            next.bounds = Expiring(bounds, expiresAt: expiry, reason: reason)
            return (next, "override bounds min=\(bounds.min) max=\(bounds.max)\(suffix)")
        case .pause:
            next.pause = Expiring(true, expiresAt: expiry, reason: reason)
            return (next, "pause\(suffix)")
        case .resume:
            next.pause = nil
            return (next, "resume")
        case let .clear(kind):
            switch kind {
            case nil: next = Overrides()
            case .pause?: next.pause = nil
            case .counts?: next.counts = nil
            case .ratio?: next.ratio = nil
            case .bounds?: next.bounds = nil
            }
            return (next, "clear \(kind?.rawValue ?? "all") overrides")
        }
    }
}
