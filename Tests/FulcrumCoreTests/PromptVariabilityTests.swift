@testable import FulcrumCore
import Testing

@Suite("Prompt-length variability from per-worker means")
struct PromptVariabilityTests {
    private func scv(_ batches: [(requests: Double, mean: Double)]) -> Double? {
        var state = EstimatorState(configuration: .standard())
        Estimator.recordPromptVariability(&state, batches: batches.map { .init(requests: $0.requests, meanTokens: $0.mean) },
                                          at: Timestamp(seconds: 10))
        return state.promptSCV.value
    }

    @Test("Workers whose means agree say prompts are alike")
    func alike() {
        #expect(scv([(20, 1_000), (20, 1_000), (20, 1_000)]) == 0)
    }

    @Test("Means of n prompts that scatter by σ/√n give σ² back")
    func scattered() throws {
        // Four workers, 25 prompts each, means 1,000 ± 200: n·(m − m̄)² = 25 · 200² = 1e6 each,
        // so σ² ≈ 4e6·4/3 / 4 = 1.33e6 (sample variance) and SCV = σ² / 1,000² ≈ 1.33.
        let value = try #require(scv([(25, 800), (25, 1_200), (25, 800), (25, 1_200)]))
        #expect(abs(value - 4.0 / 3) < 1e-9)
    }

    @Test("One worker, or no requests, says nothing")
    func tooLittle() {
        #expect(scv([(20, 1_000)]) == nil)
        #expect(scv([]) == nil)
    }
}
