import Foundation
import FulcrumControlAPI
import FulcrumCore
import Testing
@testable import FulcrumDaemon

@Suite("Control API request parsing")
struct ControlRequestParserTests {
    func parse(_ method: String, _ path: String, _ body: String = "", query: [String: String] = [:]) throws(ControlError) -> ControlCommand {
        try ControlRequestParser.parse(method: method, path: path, query: query, body: Data(body.utf8))
    }

    func error(_ method: String, _ path: String, _ body: String = "") -> ControlError? {
        do {
            _ = try parse(method, path, body)
            return nil
        } catch {
            return error
        }
    }

    /// fulcrumctl's bodies and paths are the shared wire types; the daemon's strict parser must
    /// read every one of them as what it means.
    @Test("the client's wire types parse as intended")
    func clientBodiesParse() throws {
        func body(_ value: some Encodable) throws -> String { String(decoding: try JSONEncoder().encode(value), as: UTF8.self) }
        #expect(try parse("POST", ControlPath.overrides, body(OverrideBody(kind: "ratio", prefill: 1, decode: 3, ttl: "30m", reason: "launch")))
            == .setOverride(.ratio(InstanceRatio(prefill: 1, decode: 3)), ttlSeconds: 1800, reason: "launch"))
        #expect(try parse("POST", ControlPath.overrides, body(OverrideBody(kind: "counts", prefill: 2, decode: 1)))
            == .setOverride(.counts(PerRole(prefill: 2, decode: 1)), ttlSeconds: nil, reason: nil))
        #expect(try parse("POST", ControlPath.overrides, body(OverrideBody(kind: "bounds", minPrefill: 1, maxDecode: 4)))
            == .setOverride(.bounds(RoleBounds(min: PerRole(prefill: 1, decode: nil), max: PerRole(prefill: nil, decode: 4))), ttlSeconds: nil, reason: nil))
        #expect(try parse("POST", ControlPath.pause, body(PauseBody(ttl: "10m", reason: "maintenance")))
            == .setOverride(.pause, ttlSeconds: 600, reason: "maintenance"))
        #expect(try parse("POST", ControlPath.pause, body(PauseBody())) == .setOverride(.pause, ttlSeconds: nil, reason: nil))
        let worker = "gpu-a/llm-decode@g4-7.service"
        #expect(try parse("POST", ControlPath.drain(worker), body(ReasonBody(reason: "bad NIC"))) == .drain(WorkerID(worker), reason: "bad NIC"))
        #expect(try parse("POST", ControlPath.drain(worker), body(ReasonBody())) == .drain(WorkerID(worker), reason: nil))
        for path in [ControlPath.status, ControlPath.workers, ControlPath.explain] { _ = try parse("GET", path) }
        #expect(try parse("POST", ControlPath.takeOver, body(ReasonBody(reason: "resized by hand"))) == .takeOver(reason: "resized by hand"))
        #expect(try parse("POST", ControlPath.takeOver) == .takeOver(reason: nil))
        for path in [ControlPath.resume, ControlPath.reconcile, ControlPath.reload] { _ = try parse("POST", path) }
    }

    @Test("read endpoints")
    func reads() throws {
        #expect(try parse("GET", "/v1/status") == .status(maxWorkers: nil))
        #expect(try parse("GET", "/v1/status", query: ["max_workers": "20"]) == .status(maxWorkers: 20))
        let bad = #expect(throws: ControlError.self) { try parse("GET", "/v1/status", query: ["max_workers": "-1"]) }
        #expect(bad?.status == 400)
        #expect(bad?.message.contains("max_workers=-1 is not a whole number") == true)
        #expect(try parse("GET", "/v1/workers") == .workers)
        #expect(try parse("GET", "/v1/explain") == .explain)
    }

    @Test("overrides with TTL and reason")
    func overrides() throws {
        #expect(try parse("POST", "/v1/overrides", #"{"kind":"ratio","prefill":1,"decode":3,"ttl":"30m","reason":"launch"}"#)
                == .setOverride(.ratio(InstanceRatio(prefill: 1, decode: 3)), ttlSeconds: 1800, reason: "launch"))
        #expect(try parse("POST", "/v1/overrides", #"{"kind":"counts","prefill":4,"decode":12}"#)
                == .setOverride(.counts(PerRole(prefill: 4, decode: 12)), ttlSeconds: nil, reason: nil))
        #expect(try parse("POST", "/v1/overrides", #"{"kind":"bounds","min_decode":2,"max_prefill":6,"ttl":600}"#)
                == .setOverride(.bounds(RoleBounds(min: PerRole(prefill: nil, decode: 2), max: PerRole(prefill: 6, decode: nil))), ttlSeconds: 600, reason: nil))
        #expect(try parse("DELETE", "/v1/overrides") == .setOverride(.clear(nil), ttlSeconds: nil, reason: nil))
        #expect(try parse("DELETE", "/v1/overrides", query: ["kind": "ratio"]) == .setOverride(.clear(.ratio), ttlSeconds: nil, reason: nil))
        #expect(try parse("POST", "/v1/pause", #"{"ttl":"1h","reason":"maintenance"}"#) == .setOverride(.pause, ttlSeconds: 3600, reason: "maintenance"))
        #expect(try parse("POST", "/v1/pause") == .setOverride(.pause, ttlSeconds: nil, reason: nil))
        #expect(try parse("POST", "/v1/resume") == .setOverride(.resume, ttlSeconds: nil, reason: nil))
    }

    @Test("drain takes a percent-encoded worker id")
    func drain() throws {
        #expect(try parse("POST", "/v1/workers/gpu-a%2Fllm-decode%40g4-7.service/drain", #"{"reason":"bad NIC"}"#)
                == .drain(WorkerID("gpu-a/llm-decode@g4-7.service"), reason: "bad NIC"))
    }

    @Test("malformed JSON, unknown fields and wrong types are 400s naming the field", arguments: [
        ("POST", "/v1/overrides", "{not json", "not valid JSON"),
        ("POST", "/v1/overrides", "[1,2]", "must be a JSON object, not an array"),
        ("POST", "/v1/overrides", #"{"kind":"ratio","prefill":1,"decode":3,"colour":"red"}"#, #"unknown field "colour""#),
        ("POST", "/v1/overrides", #"{"kind":"ratio","prefill":"one","decode":3}"#, #"field "prefill" must be a whole number"#),
        ("POST", "/v1/overrides", #"{"kind":"ratio","prefill":1.5,"decode":3}"#, #"field "prefill" must be a whole number"#),
        ("POST", "/v1/overrides", #"{"kind":"counts","prefill":-1,"decode":3}"#, #"field "prefill""#),
        ("POST", "/v1/overrides", #"{"kind":"ratio","prefill":true,"decode":3}"#, "not a boolean"),
        ("POST", "/v1/overrides", #"{"kind":"ratio","prefill":0,"decode":0}"#, "not both 0"),
        ("POST", "/v1/overrides", #"{"kind":"fast"}"#, #"field "kind" is "fast""#),
        ("POST", "/v1/overrides", #"{"prefill":1}"#, #"field "kind" is required"#),
        ("POST", "/v1/overrides", #"{"kind":"counts","prefill":1,"decode":1,"ttl":"forever"}"#, #"field "ttl""#),
        ("POST", "/v1/overrides", #"{"kind":"pause","prefill":1}"#, "does not apply to a pause override"),
        ("POST", "/v1/overrides", #"{"kind":"bounds","min_decode":5,"max_decode":2}"#, "is above max_decode"),
        ("POST", "/v1/overrides", "", "needs a JSON object body"),
        ("POST", "/v1/resume", #"{"force":true}"#, #"unknown field "force""#),
        ("POST", "/v1/overrides", #"{"kind":"counts","prefill":1,"decode":1,"kind":"ratio"}"#, #"field "kind" appears more than once"#),
        ("POST", "/v1/overrides", #"{"kind":"counts","prefill":1,"decode":1,}"#, "trailing comma"),
        ("POST", "/v1/overrides", #"{"kind":"counts","prefill":01,"decode":1}"#, "leading zero"),
        ("POST", "/v1/overrides", #"{"kind":"counts","prefill":1,"decode":1} x"#, "after the JSON value"),
        ("POST", "/v1/overrides", #"{"kind":"counts","prefill":1e999,"decode":1}"#, "too large"),
        ("POST", "/v1/overrides", #"{"kind":"counts", /* c */ "prefill":1,"decode":1}"#, "not valid JSON"),
        ("POST", "/v1/overrides", #"{"kind":"count\ud800s","prefill":1,"decode":1}"#, "surrogate"),
        ("POST", "/v1/pause", #"{"reason":"a\u0000b","reason":"c"}"#, #"field "reason" appears more than once"#),
        ("POST", "/v1/pause", String(repeating: "[", count: 40) + String(repeating: "]", count: 40), "nesting deeper"),
    ])
    func badRequests(method: String, path: String, body: String, fragment: String) throws {
        let failure = try #require(error(method, path, body))
        #expect(failure.status == 400)
        #expect(failure.message.contains(fragment), "\(failure.message)")
    }

    @Test("the strict JSON reader reads what RFC 8259 allows")
    func strictJSONAccepts() throws {
        let text = #" {"a": [1, -0.5, 2e3, true, false, null], "b": {"c": "\u00e9\ud83d\ude00\n\"x\""}, "d": {}} "#
        let value = try JSONValue.parse(Array(text.utf8))
        #expect(value == .object([
            "a": .array([.number(1), .number(-0.5), .number(2000), .bool(true), .bool(false), .null]),
            "b": .object(["c": .string("é😀\n\"x\"")]),
            "d": .object([:]),
        ]))
        #expect(try JSONValue.parse(Array("[]".utf8)) == .array([]))
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(Array("[1,]".utf8)) }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(Array("\"\u{01}\"".utf8)) }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse([0x22, 0xFF, 0x22]) }
    }

    @Test("unknown paths and methods are 404s listing the endpoints")
    func unknownPaths() throws {
        let wrongMethod = try #require(error("PUT", "/v1/status"))
        #expect(wrongMethod.status == 404)
        #expect(wrongMethod.message.contains("GET /v1/status"))
        let outside = try #require(error("GET", "/status"))
        #expect(outside.status == 404)
        #expect(outside.message.contains("/v1/"))
        #expect(throws: ControlError.badRequest("query kind=everything is not an override kind; use one of pause, counts, ratio, bounds or omit it to clear all")) {
            try parse("DELETE", "/v1/overrides", query: ["kind": "everything"])
        }
    }
}
