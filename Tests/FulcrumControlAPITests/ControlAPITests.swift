import Foundation
import FulcrumControlAPI
import FulcrumCore
import FulcrumDecisionAPI
import Testing

@Suite("Control API wire types")
struct ControlAPITests {
    static func worker(_ lifecycle: WorkerLifecycle, scrapedAt: Double?) -> WorkerSnapshot {
        var worker = WorkerSnapshot(id: "gpu-a/llm-decode@g0.service", role: .decode, node: "gpu-a", gpus: [0], lifecycle: lifecycle,
                                    startedAt: Timestamp(seconds: 0))
        worker.telemetry = scrapedAt.map { WorkerTelemetry(scrapedAt: Timestamp(seconds: $0), requestsWaiting: 1, requestsRunning: 3) }
        return worker
    }

    /// Every key in a JSON document, at any depth.
    static func keys(_ value: Any) -> [String] {
        if let object = value as? [String: Any] { return object.keys + object.values.flatMap(keys) }
        if let array = value as? [Any] { return array.flatMap(keys) }
        return []
    }

    static func sampleDecision() -> Decision {
        var controller = Controller(configuration: ControllerConfiguration(
            slo: .default, placement: PlacementConstraints(gpusPerInstance: PerRole(repeating: 1), maxTotalGPUs: 8)))
        let snapshot = ClusterSnapshot(time: Timestamp(seconds: 10), nodes: [NodeSnapshot(name: "gpu-a", gpus: Array(0..<8))],
                                       workers: [worker(.ready, scrapedAt: 9)])
        return controller.decide(snapshot)
    }

    @Test func healthFollowsTheControllersFreshnessRule() {
        let now = Timestamp(seconds: 100)
        #expect(WorkerView(Self.worker(.ready, scrapedAt: 90), now: now, staleAfterSeconds: 15).healthy)
        #expect(!WorkerView(Self.worker(.ready, scrapedAt: 80), now: now, staleAfterSeconds: 15).healthy)
        #expect(!WorkerView(Self.worker(.ready, scrapedAt: nil), now: now, staleAfterSeconds: 15).healthy)
        #expect(WorkerView(Self.worker(.starting, scrapedAt: nil), now: now, staleAfterSeconds: 15).healthy)
        #expect(!WorkerView(Self.worker(.failed, scrapedAt: 99), now: now, staleAfterSeconds: 15).healthy)
        #expect(WorkerView(Self.worker(.ready, scrapedAt: 90), now: now, staleAfterSeconds: 15).telemetryAgeSeconds == 10)
    }

    @Test func everyBodyIsSnakeCaseAndCarriesTheSchema() throws {
        var overrides = Overrides(ratio: Expiring(InstanceRatio(prefill: 1, decode: 3), expiresAt: Timestamp(seconds: 60), reason: "launch"),
                                  bounds: Expiring(RoleBounds(min: PerRole(prefill: 1, decode: nil))))
        overrides.manualDrains = ["gpu-a/llm-decode@g1.service"]
        let decision = Self.sampleDecision()
        let bodies: [any Encodable] = [
            StatusView(nodes: [], workers: [WorkerView(Self.worker(.ready, scrapedAt: 9), now: Timestamp(seconds: 10), staleAfterSeconds: 15)],
                       current: decision.current, desired: decision.desired, paused: false, dryRun: true,
                       overrides: OverridesView(overrides), gpuBudget: 8, gpusInUse: 1,
                       lastDecisions: [StatusView.DecisionSummary(decision)],
                       audit: [AuditView(time: 1, requester: AuditView.Peer(uid: 0, gid: 0, pid: 1), action: "pause", reason: nil)]),
            WorkersView(workers: []),
            ExplainView(decision: DecisionMessage(decision, nextDecisionSeconds: 10), overrides: OverridesView(overrides)),
            ChangeView(ok: true, change: "pause", overrides: OverridesView(overrides)),
            ErrorView(error: "no", status: 400),
        ]
        for body in bodies {
            let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(body))
            let object = try #require(json as? [String: Any])
            #expect(object["schema"] as? Int == ControlSchema.version, "\(type(of: body))")
            let camel = Self.keys(json).filter { $0.contains { $0.isUppercase } }
            #expect(camel.isEmpty, "\(type(of: body)) has keys \(camel)")
        }
    }

    @Test func viewsDecodeWhatTheyEncode() throws {
        let decision = Self.sampleDecision()
        let view = ExplainView(decision: DecisionMessage(decision, nextDecisionSeconds: 10), overrides: OverridesView(.none))
        let decoded = try JSONDecoder().decode(ExplainView.self, from: try JSONEncoder().encode(view))
        #expect(decoded == view)
        #expect(decoded.decision.desired == decision.desired)
    }

    @Test func aReplyFromAnotherVersionIsRefusedWithASentence() throws {
        #expect(ControlSchema.incompatibility(found: ControlSchema.version, endpoint: "GET /v1/status") == nil)
        let newer = try #require(ControlSchema.incompatibility(found: ControlSchema.version + 1, endpoint: "GET /v1/status"))
        #expect(newer.contains("newer than this fulcrumctl's \(ControlSchema.version)"))
        #expect(newer.contains("GET /v1/status"))
        let unversioned = try #require(ControlSchema.incompatibility(found: nil, endpoint: "GET /v1/workers"))
        #expect(unversioned.contains("predates"))
        // A version-1 daemon's body has no `schema`: the header decodes and says so.
        let header = try JSONDecoder().decode(SchemaHeader.self, from: Data(#"{"nodes": [], "dry_run": false}"#.utf8))
        #expect(header.schema == nil)
    }

    @Test func drainPathsPercentEncodeTheWorker() {
        #expect(ControlPath.drain("gpu-a/llm-decode@g4-7.service") == "/v1/workers/gpu-a%2Fllm-decode%40g4-7.service/drain")
        #expect(ControlPath.drain("n/ü") == "/v1/workers/n%2F%C3%BC/drain")
    }

    @Test func clearingPathsPercentEncodeTheKind() {
        #expect(ControlPath.overrides(clearing: nil) == "/v1/overrides")
        #expect(ControlPath.overrides(clearing: "pause") == "/v1/overrides?kind=pause")
        // `&` and `=` would otherwise read as a second parameter.
        #expect(ControlPath.overrides(clearing: "ratio&kind=all") == "/v1/overrides?kind=ratio%26kind%3Dall")
    }
}
