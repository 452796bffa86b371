import Foundation
import FulcrumConfiguration
import FulcrumCoordination
import FulcrumTestSupport
import Logging
import Testing

/// The election and its fencing against a real etcd: one member, and three with members lost.
@Suite("Leader election through etcd", .serialized)
struct LeaderElectionTests {
    /// Runs `body` against a fresh etcd cluster, then shuts every election's client and etcd down.
    static func withEtcd(size: Int = 1, _ body: (EtcdCluster, Candidates) async throws -> Void) async throws {
        let etcd = try await EtcdCluster.start(size: size)
        let candidates = Candidates(endpoints: etcd.endpoints)
        do {
            try await body(etcd, candidates)
        } catch {
            await candidates.shutdown()
            etcd.stop()
            throw error
        }
        await candidates.shutdown()
        etcd.stop()
    }

    final class Candidates: @unchecked Sendable {
        let endpoints: [String]
        private var made: [LeaderElection] = []

        init(endpoints: [String]) { self.endpoints = endpoints }

        /// A TTL of 30 s unless a test needs leases to run out: a loaded machine can take
        /// seconds between two steps (CI once took over 10 s from a lease's grant to the next
        /// call, with every suite starting at once), and a lease that lapses for that reason
        /// alone fails a test about something else. Hand-overs here resign, so no test waits
        /// out this TTL.
        func election(_ name: String, prefix: String, ttl: Int = 30, extraEndpoints: [String] = []) throws -> LeaderElection {
            let configuration = CoordinationConfiguration(endpoints: extraEndpoints + endpoints, prefix: prefix, leaseTTL: .seconds(ttl), name: name)
            let client = try EtcdClient(configuration, requestTimeout: .seconds(2))
            let election = LeaderElection(client: client, prefix: prefix, ttlSeconds: ttl,
                                          identity: DaemonIdentity(name: name, controlSocket: "/run/\(name).sock"), logger: Logger(label: "test.\(name)"))
            made.append(election)
            return election
        }

        /// Steps `election` until it leads: a freshly started etcd on a loaded machine can fail
        /// a first round (a request timing out while it settles).
        static func campaignUntilLeading(_ election: LeaderElection, _ what: String = "a to lead") async throws {
            try await eventually(what, timeout: .seconds(60)) {
                await election.step()
                // A lease counts from when its step began. A step that began while etcd was
                // still starting can end in the lead with most of the lease spent (a full-suite
                // CI run: elected with 5 s of 30 left, and the standby took over before the
                // test looked), so lead only on a step that took under 10 s.
                guard await election.isLeader, let left = await election.status.leaseRemainingSeconds else { return false }
                return left > Double(election.ttlSeconds - 10)
            }
        }

        /// a and b under `prefix`, a campaigning first: a leads (see `campaignUntilLeading`),
        /// then b takes its first step and follows.
        func pair(prefix: String, ttl: Int = 30, standbyTTL: Int? = nil) async throws -> (a: LeaderElection, b: LeaderElection) {
            let a = try election("a", prefix: prefix, ttl: ttl)
            let b = try election("b", prefix: prefix, ttl: standbyTTL ?? ttl)
            try await Self.campaignUntilLeading(a)
            await b.step()
            return (a, b)
        }

        func shutdown() async {
            for election in made { await election.client.shutdown() }
        }
    }

    @Test("one of two candidates leads; the other follows and is fenced")
    func oneLeader() async throws {
        try await Self.withEtcd(size: 1) { etcd, candidates in
            let (a, b) = try await candidates.pair(prefix: "/t/one")
            #expect(await a.status.role == .leader)
            #expect(await b.status.role == .standby)
            #expect(await b.status.leader?.name == "a")
            #expect(await a.admit("start x") == nil)
            let refusal = try #require(await b.admit("start x"))
            #expect(refusal.contains("not the leader; the leader is a"))
            #expect(await b.status.fencedActions == 1)
            #expect(try await a.publish(Data("{}".utf8)))
            #expect(try await !b.publish(Data("{\"x\":1}".utf8)))
            #expect(try await b.sharedState()?.value == Data("{}".utf8))
            await a.resign()
            await b.step()
            #expect(await b.status.role == .leader)
            await b.resign()
        }
    }

    @Test("a leader that stops renewing loses the lead after its TTL; resumed, it acts on nothing")
    func pausedLeaderIsFenced() async throws {
        try await Self.withEtcd(size: 1) { etcd, candidates in
            // a's lease is short, to run out while it is "paused"; b's is long, so that a slow
            // round on a loaded machine cannot let b's lapse too and hand the lead back to a.
            let (a, b) = try await candidates.pair(prefix: "/t/pause", ttl: 3, standbyTTL: 30)
            // a stops stepping, as a paused process; b keeps campaigning until the key expires.
            try await eventually("b to take over once a's 3 s lease expires", timeout: .seconds(30)) {
                await b.step()
                return await b.isLeader
            }
            // a wakes: before it steps again, its first action is refused...
            #expect(await a.admit("StartUnit") != nil)
            #expect(await a.status.fencedActions == 1)
            await a.step()
            #expect(await a.status.role == .standby)
            #expect(await a.status.leader?.name == "b")
            // ...and b, renewing as it goes, still acts.
            await b.step()
            #expect(await b.admit("StartUnit") == nil)
            await b.resign()
            await a.resign()
        }
    }

    @Test("a three-member cluster loses one member: the leader keeps leading, a standby still takes over")
    func memberLoss() async throws {
        try await Self.withEtcd(size: 3) { etcd, candidates in
            let (a, b) = try await candidates.pair(prefix: "/t/members")
            etcd.kill(0) // the member both clients ask first
            for _ in 0..<3 {
                await a.step()
                await b.step()
            }
            #expect(await a.status.role == .leader)
            #expect(await a.status.problem == nil)
            #expect(await a.admit("StartUnit") == nil)
            #expect(await b.status.role == .standby)
            await a.resign()
            try await eventually("b to lead after a resigned", timeout: .seconds(20)) {
                await b.step()
                return await b.isLeader
            }
            await b.resign()
        }
    }

    @Test("etcd entirely down: the leader acts on nothing, steps down at its TTL, and leads again when etcd returns")
    func etcdDown() async throws {
        try await Self.withEtcd(size: 1) { etcd, candidates in
            let a = try candidates.election("a", prefix: "/t/down", ttl: 3)
            try await Candidates.campaignUntilLeading(a)
            etcd.kill(0)
            await a.step()
            #expect(await a.status.problem?.contains("No etcd endpoint answered") == true)
            #expect(await a.admit("StopUnit") != nil)
            try await eventually("a to step down once its 3 s lease ran out", timeout: .seconds(30)) {
                await a.step()
                let stillLeading = await a.isLeader
                return await a.status.role == .unavailable && !stillLeading
            }
            try etcd.startMember(0)
            try await etcd.waitHealthy()
            // Leading again means acting again: etcd restores the old lease and key on restart,
            // a may re-adopt them and then see them expire or change once, and refuse (the safe
            // side) until its next round takes the lead afresh.
            try await eventually("a to lead and act again once etcd is back", timeout: .seconds(60)) {
                await a.step()
                guard await a.isLeader else { return false }
                return await a.admit("StartUnit") == nil
            }
            #expect(await a.status.role == .leader)
            await a.resign()
        }
    }

    @Test("an endpoint that does not answer is skipped")
    func endpointFailover() async throws {
        try await Self.withEtcd(size: 1) { etcd, candidates in
            let closed = "http://127.0.0.1:\(try freeLocalPort())"
            let a = try candidates.election("a", prefix: "/t/failover", extraEndpoints: [closed])
            // Each round asks the closed endpoint first and moves on.
            try await Candidates.campaignUntilLeading(a, "a to lead past the closed endpoint")
            await a.resign()
        }
    }
}
