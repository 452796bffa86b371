import FulcrumCore
import FulcrumSim
import Testing
@testable import FulcrumEmu

/// The engine actor's loop on a manual clock: tokens come out at the machine's instants, and
/// only when the clock gets there.
@Suite(.timeLimit(.minutes(1))) struct EngineClockTests {
    @Test func prefillEngineDeliversBatchesWhenTheClockReachesThem() async throws {
        let clock = ManualClock()
        let engine = EmulatedEngine(role: .prefill, profile: BatchingMachineTests.profile(), timeScale: 1, clock: clock)
        let loop = Task { await engine.run() }
        defer { loop.cancel() }

        let a = try await engine.submit(promptTokens: 30, maxTokens: 50)
        clock.advance(to: .init(offset: .milliseconds(10)))
        let b = try await engine.submit(promptTokens: 50, maxTokens: 1)
        let c = try await engine.submit(promptTokens: 40, maxTokens: 1)
        #expect(await engine.metrics.gauges == EngineGauges(waiting: 2, running: 1, kvCacheUsage: 30.0 / 10_000))

        clock.advance(to: .init(offset: .milliseconds(40)))
        // A prefill worker answers with one token whatever max_tokens asked.
        let aEvents = await collect(a.events)
        #expect(aEvents.count == 2 && aEvents.last == .finished(.length, completionTokens: 1))
        if case .token(0, let at, .length) = aEvents.first { #expect(abs(at - 0.04) < 1e-9) } else { Issue.record("\(aEvents)") }

        clock.advance(to: .init(offset: .milliseconds(140)))
        let bEvents = await collect(b.events)
        let cEvents = await collect(c.events)
        for events in [bEvents, cEvents] {
            guard case .token(0, let at, .length) = events.first else {
                Issue.record("expected one token, got \(events)")
                continue
            }
            #expect(abs(at - 0.14) < 1e-9)
        }
        let statistics = await engine.metrics.statistics
        #expect(statistics.promptTokens == 120)
        #expect(statistics.generationTokens == 3)
        #expect(statistics.finished[.length] == 3)
        #expect(statistics.timeToFirstToken.count == 3)
        #expect(abs(statistics.timeToFirstToken.sum - (0.04 + 0.13 + 0.13)) < 1e-9)
    }

    @Test func decodeEngineStreamsEveryTokenAtItsStepEnd() async throws {
        let clock = ManualClock()
        let engine = EmulatedEngine(role: .decode, profile: BatchingMachineTests.profile(), timeScale: 1, clock: clock)
        let loop = Task { await engine.run() }
        defer { loop.cancel() }
        let request = try await engine.submit(promptTokens: 10, maxTokens: 3)
        // Moving in small steps makes the loop wake, deliver and sleep again many times.
        for millisecond in 1...40 {
            clock.advance(to: .init(offset: .milliseconds(millisecond)))
            await Task.yield()
        }
        let events = await collect(request.events)
        let times = events.compactMap { if case .token(_, let at, _) = $0 { at } else { nil } }
        #expect(times.count == 3)
        for (actual, expected) in zip(times, [0.010, 0.0221, 0.0343]) { #expect(abs(actual - expected) < 1e-9, "\(times)") }
        #expect(events.last == .finished(.length, completionTokens: 3))
        let statistics = await engine.metrics.statistics
        #expect(statistics.generationTokens == 2)
        #expect(statistics.interTokenLatency.count == 2)
    }

    @Test func drainingRefusesNewRequestsAndWaitsForAcceptedOnes() async throws {
        let clock = ManualClock()
        let engine = EmulatedEngine(role: .decode, profile: BatchingMachineTests.profile(), timeScale: 1, clock: clock)
        let loop = Task { await engine.run() }
        defer { loop.cancel() }
        let request = try await engine.submit(promptTokens: 10, maxTokens: 2)
        await engine.beginDraining()
        await #expect(throws: EngineRejection.draining) { try await engine.submit(promptTokens: 1, maxTokens: 1) }
        let idle = Task { await engine.waitUntilIdle() }
        clock.advance(to: .init(offset: .seconds(1)))
        await idle.value
        #expect(await collect(request.events).last == .finished(.length, completionTokens: 2))
    }

    private func collect(_ stream: AsyncStream<TokenEvent>) async -> [TokenEvent] {
        var events: [TokenEvent] = []
        for await event in stream { events.append(event) }
        return events
    }
}
