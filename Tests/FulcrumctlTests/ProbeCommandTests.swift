import Foundation
import FulcrumTestSupport
import Hummingbird
import NIOCore
import Testing

/// Runs `fulcrumctl probe` on `text` written to a temporary file.
func probeFile(_ text: String, _ extra: [String] = []) async throws -> (FulcrumctlRunner.Outcome, String) {
    let path = try FulcrumctlRunner.fixtureFile(text, name: "metrics.prom")
    defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
    return (try await FulcrumctlRunner.run(["probe", path] + extra), path)
}

@Suite struct ProbeCommandTests {
    @Test func vllmFilePrintsAlignedSignalTable() async throws {
        let (outcome, path) = try await probeFile(ProbeFixtures.vllm)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.isEmpty)
        let lines = outcome.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains("    Input: \(path)"))
        #expect(lines.contains("   Preset: vllm (detected, worker)"))
        #expect(lines.contains("Role hint: none"))
        #expect(lines.contains("   Format: Prometheus text 0.0.4 (by content)"))
        #expect(lines.contains("     Size: 1.6 KiB, 9 families, 16 samples"))
        let table = """
            SIGNAL             VALUE                        SOURCE
            requestsWaiting    3                            vllm:num_requests_waiting
            requestsRunning    12                           vllm:num_requests_running
            kvCacheUsage       0.25                         vllm:kv_cache_usage_perc
            timeToFirstToken   43 obs, sum 12.5, 2 buckets  vllm:time_to_first_token_seconds
            interTokenLatency  4957 obs, sum 90, 2 buckets  vllm:inter_token_latency_seconds
            promptTokens       1000                         vllm:prompt_tokens_total
            generationTokens   5000                         vllm:generation_tokens_total
            requestsFinished   42                           vllm:request_success_total

            """
        #expect(outcome.stdout.contains(table))
        #expect(lines.contains("Missing required: none"))
        #expect(lines.contains("Unused families: 1 (vllm:engine_sleep_state)"))
        #expect(lines.contains("8 signals found, 0 required missing."))
    }

    @Test func jsonOutputIsMachineReadable() async throws {
        let (outcome, path) = try await probeFile(ProbeFixtures.sglangPrefill, ["--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        #expect(object["input"] as? String == path)
        #expect(object["preset"] as? String == "sglang")
        #expect(object["presetDetected"] as? Bool == true)
        #expect(object["roleHint"] as? String == "prefill")
        #expect(object["format"] as? String == "prometheus-text")
        #expect(object["missingRequired"] as? [String] == [])
        #expect(object["missingOptional"] as? [String] == ["requestsFinished", "prefixCacheHits", "prefixCacheHitRate", "kvTransferSeconds", "kvTransfers", "kvTransferSecondsTotal"])
        #expect(object["error"] == nil)
        let signals = try #require(object["signals"] as? [[String: Any]])
        let waiting = try #require(signals.first { $0["name"] as? String == "requestsWaiting" })
        #expect(waiting["value"] as? Double == 4)
        #expect(waiting["source"] as? String == "sglang:num_queue_reqs")
        let ttft = try #require(signals.first { $0["name"] as? String == "timeToFirstToken" }?["histogram"] as? [String: Any])
        #expect(ttft["count"] as? Double == 3)
    }

    @Test func missingRequiredSignalsExitNonZero() async throws {
        let (outcome, path) = try await probeFile(ProbeFixtures.trtllmWithoutIterationStats)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("Missing required: requestsRunning"))
        // The signals that are there are still shown, to help fix the mapping.
        #expect(outcome.stdout.contains("promptTokens"))
        #expect(outcome.stderr == "fulcrumctl: \(path) lacks the trtllm preset's required signals requestsRunning; check the engine version or use a custom mapping.\n")
    }

    @Test("probe on a TensorRT-LLM worker served through Dynamo (Dynamo's own capture) reports every required signal")
    func tensorRTThroughDynamoIsComplete() async throws {
        let capture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Expositions/dynamo-trtllm.prom")
        let (outcome, _) = try await probeFile(try String(contentsOf: capture, encoding: .utf8))
        #expect(outcome.status == 0, "\(outcome.stdout)\n\(outcome.stderr)")
        #expect(outcome.stdout.contains("Preset: trtllm"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("0 required missing."), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("dynamo_component_inflight_requests"))
    }

    @Test func parseErrorsNameLineAndColumn() async throws {
        let (outcome, path) = try await probeFile(ProbeFixtures.broken)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("Parse error: line 3, column "))
        #expect(outcome.stderr.hasPrefix("fulcrumctl: \(path) is not a valid Prometheus exposition: line 3, column "))
        #expect(outcome.stderr.split(separator: "\n").count == 1)

        let (json, _) = try await probeFile(ProbeFixtures.broken, ["--json"])
        #expect(json.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let parseError = try #require(object["parseError"] as? [String: Any])
        #expect(parseError["line"] as? Int == 3)
        #expect((parseError["column"] as? Int ?? 0) > 1)
    }

    @Test("a value fulcrumd would refuse fails the probe, names the metric, and shows the rest", arguments: ["NaN", "-5"])
    func refusedValueFailsTheProbe(value: String) async throws {
        let text = ProbeFixtures.vllm.replacingOccurrences(of: #"vllm:num_requests_waiting{engine="0",model_name="m"} 3.0"#,
                                                           with: #"vllm:num_requests_waiting{engine="0",model_name="m"} "# + value)
        let (outcome, path) = try await probeFile(text)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("fulcrumd cannot use \(path)'s metrics as they are (vllm:num_requests_waiting: reads "), "\(outcome.stderr)")
        #expect(outcome.stdout.contains("kvCacheUsage       0.25"), "the readings that can be used are still shown")
    }

    @Test func unknownInputsAndPresetsAreExplained() async throws {
        let (unrelated, path) = try await probeFile(ProbeFixtures.unrelated)
        #expect(unrelated.status == 1)
        #expect(unrelated.stderr.contains("\(path) exposes no vLLM, SGLang, TensorRT-LLM, TGI, Dynamo worker or Dynamo frontend metrics"))

        let missing = try await FulcrumctlRunner.run(["probe", "/nonexistent/metrics.prom"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "fulcrumctl: cannot read /nonexistent/metrics.prom; check the path, or give an http:// URL.\n")

        let (badPreset, _) = try await probeFile(ProbeFixtures.vllm, ["--preset", "llamacpp"])
        #expect(badPreset.status != 0)
        #expect(badPreset.stderr.contains("--preset \"llamacpp\" is unknown"))
    }

    @Test func givenPresetsAndFrontendFallback() async throws {
        let (asSGLang, _) = try await probeFile(ProbeFixtures.vllm, ["--preset", "sglang"])
        #expect(asSGLang.status == 1)
        #expect(asSGLang.stdout.contains("Preset: sglang (given, worker)"))

        let (frontend, _) = try await probeFile(ProbeFixtures.dynamoFrontend)
        #expect(frontend.status == 0, "\(frontend.stderr)")
        #expect(frontend.stdout.contains("Preset: dynamo-frontend (detected, frontend)"))
        #expect(frontend.stdout.contains("requestsArrived"))
    }

    @Test func customMappingFileIsApplied() async throws {
        let mapping = try FulcrumctlRunner.fixtureFile(
            #"{"base": "vllm", "signals": {"kvCacheUsage": [{"metric": "vllm:kv_cache_usage_perc", "scale": 2}]}}"#,
            name: "mapping.json"
        )
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: mapping).deletingLastPathComponent().path) }
        let (outcome, _) = try await probeFile(ProbeFixtures.vllm, ["--preset", mapping, "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        let signals = try #require(object["signals"] as? [[String: Any]])
        let kv = try #require(signals.first { $0["name"] as? String == "kvCacheUsage" })
        #expect(kv["value"] as? Double == 0.5)
        #expect(kv["source"] as? String == "vllm:kv_cache_usage_perc × 2.0")
        #expect(object["presetDetected"] as? Bool == false)
    }

    @Test func liveServerIsFetchedWithNegotiationAndGzip() async throws {
        let compressed = try gzipped(ProbeFixtures.vllm)
        try await withLoopbackServer({ router in
            router.get("metrics") { request, _ in
                // Only the scraper's negotiation gets metrics; gzip only when offered.
                guard request.headers[.accept]?.hasPrefix("text/plain;version=0.0.4") == true else {
                    return Response(status: .notAcceptable)
                }
                guard request.headers[.acceptEncoding]?.contains("gzip") == true else {
                    return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: ProbeFixtures.vllm)))
                }
                return Response(
                    status: .ok,
                    headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .contentEncoding: "gzip"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: compressed))
                )
            }
            router.get("down") { _, _ in Response(status: .serviceUnavailable) }
        }) { port in
            let url = "http://127.0.0.1:\(port)/metrics"
            let outcome = try await FulcrumctlRunner.run(["probe", url])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(outcome.stdout.contains("Input: \(url)\n"))
            #expect(outcome.stdout.contains("Format: Prometheus text 0.0.4 (text/plain; version=0.0.4; charset=utf-8, gzip encoded)"))
            #expect(outcome.stdout.contains("8 signals found, 0 required missing."))

            let down = try await FulcrumctlRunner.run(["probe", "http://127.0.0.1:\(port)/down", "--json"])
            #expect(down.status == 1)
            #expect(down.stderr == "fulcrumctl: http://127.0.0.1:\(port)/down answered HTTP 503 instead of 200; check the metrics path and the worker's logs.\n")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(down.stdout.utf8)) as? [String: Any])
            #expect((object["error"] as? String)?.contains("HTTP 503") == true)
        }
    }
}
