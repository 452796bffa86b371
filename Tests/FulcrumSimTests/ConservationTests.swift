import FulcrumCore
import FulcrumTraces
import Foundation
import Testing
@testable import FulcrumSim

@Suite struct ConservationTests {
    @Test func everyRequestCompletesOrFailsAndTokensAreConserved() throws {
        var trace = Traces.pseudoRandom(seed: 3, rate: 4, duration: 400)
        // Two requests no decode instance can ever hold.
        trace.append(TraceRequest(arrival: 50, inputTokens: 500_000, outputTokens: 10))
        trace.append(TraceRequest(arrival: 51, inputTokens: 1000, outputTokens: 400_000))
        let outcome = try Simulator.run(makeInput(trace: trace, initial: PerRole(prefill: 2, decode: 2)), policy: HoldPolicy())
        let result = outcome.result

        #expect(result.requests == trace.count)
        #expect(result.completed + result.failed == trace.count)
        #expect(result.unservable == 2)
        #expect(result.unfinished == 0)
        #expect(outcome.requests.map(\.index) == Array(trace.indices))

        let completed = outcome.requests.filter { $0.status == .completed }
        let completedInput = completed.reduce(0.0) { $0 + Double($1.inputTokens) }
        let completedOutput = completed.reduce(0.0) { $0 + Double($1.outputTokens) }
        let multiToken = completed.filter { $0.outputTokens > 1 }

        let workers = outcome.finalSnapshot.workers.compactMap { worker in worker.telemetry.map { (worker.role, $0) } }
        #expect(workers.count == 4)
        func total(_ role: Role, _ value: (WorkerTelemetry) -> Double) -> Double {
            workers.filter { $0.0 == role }.reduce(0) { $0 + value($1.1) }
        }
        #expect(total(.prefill, \.promptTokens) == completedInput)
        #expect(total(.prefill, \.requestsFinished) == Double(completed.count))
        #expect(total(.prefill, \.generationTokens) == Double(completed.count))
        #expect(total(.decode, \.promptTokens) == multiToken.reduce(0.0) { $0 + Double($1.inputTokens) })
        #expect(total(.decode, \.requestsFinished) == Double(multiToken.count))
        #expect(total(.prefill, \.generationTokens) + total(.decode, \.generationTokens) == completedOutput)

        let frontend = try #require(outcome.finalSnapshot.frontend)
        #expect(frontend.requestsArrived == Double(trace.count))
        #expect(frontend.inputTokens == trace.reduce(0.0) { $0 + Double($1.inputTokens) })
        #expect(frontend.outputTokens == completedOutput)
        #expect(frontend.requestsCompleted == Double(completed.count))
        #expect(frontend.timeToFirstToken?.count == Double(completed.count))

        // Every completed request went through one prefill worker, and through a decode worker
        // exactly when it had more than one token to generate.
        for record in completed {
            #expect(record.prefillWorker != nil)
            #expect((record.decodeWorker != nil) == (record.outputTokens > 1))
            #expect(record.ttft.map { $0 > 0 } == true)
        }
    }

    @Test func identicalInputsGiveIdenticalJSON() throws {
        let trace = Traces.pseudoRandom(seed: 11, rate: 6, duration: 300)
        let script = ScriptedPolicy([
            (at: 60, steps: [.action(.start(role: .decode, node: "node-1", gpus: [0]))]),
            (at: 200, steps: [.drainFirstReady(.prefill)]),
        ])
        let input = makeInput(trace: trace, initial: PerRole(prefill: 2, decode: 2))
        let first = try Simulator.run(input, policy: script)
        let second = try Simulator.run(input, policy: script)
        #expect(try first.result.jsonData() == second.result.jsonData())
        #expect(first.requests == second.requests)
        #expect(TimelineCSVWriter.render(first.result.timeline) == TimelineCSVWriter.render(second.result.timeline))
    }

    @Test func resultJSONHasTheDocumentedKeys() throws {
        let trace = Traces.evenlySpaced(rate: 2, count: 100, input: 500, output: 50)
        let outcome = try Simulator.run(makeInput(trace: trace, initial: PerRole(prefill: 1, decode: 1)), policy: HoldPolicy())
        let object = try #require(try JSONSerialization.jsonObject(with: outcome.result.jsonData()) as? [String: Any])
        for key in [
            "policy", "requests", "completed", "failed", "slo_attainment", "goodput_rps", "goodput_per_gpu_hour",
            "ttft_p50_s", "ttft_p99_s", "tpot_p50_s", "tpot_p99_s", "gpu_hours", "output_tokens_per_gpu_s",
            "scale_actions", "role_flips", "timeline",
        ] {
            #expect(object[key] != nil, "missing \(key)")
        }
        let timeline = try #require(object["timeline"] as? [[String: Any]])
        #expect(timeline.count == outcome.result.timeline.count)
        #expect(timeline.first?["prefill_ready"] as? Int == 1)
        #expect(timeline.first?["slo_attainment"] != nil)
        let decoded = try JSONDecoder().decode(SimulationResult.self, from: outcome.result.jsonData())
        #expect(decoded == outcome.result)
    }

    @Test func summaryMetricsFollowTheirDefinitions() throws {
        let trace = Traces.evenlySpaced(rate: 2, count: 600, input: 1000, output: 100)
        let outcome = try Simulator.run(makeInput(trace: trace, initial: PerRole(prefill: 1, decode: 3)), policy: HoldPolicy())
        let result = outcome.result
        // 4 one-GPU instances held for the whole run.
        #expect(relativeError(result.gpuHours, 4 * result.simulatedSeconds / 3600) < 1e-9)
        let good = outcome.requests.count(where: \.meetsSLO)
        #expect(result.sloAttainment == Double(good) / 600)
        #expect(relativeError(result.goodputRPS, Double(good) / trace.last!.arrival) < 1e-9)
        #expect(relativeError(result.goodputPerGPUHour, Double(good) / result.gpuHours) < 1e-9)
        #expect(relativeError(result.outputTokensPerGPUSecond, 600.0 * 100 / (result.gpuHours * 3600)) < 1e-9)
        #expect(result.timeline.reduce(0) { $0 + $1.arrivals } == 600)
        #expect(result.timeline.reduce(0) { $0 + $1.resolved } == 600)
        #expect(result.timeline.allSatisfy { $0.gpusHeld == 4 && $0.decodeReady == 3 })
    }
}
