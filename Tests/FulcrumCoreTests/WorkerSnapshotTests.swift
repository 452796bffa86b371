@testable import FulcrumCore
import Foundation
import Testing

@Suite("Worker snapshots: ids, shared telemetry, wire format")
struct WorkerSnapshotTests {
    private func telemetry(waiting: Double) -> WorkerTelemetry {
        WorkerTelemetry(scrapedAt: Timestamp(seconds: 10), requestsWaiting: waiting, requestsRunning: 2, kvCacheUsage: 0.4,
                        promptTokens: 1_000, generationTokens: 50, requestsFinished: 3)
    }

    @Test("Worker ids are equal, and hash alike, exactly when their names are")
    func idEquality() {
        let a = WorkerID("node1/llm-prefill@g0.service"), same = WorkerID("node1/llm-prefill@g0.service")
        let other = WorkerID("node1/llm-prefill@g1.service")
        #expect(a == same)
        #expect(a.hashValue == same.hashValue)
        #expect(a != other)
        #expect(Set([a, same, other]).count == 2)
        let byID = [a: 1, other: 2]
        #expect(byID[same] == 1)
        #expect(a < other)
    }

    @Test("A worker id is one JSON string, as before its hash was kept")
    func idWireFormat() throws {
        let id = WorkerID("node1/llm-decode@g3.service")
        let json = String(decoding: try JSONEncoder().encode([id]), as: UTF8.self)
        #expect(json == #"["node1\/llm-decode@g3.service"]"#)
        let decoded = try JSONDecoder().decode([WorkerID].self, from: Data(json.utf8))
        #expect(decoded == [id])
        #expect(Set(decoded).contains(id))
    }

    @Test("Telemetry shared by reference keeps value semantics: changing a copy leaves the original alone")
    func valueSemantics() {
        var original = WorkerSnapshot(id: "w", role: .prefill, node: "n", gpus: [0], lifecycle: .ready,
                                      startedAt: Timestamp(seconds: 0), telemetry: telemetry(waiting: 1))
        var copy = original
        copy.telemetry?.requestsWaiting = 7
        #expect(original.telemetry?.requestsWaiting == 1)
        #expect(copy.telemetry?.requestsWaiting == 7)
        #expect(original != copy)
        original.telemetry = nil
        #expect(original.telemetry == nil)
        #expect(copy.lastGoodScrape == Timestamp(seconds: 10))
    }

    @Test("A worker snapshot encodes the keys it always had, telemetry only when present, and decodes back")
    func snapshotWireFormat() throws {
        let worker = WorkerSnapshot(id: "w", role: .decode, node: "n", gpus: [1, 2], lifecycle: .starting,
                                    startedAt: Timestamp(seconds: 5), telemetry: telemetry(waiting: 4))
        let object = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(worker)) as? [String: Any])
        #expect(Set(object.keys) == ["id", "role", "node", "gpus", "lifecycle", "startedAt", "telemetry"])
        #expect(try JSONDecoder().decode(WorkerSnapshot.self, from: JSONEncoder().encode(worker)) == worker)
        var bare = worker
        bare.telemetry = nil
        let bareObject = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(bare)) as? [String: Any])
        #expect(bareObject["telemetry"] == nil)
        #expect(try JSONDecoder().decode(WorkerSnapshot.self, from: JSONEncoder().encode(bare)) == bare)
    }
}
