import FulcrumCore
import FulcrumTraces
import Testing
@testable import FulcrumSim

/// Static allocations on evenly spaced traces, checked against hand-computable queueing.
@Suite struct QueueingTests {
    let profile = Profile.llama3_8B_H100

    /// Arrivals 0.1 s apart, each prefill taking ≈ 0.074 s: no request ever waits, so TTFT is
    /// exactly the prefill service time plus the KV transfer, and the prefill worker is busy
    /// for λ·s of the time.
    @Test func lowLoadTTFTIsServiceTimeAndUtilisationIsDemandOverCapacity() throws {
        let rate = 10.0
        let trace = Traces.evenlySpaced(rate: rate, count: 600, input: 2000, output: 20)
        let outcome = try Simulator.run(makeInput(trace: trace, initial: PerRole(prefill: 1, decode: 1)), policy: HoldPolicy())
        let service = profile.prefill.soloSeconds(promptTokens: 2000)
        let transfer = profile.kvTransferSeconds(tokens: 2000)
        #expect(service > 0.05 && service < 0.1)
        for record in outcome.requests {
            #expect(abs(try #require(record.ttft) - (service + transfer)) < 1e-9)
        }
        let prefill = try #require(outcome.workers.first { $0.role == .prefill })
        let window = Double(trace.count) / rate
        #expect(relativeError(prefill.busySeconds / window, rate * service) < 0.01)
        #expect(outcome.result.completed == 600)
    }

    /// With the queue never empty, prefill batches are full and the completion rate is the
    /// profile's saturated throughput, which is what `priors` tells the controller.
    @Test func saturatedPrefillRunsAtThePriorsThroughput() throws {
        let input = 2000
        let tokensPerSecond = try #require(profile.priors.prefill).tokensPerSecond(promptTokens: Double(input))
        let capacityRate = tokensPerSecond / Double(input)
        // Offer 50 % more than one instance can take for 120 s.
        let rate = capacityRate * 1.5
        let trace = Traces.evenlySpaced(rate: rate, count: Int(rate * 120), input: input, output: 2)
        let outcome = try Simulator.run(makeInput(trace: trace, initial: PerRole(prefill: 1, decode: 1)), policy: HoldPolicy())
        let prefill = try #require(outcome.workers.first { $0.role == .prefill })
        // The worker never idles after the first arrival, so its busy time is the run.
        let achieved = prefill.promptTokens / prefill.busySeconds
        #expect(relativeError(achieved, tokensPerSecond) < 0.02)
        // And the queue grows at (λ − μ): the last request waits about (λ − μ)·T / μ.
        let last = try #require(outcome.requests.last?.ttft)
        let expectedLast = (rate - capacityRate) * 120 / capacityRate
        #expect(relativeError(last, expectedLast) < 0.05)
    }

    /// Decode batch size from Little's law: N = λ·(L − 1)·step(N), with
    /// step(N) = a + N·(b + c·mean context), mean context ≈ I + 1 + (L − 1)/2.
    @Test func decodeBatchAndTPOTMatchLittlesLaw() throws {
        let rate = 8.0
        let input = 1000
        let output = 200
        let trace = Traces.evenlySpaced(rate: rate, count: Int(rate * 600), input: input, output: output)
        let outcome = try Simulator.run(makeInput(trace: trace, initial: PerRole(prefill: 1, decode: 1)), policy: HoldPolicy())
        let step = profile.decode
        let meanContext = Double(input + 1) + Double(output - 1) / 2
        let perSequence = step.stepPerSequenceSeconds + step.stepPerContextTokenSeconds * meanContext
        let tokenRate = rate * Double(output - 1)
        let batch = tokenRate * step.stepBaseSeconds / (1 - tokenRate * perSequence)
        let stepSeconds = step.stepBaseSeconds + batch * perSequence

        let decode = try #require(outcome.workers.first { $0.role == .decode })
        #expect(relativeError(decode.meanBusyBatch, batch) < 0.05)
        let tpots = outcome.requests.compactMap(\.tpot)
        let meanTPOT = tpots.reduce(0, +) / Double(tpots.count)
        #expect(relativeError(meanTPOT, stepSeconds) < 0.03)
        // Continuous batching at this load never lets the instance idle.
        let window = Double(trace.count) / rate
        #expect(decode.busySeconds / window > 0.97)
    }

    /// A single request on an idle cluster: every phase's time is given by the profile.
    @Test func loneRequestLatencyIsTheSumOfItsPhases() throws {
        let trace = [TraceRequest(arrival: 5, inputTokens: 20_000, outputTokens: 50)]
        let outcome = try Simulator.run(makeInput(trace: trace, initial: PerRole(prefill: 1, decode: 1)), policy: HoldPolicy())
        let record = try #require(outcome.requests.first)
        // 20 000 tokens span three chunked batches (8192 + 8192 + 3616).
        let prefill = profile.prefill
        let chunks = [(0, 8192), (8192, 8192), (16384, 3616)]
        let expectedPrefill = chunks.reduce(0.0) {
            $0 + prefill.batchSeconds(tokens: $1.1, attentionWork: PrefillTimeModel.attentionWork(offset: $1.0, tokens: $1.1))
        }
        #expect(abs(prefill.soloSeconds(promptTokens: 20_000) - expectedPrefill) < 1e-12)
        #expect(abs(try #require(record.ttft) - (expectedPrefill + profile.kvTransferSeconds(tokens: 20_000))) < 1e-9)
        // 49 decode steps with a batch of one, the context growing from 20 001 by one per step.
        let steps = (0..<49).reduce(0.0) { $0 + profile.decode.stepSeconds(batch: 1, contextTokens: 20_001 + $1) }
        #expect(abs(try #require(record.tpot) - steps / 49) < 1e-12)
    }

    /// Decode admission holds back requests whose reservation does not fit the KV cache.
    @Test func kvCapacityLimitsTheRunningBatch() throws {
        var small = profile
        small.decode.kvCapacityTokens = 10_000
        // Each request reserves 1000 + 1000 tokens: at most 5 run at once.
        let trace = Traces.evenlySpaced(rate: 50, count: 200, input: 1000, output: 1000)
        let input = makeInput(trace: trace, profile: small, initial: PerRole(prefill: 1, decode: 1), recordSnapshots: true)
        let outcome = try Simulator.run(input, policy: HoldPolicy(tickInterval: 1))
        #expect(outcome.result.completed == 200)
        var sawFullBatch = false
        for snapshot in outcome.snapshots {
            for worker in snapshot.workers where worker.role == .decode {
                let telemetry = try #require(worker.telemetry)
                #expect(telemetry.requestsRunning <= 5)
                #expect((telemetry.kvCacheUsage ?? 0) <= 1)
                if telemetry.requestsRunning == 5 { sawFullBatch = true }
            }
        }
        #expect(sawFullBatch)
    }
}
