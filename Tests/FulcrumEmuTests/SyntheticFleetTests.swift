import Foundation
import FulcrumCore
import FulcrumTelemetry
import Testing
@testable import FulcrumEmu

/// `fulcrum-emu fleet`'s metrics: the fleet-wide demand divided among the workers that exist.
@Suite struct SyntheticFleetTests {
    let schedule = SyntheticFleet.Schedule(promptTokens: 100_000...300_000, generatedTokens: 10_000...30_000, periodSeconds: 300)

    func counter(_ text: String, _ name: String) throws -> Double {
        let exposition = try ExpositionParser.parse(text)
        return try #require(exposition.family(named: name)?.samples.first?.value)
    }

    @Test("two prefill workers share the fleet's prompt tokens, and together count all of them")
    func demandIsShared() async throws {
        let fleet = SyntheticFleet(schedule: schedule, activeWindowSeconds: 12)
        _ = await fleet.scrape(port: 20000, role: .prefill, at: 0)
        _ = await fleet.scrape(port: 20001, role: .prefill, at: 0)
        let first = try counter(await fleet.scrape(port: 20000, role: .prefill, at: 5), "vllm:prompt_tokens_total")
        let second = try counter(await fleet.scrape(port: 20001, role: .prefill, at: 5), "vllm:prompt_tokens_total")
        let expected = schedule.rate(schedule.promptTokens, at: 5) * 5
        #expect(abs(first - expected / 2) <= 1)
        #expect(abs(first + second - expected) <= 2)
        // Decode demand is the decode workers' alone.
        _ = await fleet.scrape(port: 21000, role: .decode, at: 0)
        let generated = try counter(await fleet.scrape(port: 21000, role: .decode, at: 5), "vllm:generation_tokens_total")
        #expect(abs(generated - schedule.rate(schedule.generatedTokens, at: 5) * 5) <= 1)
    }

    @Test("a worker no longer scraped drops out of the share, and a gap is not counted as backlog")
    func goneWorkersStopSharing() async throws {
        let fleet = SyntheticFleet(schedule: schedule, activeWindowSeconds: 12)
        _ = await fleet.scrape(port: 20000, role: .prefill, at: 0)
        _ = await fleet.scrape(port: 20001, role: .prefill, at: 0)
        let before = try counter(await fleet.scrape(port: 20000, role: .prefill, at: 5), "vllm:prompt_tokens_total")
        // Port 20001 was last scraped at 0: at 30 it is gone, and 20000 gets 12 s (the window), all of it.
        let after = try counter(await fleet.scrape(port: 20000, role: .prefill, at: 30), "vllm:prompt_tokens_total")
        #expect(abs(after - before - schedule.rate(schedule.promptTokens, at: 30) * 12) <= 1)
    }

    @Test("demand swings from the trough at the start to the peak at half the period")
    func scheduleSwings() {
        #expect(schedule.rate(schedule.promptTokens, at: 0) == 100_000)
        #expect(abs(schedule.rate(schedule.promptTokens, at: 150) - 300_000) < 1e-6)
        #expect(abs(schedule.rate(schedule.promptTokens, at: 75) - 200_000) < 1e-6)
    }
}
