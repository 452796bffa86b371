/// Which connection each scrape uses, as a state machine: its methods return what to do and
/// `ScrapeHTTPClient` does it (connect, close, resume a waiter), so the rules are tested
/// without sockets.
///
/// Per endpoint: at most `connectionsPerEndpoint` connections open or opening; a request
/// beyond that waits for one to come back; connections that come back reusable wait idle
/// (newest used first) until `idleTimeoutSeconds` pass unused.
struct ConnectionPoolState<Connection> {
    typealias Endpoint = ScrapeURL.Endpoint

    enum Lease {
        /// Use this idle connection.
        case use(Connection)
        /// Open a new connection (the slot is already counted).
        case connect
    }

    enum LeaseAction {
        case lease(Lease)
        /// Wait: `release` or `cancelWaiting` will name this waiter.
        case wait(waiter: Int)
        /// The client is shut down.
        case refuse
    }

    /// What to do with a slot that comes back: close its connection if it may not serve
    /// again, and hand the slot (with the connection, if it may) to the first waiter.
    struct Release {
        var close: Connection?
        var handOver: (waiter: Int, lease: Lease)?
    }

    private struct Idle {
        var connection: Connection
        var since: Double
    }

    private var idle: [Endpoint: [Idle]] = [:]
    /// Connections of each endpoint that are in use or being opened.
    private var busy: [Endpoint: Int] = [:]
    private var waiters: [Endpoint: [Int]] = [:]
    private var lastWaiterNumber = 0
    private(set) var isShutDown = false
    let connectionsPerEndpoint: Int
    let idleTimeoutSeconds: Double

    init(connectionsPerEndpoint: Int, idleTimeoutSeconds: Double) {
        self.connectionsPerEndpoint = max(1, connectionsPerEndpoint)
        self.idleTimeoutSeconds = idleTimeoutSeconds
    }

    /// A connection for one request to `endpoint`. `isUsable` tells an idle connection the
    /// peer has not closed; closed ones are returned in `discard` for closing.
    mutating func lease(_ endpoint: Endpoint, isUsable: (Connection) -> Bool) -> (LeaseAction, discard: [Connection]) {
        guard !isShutDown else { return (.refuse, []) }
        var discard: [Connection] = []
        while let candidate = idle[endpoint]?.popLast() {
            if idle[endpoint]?.isEmpty == true { idle[endpoint] = nil }
            if isUsable(candidate.connection) {
                busy[endpoint, default: 0] += 1
                return (.lease(.use(candidate.connection)), discard)
            }
            discard.append(candidate.connection)
        }
        if busy[endpoint, default: 0] < connectionsPerEndpoint {
            busy[endpoint, default: 0] += 1
            return (.lease(.connect), discard)
        }
        lastWaiterNumber += 1
        waiters[endpoint, default: []].append(lastWaiterNumber)
        return (.wait(waiter: lastWaiterNumber), discard)
    }

    /// A leased slot comes back, with its connection if it has one and may serve again.
    mutating func release(_ endpoint: Endpoint, connection: Connection?, reusable: Bool, now: Double) -> Release {
        let keep = reusable && !isShutDown ? connection : nil
        let close = keep == nil ? connection : nil
        if let waiter = nextWaiter(endpoint) {
            // The slot passes on; without a reusable connection the waiter opens its own.
            return Release(close: close, handOver: (waiter, keep.map(Lease.use) ?? .connect))
        }
        busy[endpoint] = busy[endpoint, default: 1] > 1 ? busy[endpoint]! - 1 : nil
        if let keep { idle[endpoint, default: []].append(Idle(connection: keep, since: now)) }
        return Release(close: close, handOver: nil)
    }

    /// A waiter gave up (deadline or cancellation). False if it was already handed a slot.
    mutating func cancelWaiting(_ endpoint: Endpoint, waiter: Int) -> Bool {
        guard let index = waiters[endpoint]?.firstIndex(of: waiter) else { return false }
        waiters[endpoint]!.remove(at: index)
        if waiters[endpoint]!.isEmpty { waiters[endpoint] = nil }
        return true
    }

    /// Takes the longest-waiting request to `endpoint` off the queue.
    private mutating func nextWaiter(_ endpoint: Endpoint) -> Int? {
        guard let waiter = waiters[endpoint]?.first else { return nil }
        waiters[endpoint]!.removeFirst()
        if waiters[endpoint]!.isEmpty { waiters[endpoint] = nil }
        return waiter
    }

    /// Idle connections unused for the idle timeout, removed for closing.
    mutating func expire(now: Double) -> [Connection] {
        var expired: [Connection] = []
        for (endpoint, connections) in idle {
            let (old, fresh) = (connections.filter { now - $0.since >= idleTimeoutSeconds }, connections.filter { now - $0.since < idleTimeoutSeconds })
            guard !old.isEmpty else { continue }
            expired += old.map(\.connection)
            idle[endpoint] = fresh.isEmpty ? nil : fresh
        }
        return expired
    }

    /// Refuses everything from now on; returns the idle connections to close and the waiters
    /// to fail.
    mutating func shutDown() -> (idle: [Connection], waiters: [Int]) {
        isShutDown = true
        let connections = idle.values.flatMap { $0.map(\.connection) }
        let queued = waiters.values.flatMap { $0 }
        idle = [:]
        waiters = [:]
        return (connections, queued)
    }

    var idleCount: Int { idle.values.reduce(0) { $0 + $1.count } }
}
