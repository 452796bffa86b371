import FulcrumCore
import FulcrumSim
import Testing
@testable import FulcrumEmu

/// Hand-computed schedules for the batching machines, with round numbers in a test profile.
@Suite struct BatchingMachineTests {
    /// Prefill batch = 0.01 + 0.001·tokens s (no attention term), budget 100 tokens. Decode step
    /// = 0.01 + 0.001·batch + 0.0001·Σcontext s. KV moves at 1000 tokens/s.
    static func profile(maxBatch: Int = 8) -> Profile {
        Profile(
            name: "test",
            model: "test-model",
            gpusPerInstance: PerRole(prefill: 1, decode: 1),
            prefill: PrefillTimeModel(batchOverheadSeconds: 0.01, perTokenSeconds: 0.001, attentionPerTokenSquaredSeconds: 0, maxBatchTokens: 100),
            decode: DecodeStepModel(stepBaseSeconds: 0.01, stepPerSequenceSeconds: 0.001, stepPerContextTokenSeconds: 0.0001, kvCapacityTokens: 10_000, maxBatch: maxBatch),
            kvBytesPerToken: 1,
            kvTransferBytesPerSecond: 1000,
            startupSeconds: 0
        )
    }

    static func times(_ events: [EngineEvent], of id: UInt64) -> [Double] {
        events.compactMap { event in
            switch event {
            case .firstToken(id, let at), .token(id, let at): at
            default: nil
            }
        }
    }

    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-12 }

    @Test func prefillBatchesQueuedPromptsTogether() {
        var machine = PrefillBatcher(model: Self.profile().prefill, timeScale: 1, kvCapacityTokens: 10_000)
        machine.submit(EngineRequest(id: 1, promptTokens: 30, maxTokens: 1), at: 0)
        // An idle worker starts at once: 0.01 + 0.030 = 0.04.
        #expect(Self.close(machine.nextEventTime!, 0.04))
        machine.submit(EngineRequest(id: 2, promptTokens: 50, maxTokens: 1), at: 0.01)
        machine.submit(EngineRequest(id: 3, promptTokens: 40, maxTokens: 1), at: 0.02)
        #expect(machine.gauges == EngineGauges(waiting: 2, running: 1, kvCacheUsage: 30.0 / 10_000))
        let first = machine.advance(to: 0.04)
        #expect(Self.times(first, of: 1).count == 1 && Self.close(Self.times(first, of: 1)[0], 0.04))
        #expect(first.contains { if case .finished(1, .length, _) = $0 { true } else { false } })
        // The two queued prompts share the next batch: 0.01 + 0.090 = 0.10, ending at 0.14.
        #expect(machine.gauges.running == 2)
        #expect(Self.close(machine.nextEventTime!, 0.14))
        let second = machine.advance(to: 1)
        #expect(Self.times(second, of: 2).count == 1 && Self.close(Self.times(second, of: 2)[0], 0.14))
        #expect(Self.times(second, of: 3).count == 1 && Self.close(Self.times(second, of: 3)[0], 0.14))
        #expect(second.contains(.promptTokens(90, at: Self.times(second, of: 2)[0])))
        #expect(machine.nextEventTime == nil)
    }

    @Test func prefillSplitsAPromptOverTheTokenBudgetAndHonoursTheTimeScale() {
        var machine = PrefillBatcher(model: Self.profile().prefill, timeScale: 2, kvCapacityTokens: 10_000)
        machine.submit(EngineRequest(id: 1, promptTokens: 150, maxTokens: 1), at: 0)
        // First chunk 100 tokens: (0.01 + 0.1) / 2 = 0.055; second 50: (0.01 + 0.05) / 2 = 0.03.
        #expect(Self.close(machine.nextEventTime!, 0.055))
        #expect(machine.advance(to: 0.055).compactMap { if case .firstToken = $0 { $0 } else { nil } }.isEmpty)
        #expect(machine.gauges == EngineGauges(waiting: 0, running: 1, kvCacheUsage: 150.0 / 10_000))
        let events = machine.advance(to: 1)
        #expect(Self.times(events, of: 1).count == 1 && Self.close(Self.times(events, of: 1)[0], 0.085))
    }

    @Test func decodeStepTimesGrowWithTheBatchAndAdmitOnlyAtStepBoundaries() {
        var machine = DecodeBatcher(profile: Self.profile(), timeScale: 1)
        machine.submit(EngineRequest(id: 1, promptTokens: 10, maxTokens: 4), at: 0)
        machine.submit(EngineRequest(id: 2, promptTokens: 20, maxTokens: 2), at: 0.012)
        let events = machine.advance(to: 1)
        // R1's KV arrives at 0.010 (10 tokens at 1000/s) with its first token. Step 1: batch 1,
        // Σcontext 11 → 0.0121, ends 0.0221. Step 2: Σcontext 12 → 0.0122, ends 0.0343.
        // R2's transfer starts when the link frees (0.012) and ends 0.032, mid-step 2, so R2
        // joins at 0.0343. Step 3: batch 2, Σcontext 13 + 21 = 34 → 0.0154, ends 0.0497.
        let r1 = Self.times(events, of: 1)
        let r2 = Self.times(events, of: 2)
        #expect(r1.count == 4 && r2.count == 2)
        for (actual, expected) in zip(r1, [0.010, 0.0221, 0.0343, 0.0497]) { #expect(Self.close(actual, expected), "\(r1)") }
        for (actual, expected) in zip(r2, [0.032, 0.0497]) { #expect(Self.close(actual, expected), "\(r2)") }
        let steps = events.compactMap { if case .step(let seconds, let batch, _) = $0 { (seconds, batch) } else { nil } }
        #expect(steps.map(\.1) == [1, 1, 2])
        for (actual, expected) in zip(steps.map(\.0), [0.0121, 0.0122, 0.0154]) { #expect(Self.close(actual, expected)) }
        #expect(machine.gauges == EngineGauges(waiting: 0, running: 0, kvCacheUsage: 0))
    }

    @Test func decodeHoldsRequestsBeyondMaxBatchUntilASlotFrees() {
        var machine = DecodeBatcher(profile: Self.profile(maxBatch: 1), timeScale: 1)
        machine.submit(EngineRequest(id: 1, promptTokens: 1, maxTokens: 2), at: 0)
        machine.submit(EngineRequest(id: 2, promptTokens: 1, maxTokens: 2), at: 0)
        _ = machine.advance(to: 0.0015)
        // Both KVs have arrived (0.001, 0.002 is later); one runs, the other waits.
        #expect(machine.gauges.running == 1)
        let events = machine.advance(to: 1)
        // Step 1 (R1 alone, Σcontext 2): 0.0112, 0.001 → 0.0122. R2 (arrived 0.002) waits for it.
        // Step 2 (R2 alone, Σcontext 2): 0.0122 → 0.0234.
        #expect(Self.close(Self.times(events, of: 1).last!, 0.0122))
        #expect(Self.close(Self.times(events, of: 2).last!, 0.0234))
    }

    @Test func decodeRejectsRequestsTheCacheCanNeverHold() {
        let machine = DecodeBatcher(profile: Self.profile(), timeScale: 1)
        #expect(machine.rejection(for: EngineRequest(id: 1, promptTokens: 9_000, maxTokens: 2_000)) != nil)
        #expect(machine.rejection(for: EngineRequest(id: 1, promptTokens: 9_000, maxTokens: 1_000)) == nil)
    }

    @Test func cancellingFreesTheSlotAndReportsAnAbort() {
        var machine = DecodeBatcher(profile: Self.profile(), timeScale: 1)
        machine.submit(EngineRequest(id: 1, promptTokens: 10, maxTokens: 100), at: 0)
        _ = machine.advance(to: 0.02)
        #expect(machine.gauges.running == 1)
        #expect(machine.cancel(1, at: 0.02) == [.finished(id: 1, reason: .abort, at: 0.02)])
        #expect(machine.gauges == EngineGauges(waiting: 0, running: 0, kvCacheUsage: 0))
        #expect(machine.cancel(1, at: 0.03).isEmpty)
    }
}
