import Foundation
import FulcrumCore
@testable import FulcrumDecisionAPI
import Testing

@Suite("Decision sessions")
struct DecisionSessionTests {
    private func wire(_ snapshot: ClusterSnapshot) -> String { DecisionSession.encode(SnapshotMessage(snapshot)) }

    private func decode(_ reply: String?) throws -> DecisionMessage {
        let reply = try #require(reply)
        return try JSONDecoder().decode(DecisionMessage.self, from: Data(reply.utf8))
    }

    private func error(_ reply: String?) throws -> ErrorReply.Detail {
        let reply = try #require(reply)
        return try JSONDecoder().decode(ErrorReply.self, from: Data(reply.utf8)).error
    }

    @Test("Over the wire, every decision is the one the core makes when called directly")
    func identicalToCore() throws {
        var controller = Controller(configuration: DecisionFixtures.configuration)
        var session = DecisionSession(configuration: DecisionFixtures.configuration)
        var sawAction = false
        for tick in 0..<12 {
            let snapshot = DecisionFixtures.snapshot(tick: tick)
            let direct = DecisionMessage(controller.decide(snapshot), nextDecisionSeconds: 10)
            let viaWire = try decode(session.respond(to: wire(snapshot)))
            #expect(viaWire == direct, "tick \(tick)")
            sawAction = sawAction || !direct.actions.isEmpty
        }
        // The comparison is only worth something if the controller did act on the rising load.
        #expect(sawAction)
    }

    @Test("Absurd numbers get a decision or a one-line error, never a crash or a hang")
    func absurdNumbersNeverCrash() throws {
        var session = DecisionSession(configuration: DecisionFixtures.configuration)
        // Beyond what any deployment reports: refused, naming the field, and the session is untouched.
        let huge = #"{"schema":1,"time":10,"nodes":[{"name":"a","gpus":[0,1]}],"workers":[{"id":"p","role":"prefill","node":"a","gpus":[0],"state":"ready","started_at":0,"ready_at":5,"telemetry":{"scraped_at":10,"requests_waiting":1e300}}],"traffic":{"duration_s":10,"requests":5,"mean_input_tokens":3000,"ttft_seconds":1}}"#
        #expect(try error(session.respond(to: huge)).field == "workers[0].telemetry.requests_waiting")
        let future = #"{"schema":1,"time":1e300,"nodes":[{"name":"a","gpus":[0,1]}],"workers":[]}"#
        #expect(try error(session.respond(to: future)).message == "time is 1e+300; expected seconds on your timeline, within ±1e11.")
        // The largest values accepted still give a decision within the budget.
        let flood = #"{"schema":1,"time":20,"nodes":[{"name":"a","gpus":[0,1]}],"workers":[],"traffic":{"duration_s":10,"requests":1e9,"mean_input_tokens":1e8,"mean_output_tokens":1e8,"ttft_seconds":86400,"itl_seconds":86400},"overrides":{"ratio":"1:1"}}"#
        let flooded = try decode(session.respond(to: flood))
        #expect(flooded.desired.prefill + flooded.desired.decode <= 2, "the budget holds however large the demand")
        let beyond = #"{"schema":1,"time":25,"nodes":[{"name":"a","gpus":[0,1]}],"workers":[],"traffic":{"duration_s":10,"requests":1e300}}"#
        #expect(try error(session.respond(to: beyond)).field == "traffic.requests")
        let counts = #"{"schema":1,"time":30,"nodes":[{"name":"a","gpus":[0]}],"workers":[],"overrides":{"counts":{"prefill":5000000000000000000,"decode":1}}}"#
        #expect(try error(session.respond(to: counts)).message == "overrides.counts is 5000000000000000000:1; expected instance counts from 0 to 100000.")
        let ratio = #"{"schema":1,"time":40,"nodes":[{"name":"a","gpus":[0]}],"workers":[],"overrides":{"ratio":"1000000000:1"}}"#
        #expect(try error(session.respond(to: ratio)).field == "overrides.ratio")
        // A start-up time below the clock's resolution (the growth history's look-back ran off its end).
        var instant = DecisionFixtures.configuration
        instant.estimation.startupPriorSeconds = 1e-300
        var quick = DecisionSession(configuration: instant)
        for time in [10.0, 20, 30] {
            #expect(try decode(quick.respond(to: wire(DecisionFixtures.windowSnapshot(time: time, requests: 50)))).time == time)
        }
    }

    @Test("The controller's memory carries from line to line")
    func stateCarriesAcrossLines() throws {
        var session = DecisionSession(configuration: DecisionFixtures.configuration)
        var last: DecisionMessage?
        for index in 0..<30 {
            last = try decode(session.respond(to: wire(DecisionFixtures.windowSnapshot(time: Double(index) * 10, requests: 100))))
        }
        var fresh = DecisionSession(configuration: DecisionFixtures.configuration)
        let alone = try decode(fresh.respond(to: wire(DecisionFixtures.windowSnapshot(time: 290, requests: 400))))
        var continued = session
        let after = try decode(continued.respond(to: wire(DecisionFixtures.windowSnapshot(time: 300, requests: 400))))
        let steady = try #require(last?.estimate.arrivalRate)
        #expect(abs(steady - 10) < 0.5)
        // A session that has seen 300 s at 10 req/s smooths one 40 req/s window; a fresh one
        // takes it at face value.
        #expect(try #require(alone.estimate.arrivalRate) == 40)
        #expect(try #require(after.estimate.arrivalRate) < 40)
        #expect(try #require(after.estimate.arrivalRate) > steady)
    }

    @Test("Windows of rising traffic grow the cluster; prompts growing longer grow prefill")
    func windowsDriveScaling() throws {
        var session = DecisionSession(configuration: DecisionFixtures.configuration)
        var first: DecisionMessage?
        var last: DecisionMessage?
        for index in 0..<40 {
            let reply = try decode(session.respond(to: wire(DecisionFixtures.windowSnapshot(time: Double(index) * 10, requests: 20 + Double(index) * 5, isl: 1_000 + Double(index) * 200))))
            if first == nil { first = reply }
            last = reply
        }
        let start = try #require(first), end = try #require(last)
        #expect(end.desired.prefill > start.desired.prefill)
        #expect(end.desired.prefill + end.desired.decode > start.desired.prefill + start.desired.decode)
        #expect(end.actions.allSatisfy { $0.kind != "start" || ($0.node == "gpu-a" && $0.gpus?.count == 1) })
    }

    @Test("Prefix-cache counters on the wire reach the estimate: prefix_hit_rate and effective_isl in the reply")
    func prefixCacheOnTheWire() throws {
        var session = DecisionSession(configuration: DecisionFixtures.configuration)
        var reply = ""
        for tick in 0..<4 {
            var snapshot = DecisionFixtures.snapshot(tick: tick)
            if var telemetry = snapshot.workers[0].telemetry {
                telemetry.prefixCacheQueries = telemetry.promptTokens
                telemetry.prefixCacheHits = telemetry.promptTokens * 0.3
                snapshot.workers[0].telemetry = telemetry
            }
            let answer = session.respond(to: wire(snapshot))
            reply = try #require(answer)
        }
        let estimate = try decode(reply).estimate
        #expect(abs((estimate.prefixHitRate ?? 0) - 0.3) < 1e-9, "\(reply)")
        #expect(abs((estimate.effectiveIsl ?? 0) - 0.7 * (estimate.meanInputTokens ?? 0)) < 1e-6)
        #expect(reply.contains(#""prefix_hit_rate":"#) && reply.contains(#""effective_isl":"#))
    }

    @Test("Bursts out of idle minutes: prefill_floor_utilisation keeps headroom until a line brings TTFT, then is full")
    func floorUtilisationOnTheWire() throws {
        func finalReply(ttft: Double?) throws -> DecisionMessage {
            var session = DecisionSession(configuration: DecisionFixtures.configuration)
            var reply: DecisionMessage?
            for tick in 0..<120 {
                var snapshot = DecisionFixtures.windowSnapshot(time: Double(tick) * 10, requests: tick % 30 < 3 ? 200 : 0)
                snapshot.traffic?.ttftSeconds = ttft
                let answer = session.respond(to: wire(snapshot))
                reply = try decode(answer)
            }
            return try #require(reply)
        }
        let blind = try finalReply(ttft: nil).estimate, measured = try finalReply(ttft: 0.2).estimate
        let headroom = try #require(blind.prefillFloorUtilisation), full = try #require(measured.prefillFloorUtilisation)
        #expect((blind.demandFloorTokensPerS?.prefill ?? 0) > 0)
        #expect(full == DecisionFixtures.configuration.estimation.prefillUtilisationRange.upperBound)
        #expect(headroom < full, "floor utilisation \(headroom) without TTFT, \(full) with it")
    }

    @Test("A refused line names its field, and changes nothing", arguments: [
        ("{not json", ""),
        (#"{"schema": 1, "time": 5, "nodes": [{"name": "gpu-a", "gpus": [0, 1]}], "workers": [], "colour": "blue"}"#, "colour"),
        (#"[]"#, ""),
        (#"{"schema": 1, "time": 5, "nodes": [{"name": "gpu-a", "gpus": [2000000]}], "workers": []}"#, "nodes[0].gpus[0]"),
        (#"{"schema": 2, "time": 5, "nodes": [], "workers": []}"#, "schema"),
        (#"{"schema": 2, "time": 5, "nodes": [], "workers": [], "field_from_the_future": 1}"#, "schema"),
        (#"{"schema": 1, "nodes": [{"name": "gpu-a", "gpus": [0]}], "workers": []}"#, "time"),
        (#"{"schema": 1, "time": "soon", "nodes": [{"name": "gpu-a", "gpus": [0]}], "workers": []}"#, "time"),
        (#"{"schema": 1, "time": 5, "nodes": [], "workers": []}"#, "nodes"),
        (#"{"schema": 1, "time": 5, "nodes": [{"name": "gpu-a", "gpus": [0, 0.5]}], "workers": []}"#, "nodes[0].gpus[1]"),
        (#"{"schema": 1, "time": 5, "nodes": [{"name": "gpu-a", "gpus": [0]}], "workers": [{"id": "w", "role": "router", "node": "gpu-a", "gpus": [0], "state": "ready", "started_at": 0}]}"#, "workers[0].role"),
        (#"{"schema": 1, "time": 5, "nodes": [{"name": "gpu-a", "gpus": [0]}], "workers": [{"id": "w", "role": "decode", "node": "gpu-a", "gpus": [0], "state": "asleep", "started_at": 0}]}"#, "workers[0].state"),
        (#"{"schema": 1, "time": 5, "nodes": [{"name": "gpu-a", "gpus": [0]}], "workers": [{"id": "w", "role": "decode", "node": "gpu-b", "gpus": [0], "state": "ready", "started_at": 0}]}"#, "workers[0].node"),
        (#"{"schema": 1, "time": 5, "nodes": [{"name": "gpu-a", "gpus": [0]}], "workers": [{"id": "w", "role": "decode", "node": "gpu-a", "gpus": [3], "state": "ready", "started_at": 0}]}"#, "workers[0].gpus[0]"),
        (#"{"schema": 1, "time": 5, "nodes": [{"name": "gpu-a", "gpus": [0]}], "workers": [{"id": "a", "role": "decode", "node": "gpu-a", "gpus": [0], "state": "ready", "started_at": 0}, {"id": "b", "role": "prefill", "node": "gpu-a", "gpus": [0], "state": "starting", "started_at": 0}]}"#, "workers[1].gpus[0]"),
        (#"{"schema": 1, "time": 5, "nodes": [{"name": "gpu-a", "gpus": [0]}], "workers": [{"id": "w", "role": "decode", "node": "gpu-a", "gpus": [0], "state": "ready", "started_at": 0, "telemetry": {"scraped_at": 4, "kv_cache_use": 0.5}}]}"#, "workers[0].telemetry.kv_cache_use"),
        (#"{"schema": 1, "time": 5, "nodes": [{"name": "gpu-a", "gpus": [0]}], "workers": [{"id": "w", "role": "decode", "node": "gpu-a", "gpus": [0], "state": "ready", "started_at": 0, "telemetry": {"scraped_at": 4, "kv_cache_usage": 1.5}}]}"#, "workers[0].telemetry.kv_cache_usage"),
        (#"{"schema": 1, "time": 5, "nodes": [{"name": "gpu-a", "gpus": [0]}], "workers": [{"id": "w", "role": "decode", "node": "gpu-a", "gpus": [0], "state": "ready", "started_at": 0, "telemetry": {"scraped_at": 4, "itl_seconds": {"buckets": [{"le": 0.1, "count": 3}], "sum": 0.2}}}]}"#, "workers[0].telemetry.itl_seconds.buckets"),
        (#"{"schema": 1, "time": 5, "nodes": [{"name": "gpu-a", "gpus": [0]}], "workers": [{"id": "w", "role": "decode", "node": "gpu-a", "gpus": [0], "state": "ready", "started_at": 0, "telemetry": {"scraped_at": 4, "itl_seconds": {"buckets": [{"le": "soon", "count": 3}], "sum": 0.2}}}]}"#, "workers[0].telemetry.itl_seconds.buckets[0].le"),
        (#"{"schema": 1, "time": 5, "nodes": [{"name": "gpu-a", "gpus": [0]}], "workers": [{"id": "w", "role": "prefill", "node": "gpu-a", "gpus": [0], "state": "ready", "started_at": 0, "telemetry": {"scraped_at": 4, "prefix_cache_hit_rate": 1.5}}]}"#, "workers[0].telemetry.prefix_cache_hit_rate"),
        (#"{"schema": 1, "time": 5, "nodes": [{"name": "gpu-a", "gpus": [0]}], "workers": [{"id": "w", "role": "prefill", "node": "gpu-a", "gpus": [0], "state": "ready", "started_at": 0, "telemetry": {"scraped_at": 4, "prefix_cache_hits": -3}}]}"#, "workers[0].telemetry.prefix_cache_hits"),
        (#"{"schema": 1, "time": 5, "nodes": [{"name": "gpu-a", "gpus": [0]}], "workers": [], "traffic": {"duration_s": 0, "requests": 3}}"#, "traffic.duration_s"),
        (#"{"schema": 1, "time": 5, "nodes": [{"name": "gpu-a", "gpus": [0]}], "workers": [], "overrides": {"ratio": "three"}}"#, "overrides.ratio"),
        (#"{"schema": 1, "time": 5, "nodes": [{"name": "gpu-a", "gpus": [0]}], "workers": [], "overrides": {"counts": {"prefill": 1}}}"#, "overrides.counts.decode"),
    ])
    func refusedLines(line: String, field: String) throws {
        var session = DecisionSession(configuration: DecisionFixtures.configuration)
        var control = DecisionSession(configuration: DecisionFixtures.configuration)
        let warmUp = wire(DecisionFixtures.windowSnapshot(time: 0, requests: 50))
        _ = session.respond(to: warmUp)
        _ = control.respond(to: warmUp)

        let detail = try error(session.respond(to: line))
        #expect(detail.field == field)
        #expect(detail.line == 2)
        #expect(!detail.message.isEmpty && detail.message.hasSuffix("."))
        if !field.isEmpty { #expect(detail.message.hasPrefix(field)) }

        // The next good line is decided exactly as if the bad one had never come.
        let next = wire(DecisionFixtures.windowSnapshot(time: 10, requests: 80))
        let afterRefusal = session.respond(to: next)
        let neverRefused = control.respond(to: next)
        #expect(afterRefusal != nil)
        #expect(afterRefusal == neverRefused)
    }

    @Test("Unknown keys are named in the message, with the keys allowed")
    func unknownKeyMessage() throws {
        var session = DecisionSession(configuration: DecisionFixtures.configuration)
        let detail = try error(session.respond(to: #"{"schema": 1, "time": 5, "nodes": [{"name": "gpu-a", "gpus": [0], "zone": "b"}], "workers": []}"#))
        #expect(detail.field == "nodes[0].zone")
        #expect(detail.message == "nodes[0].zone is not a known key; expected one of name, gpus, reachable, backing_off.")
        // At the top level too: the key is named, not the line called invalid JSON.
        let top = try error(session.respond(to: #"{"schema": 1, "time": 5, "nodez": []}"#))
        #expect(top.field == "nodez")
        #expect(top.message.hasPrefix("nodez is not a known key; expected one of schema, time, nodes,"))
    }

    @Test("Time going backwards is refused; blank lines are skipped without a reply")
    func timeOrderAndBlankLines() throws {
        var session = DecisionSession(configuration: DecisionFixtures.configuration)
        _ = try decode(session.respond(to: wire(DecisionFixtures.windowSnapshot(time: 50, requests: 10))))
        let blank = session.respond(to: "   ")
        #expect(blank == nil)
        let detail = try error(session.respond(to: wire(DecisionFixtures.windowSnapshot(time: 40, requests: 10))))
        #expect(detail.field == "time")
        #expect(detail.line == 3)
        _ = try decode(session.respond(to: wire(DecisionFixtures.windowSnapshot(time: 50, requests: 10))))
    }

    @Test("The budget is the configured one or the GPUs the snapshot lists, whichever is smaller")
    func budgetFollowsSnapshot() throws {
        var configuration = DecisionFixtures.configuration
        configuration.placement.maxTotalGPUs = 100_000
        var session = DecisionSession(configuration: configuration)
        var last: DecisionMessage?
        for index in 0..<20 {
            last = try decode(session.respond(to: wire(DecisionFixtures.windowSnapshot(time: Double(index) * 10, requests: 5_000))))
        }
        let reply = try #require(last)
        #expect(reply.desired.prefill + reply.desired.decode <= 8)
        #expect(reply.rateMatching?.regime == "over_budget")
    }

    @Test("A worker sent without started_at starts when the session first saw it")
    func startedAtDefaultsToFirstSighting() throws {
        var session = DecisionSession(configuration: DecisionFixtures.configuration)
        func line(_ time: Double, _ state: String) -> String {
            #"{"schema": 1, "time": \#(time), "nodes": [{"name": "gpu-a", "gpus": [0, 1]}], "workers": [{"id": "p0", "role": "prefill", "node": "gpu-a", "gpus": [0], "state": "\#(state)"}]}"#
        }
        _ = try decode(session.respond(to: line(100, "starting")))
        _ = try decode(session.respond(to: line(110, "starting")))
        let snapshot = try JSONDecoder().decode(SnapshotMessage.self, from: Data(line(120, "ready").utf8))
        // Through the session's memory: first listed at 100.
        let remembered = try snapshot.coreInput(firstSeen: ["p0": 100]).snapshot
        #expect(remembered.workers.first?.startedAt == Timestamp(seconds: 100))
        // A worker never seen before starts now.
        #expect(try snapshot.coreInput().snapshot.workers.first?.startedAt == Timestamp(seconds: 120))
        // The session learns a 20 s start-up (100 → 120) from lines that never gave a start
        // time: one sample moves the 180 s prior halfway.
        let ready = try decode(session.respond(to: line(120, "ready")))
        #expect(ready.estimate.forecastHorizonS == 100)
    }

    @Test("target is desired minus what cannot be placed yet; next_decision_s is the tick")
    func targetExcludesUnplaced() throws {
        // Both GPUs of the node are held (one by a draining decode worker), so a second prefill
        // can be desired but not placed: a count-only caller must not start it yet.
        let snapshot = ClusterSnapshot(
            time: Timestamp(seconds: 100), nodes: [NodeSnapshot(name: "gpu-a", gpus: [0, 1])],
            workers: [
                WorkerSnapshot(id: "p0", role: .prefill, node: "gpu-a", gpus: [0], lifecycle: .ready, startedAt: Timestamp(seconds: 0), readyAt: Timestamp(seconds: 1)),
                WorkerSnapshot(id: "d0", role: .decode, node: "gpu-a", gpus: [1], lifecycle: .ready, startedAt: Timestamp(seconds: 0), readyAt: Timestamp(seconds: 1)),
            ],
            traffic: TrafficWindow(durationSeconds: 10, requests: 600, meanInputTokens: 4_000, meanOutputTokens: 100)
        )
        var session = DecisionSession(configuration: DecisionFixtures.configuration, tickSeconds: 15)
        let reply = try decode(session.respond(to: wire(snapshot)))
        #expect(reply.nextDecisionS == 15)
        #expect(reply.target.prefill == reply.desired.prefill - reply.unplaced.prefill)
        #expect(reply.target.decode == reply.desired.decode - reply.unplaced.decode)
        #expect(reply.target.prefill + reply.target.decode <= 2)
    }
}
