import AsyncHTTPClient
import Foundation
import Testing
@testable import FulcrumEmu

/// SGLang model gateway's worker admin API on the emulated router.
@Suite(.timeLimit(.minutes(1))) struct RouterAdminTests {
    @Test func workersCanBeAddedListedAndDeleted() async throws {
        let router = try await TestCluster.router(workers: [], workerWait: .milliseconds(200))
        do {
            try await TestCluster.withClient { client in
                let base = router.url + "/workers"
                let added = try await TestCluster.send("POST", base, json: #"{"url": "http://127.0.0.1:1/", "worker_type": "prefill"}"#, client: client)
                #expect(added.status == 201)
                let again = try await TestCluster.send("POST", base, json: #"{"url": "http://127.0.0.1:1", "worker_type": "prefill"}"#, client: client)
                #expect(again.status == 200)
                let decode = try await TestCluster.send("POST", base, json: #"{"url": "http://127.0.0.1:2", "worker_type": "decode"}"#, client: client)
                #expect(decode.status == 201)
                let badType = try await TestCluster.send("POST", base, json: #"{"url": "http://127.0.0.1:3", "worker_type": "regular"}"#, client: client)
                #expect(badType.status == 400 && badType.body.contains("worker_type"))
                let badURL = try await TestCluster.send("POST", base, json: #"{"url": "127.0.0.1:3", "worker_type": "decode"}"#, client: client)
                #expect(badURL.status == 400 && badURL.body.contains("not an http:// URL"))
                // A port beyond 65535 parses as a URL; it trapped the router on its first request.
                let badPort = try await TestCluster.send("POST", base, json: #"{"url": "http://127.0.0.1:70000", "worker_type": "decode"}"#, client: client)
                #expect(badPort.status == 400 && badPort.body.contains("not an http:// URL"))

                let listed = try await TestCluster.get(base, client: client)
                struct List: Decodable { var workers: [WorkerInfo]; var total: Int }
                let list = try JSONDecoder().decode(List.self, from: Data(listed.body.utf8))
                #expect(list.total == 2)
                #expect(list.workers.map(\.url) == ["http://127.0.0.1:1", "http://127.0.0.1:2"])
                #expect(list.workers.map(\.workerType) == [.prefill, .decode])

                let encoded = "http%3A%2F%2F127.0.0.1%3A1"
                #expect(try await TestCluster.send("DELETE", base + "/" + encoded, client: client).status == 200)
                #expect(try await TestCluster.send("DELETE", base + "/" + encoded, client: client).status == 404)
                let after = try JSONDecoder().decode(List.self, from: Data(try await TestCluster.get(base, client: client).body.utf8))
                #expect(after.workers.map(\.url) == ["http://127.0.0.1:2"])
            }
        } catch {
            await router.stop()
            throw error
        }
        await router.stop()
    }

    @Test func aRequestWithNoPrefillWorkerFailsWith503AfterABoundedWait() async throws {
        let router = try await TestCluster.router(workers: [], workerWait: .milliseconds(200))
        let started = ContinuousClock.now
        let answer: (status: Int, body: String)
        do {
            answer = try await TestCluster.withClient { client in
                try await TestCluster.send("POST", router.url + "/v1/completions", json: #"{"prompt": "hello there", "max_tokens": 4}"#, client: client)
            }
        } catch {
            await router.stop()
            throw error
        }
        await router.stop()
        #expect(answer.status == 503)
        let error = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
        #expect((error?["message"] as? String)?.contains("no prefill worker") == true)
        #expect(started.duration(to: .now) < .seconds(10))
    }
}
