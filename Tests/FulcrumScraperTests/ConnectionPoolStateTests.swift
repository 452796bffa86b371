@testable import FulcrumTelemetry
import Testing

/// The connection rules without sockets: connections are numbers, the clock a parameter.
@Suite struct ConnectionPoolStateTests {
    typealias Pool = ConnectionPoolState<Int>
    let a = ScrapeURL.Endpoint(scheme: .http, host: "10.0.0.1", port: 8000)
    let b = ScrapeURL.Endpoint(scheme: .http, host: "10.0.0.2", port: 8000)

    private func leased(_ action: Pool.LeaseAction) -> Pool.Lease? {
        if case .lease(let lease) = action { return lease }
        return nil
    }

    @Test func aReturnedConnectionIsUsedAgainAndEndpointsDoNotShare() {
        var pool = Pool(connectionsPerEndpoint: 2, idleTimeoutSeconds: 60)
        guard case .connect = leased(pool.lease(a) { _ in true }.0) else { Issue.record("first lease opens"); return }
        let kept = pool.release(a, connection: 7, reusable: true, now: 1)
        #expect(kept.close == nil)
        guard case .use(7) = leased(pool.lease(a) { _ in true }.0) else { Issue.record("the idle connection is used"); return }
        guard case .connect = leased(pool.lease(b) { _ in true }.0) else { Issue.record("another endpoint opens its own"); return }
    }

    @Test func connectionsTheServerClosedAreDiscardedNotUsed() {
        var pool = Pool(connectionsPerEndpoint: 2, idleTimeoutSeconds: 60)
        _ = pool.lease(a) { _ in true }
        _ = pool.lease(a) { _ in true }
        _ = pool.release(a, connection: 1, reusable: true, now: 0)
        _ = pool.release(a, connection: 2, reusable: true, now: 0)
        let (action, discard) = pool.lease(a) { $0 != 2 }
        #expect(discard == [2])
        guard case .use(1) = leased(action) else { Issue.record("the open one is used: \(action)"); return }
    }

    @Test func requestsBeyondTheLimitWaitAndGetTheSlotInTurn() {
        var pool = Pool(connectionsPerEndpoint: 1, idleTimeoutSeconds: 60)
        _ = pool.lease(a) { _ in true }
        guard case .wait(let first) = pool.lease(a, isUsable: { _ in true }).0,
              case .wait(let second) = pool.lease(a, isUsable: { _ in true }).0 else { Issue.record("both wait"); return }
        // A reusable connection passes to the first waiter as it is.
        let handed = pool.release(a, connection: 5, reusable: true, now: 0)
        #expect(handed.close == nil)
        guard let (waiter, lease) = handed.handOver, waiter == first, case .use(5) = lease else { Issue.record("\(handed)"); return }
        // A broken one is closed, and the next waiter opens its own in the freed slot.
        let broken = pool.release(a, connection: 5, reusable: false, now: 0)
        #expect(broken.close == 5)
        guard let (next, fresh) = broken.handOver, next == second, case .connect = fresh else { Issue.record("\(broken)"); return }
        _ = pool.release(a, connection: 6, reusable: true, now: 0)
        #expect(pool.idleCount == 1)
        guard case .use(6) = leased(pool.lease(a) { _ in true }.0) else { Issue.record("the slot is free again"); return }
    }

    @Test func aWaiterThatGaveUpIsSkipped() {
        var pool = Pool(connectionsPerEndpoint: 1, idleTimeoutSeconds: 60)
        _ = pool.lease(a) { _ in true }
        guard case .wait(let first) = pool.lease(a, isUsable: { _ in true }).0,
              case .wait(let second) = pool.lease(a, isUsable: { _ in true }).0 else { Issue.record("both wait"); return }
        let gaveUp = pool.cancelWaiting(a, waiter: first)
        #expect(gaveUp)
        let release = pool.release(a, connection: 3, reusable: true, now: 0)
        #expect(release.handOver?.waiter == second)
        let late = pool.cancelWaiting(a, waiter: second)
        #expect(!late, "a waiter already handed a slot cannot give it up")
    }

    @Test func idleConnectionsExpireAfterTheTimeout() {
        var pool = Pool(connectionsPerEndpoint: 4, idleTimeoutSeconds: 60)
        _ = pool.lease(a) { _ in true }
        _ = pool.lease(a) { _ in true }
        for connection in 1...2 { _ = pool.release(a, connection: connection, reusable: true, now: Double(connection) * 30) }
        let (early, first, second) = (pool.expire(now: 89), pool.expire(now: 90), pool.expire(now: 120))
        #expect(early.isEmpty)
        #expect(first == [1])
        #expect(second == [2])
        #expect(pool.idleCount == 0)
    }

    @Test func shutDownRefusesAndHandsBackEverything() {
        var pool = Pool(connectionsPerEndpoint: 1, idleTimeoutSeconds: 60)
        _ = pool.lease(b) { _ in true }
        _ = pool.release(b, connection: 9, reusable: true, now: 0)
        _ = pool.lease(a) { _ in true }
        guard case .wait(let waiter) = pool.lease(a, isUsable: { _ in true }).0 else { Issue.record("waits"); return }
        let (idle, waiters) = pool.shutDown()
        #expect(idle == [9])
        #expect(waiters == [waiter])
        guard case .refuse = pool.lease(a, isUsable: { _ in true }).0 else { Issue.record("refused after shutdown"); return }
        let after = pool.release(a, connection: 4, reusable: true, now: 0)
        #expect(after.close == 4, "nothing is kept after shutdown")
    }
}
