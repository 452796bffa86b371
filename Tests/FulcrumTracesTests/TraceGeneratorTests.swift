@testable import FulcrumTraces
import Foundation
import Testing

@Suite("Trace generator")
struct TraceGeneratorTests {
    let chat = LengthDistribution(mean: 1000, cv: 0.6)
    let short = LengthDistribution(mean: 100, cv: 0.5)

    func single(_ seconds: Double, _ arrival: ArrivalProcess, rateEnd: Double? = nil, cycle: DailyCycle? = nil) -> Scenario {
        Scenario(name: "test", phases: [Scenario.Phase(durationSeconds: seconds, arrival: arrival, rateEndRPS: rateEnd,
                                                       dailyCycle: cycle, input: chat, output: short)])
    }

    /// Coefficient of variation of the gaps between consecutive arrivals.
    func gapCV(_ requests: [TraceRequest]) -> Double {
        let gaps = zip(requests, requests.dropFirst()).map { $1.arrival - $0.arrival }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        let variance = gaps.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(gaps.count - 1)
        return variance.squareRoot() / mean
    }

    @Test("the same seed gives byte-identical output, another seed a different trace")
    func determinism() throws {
        for name in Scenario.builtinNames {
            let scenario = try Scenario.builtin(name)
            let first = try TraceGenerator.generate(scenario: scenario, seed: 42)
            let again = try TraceGenerator.generate(scenario: scenario, seed: 42)
            let other = try TraceGenerator.generate(scenario: scenario, seed: 43)
            #expect(!first.isEmpty)
            #expect(try TraceWriter.csvText(first) == TraceWriter.csvText(again))
            #expect(first != other)
            #expect(zip(first, first.dropFirst()).allSatisfy { $0.arrival <= $1.arrival })
            #expect(first.allSatisfy { $0.arrival >= 0 && $0.arrival < scenario.durationSeconds })
        }
    }

    @Test("Poisson arrivals have the configured rate and exponential gaps (CV 1)")
    func poissonRate() throws {
        let requests = try TraceGenerator.generate(scenario: single(20_000, .poisson(rateRPS: 5)), seed: 11)
        // Expected 100 000 arrivals, standard deviation √100 000 ≈ 316: 2 % is over 6σ.
        #expect(abs(Double(requests.count) - 100_000) < 2_000)
        #expect(abs(gapCV(requests) - 1) < 0.03)
    }

    @Test("gamma arrivals keep the mean rate and have the configured burstiness")
    func gammaBurstiness() throws {
        let requests = try TraceGenerator.generate(scenario: single(20_000, .gamma(rateRPS: 5, cv: 3)), seed: 12)
        // Count standard deviation ≈ √(λT)·cv ≈ 950.
        #expect(abs(Double(requests.count) - 100_000) < 5_000)
        #expect(abs(gapCV(requests) - 3) < 0.3)
    }

    @Test("a rate ramp puts the expected share of arrivals in each half")
    func ramp() throws {
        let requests = try TraceGenerator.generate(scenario: .builtin("ramp"), seed: 13)
        // Rate 1 → 10 rps over 1200 s: 1950 expected in the first half, 4650 in the second.
        let firstHalf = requests.filter { $0.arrival < 600 }.count
        let secondHalf = requests.count - firstHalf
        #expect(abs(Double(firstHalf) - 1950) < 250)
        #expect(abs(Double(secondHalf) - 4650) < 350)
        let firstMinute = requests.filter { $0.arrival < 60 }.count
        #expect(abs(Double(firstMinute) - 73.5) < 40)
    }

    @Test("a daily cycle follows 1 − A·cos(2πt/P), checked per bucket against a numeric integral")
    func dailyCycle() throws {
        let cycle = DailyCycle(amplitude: 0.8, periodSeconds: 3600)
        let requests = try TraceGenerator.generate(scenario: single(7200, .poisson(rateRPS: 10), cycle: cycle), seed: 14)
        let bucket = 600.0
        for index in 0..<12 {
            let start = Double(index) * bucket
            // Midpoint-rule integral of the rate, independent of the generator's closed form.
            let expected = stride(from: start + 0.5, to: start + bucket, by: 1).reduce(0) {
                $0 + 10 * (1 - 0.8 * cos(2 * Double.pi * $1 / 3600))
            }
            let observed = Double(requests.filter { $0.arrival >= start && $0.arrival < start + bucket }.count)
            #expect(abs(observed - expected) < 5 * expected.squareRoot() + 1, "bucket \(index): \(observed) vs \(expected)")
        }
    }

    @Test("the closed-form cumulative rate matches numeric integration with ramp, cycle and offset")
    func cumulativeRate() {
        let phase = Scenario.Phase(durationSeconds: 1000, arrival: .poisson(rateRPS: 2), rateEndRPS: 7,
                                   dailyCycle: DailyCycle(amplitude: 0.6, periodSeconds: 450), input: chat, output: short)
        let rate = PhaseRate(phase: phase, phaseStart: 1234)
        var integral = 0.0
        let step = 0.01
        for index in 0..<100_000 {
            integral += rate.rate(at: (Double(index) + 0.5) * step) * step
            if (index + 1) % 10_000 == 0 {
                #expect(abs(rate.cumulative(at: Double(index + 1) * step) - integral) < 1e-3)
            }
        }
        let time = rate.time(reaching: 2500, from: 0, to: 1000)
        #expect(abs(rate.cumulative(at: time) - 2500) < 1e-6)
    }

    @Test("on/off arrivals happen only in on periods, at the on rate")
    func onOff() throws {
        let requests = try TraceGenerator.generate(
            scenario: single(1000, .onOff(onRateRPS: 20, onSeconds: 30, offSeconds: 70)), seed: 15)
        #expect(requests.allSatisfy { $0.arrival.truncatingRemainder(dividingBy: 100) <= 30 })
        // 10 on periods of 30 s at 20 rps: 6000 expected, standard deviation ≈ 77.
        #expect(abs(Double(requests.count) - 6000) < 400)
    }

    @Test("mix-step phases have the expected mean lengths and rate")
    func mixStep() throws {
        let requests = try TraceGenerator.generate(scenario: .builtin("mix-step"), seed: 16)
        let expectations: [(range: Range<Double>, input: Double, output: Double)] = [
            (0..<1200, 1000, 400), (1200..<2400, 8000, 100), (2400..<3600, 1000, 400),
        ]
        for phase in expectations {
            let inPhase = requests.filter { phase.range.contains($0.arrival) }
            // 3 rps for 1200 s: 3600 expected, standard deviation 60.
            #expect(abs(Double(inPhase.count) - 3600) < 300)
            let meanInput = Double(inPhase.map(\.inputTokens).reduce(0, +)) / Double(inPhase.count)
            let meanOutput = Double(inPhase.map(\.outputTokens).reduce(0, +)) / Double(inPhase.count)
            #expect(abs(meanInput / phase.input - 1) < 0.05, "input mean \(meanInput) in \(phase.range)")
            #expect(abs(meanOutput / phase.output - 1) < 0.05, "output mean \(meanOutput) in \(phase.range)")
        }
    }

    @Test("lengths are clamped to 1...max")
    func clamping() throws {
        let wide = LengthDistribution(mean: 100, cv: 4, max: 300)
        let scenario = Scenario(name: "wide", phases: [
            Scenario.Phase(durationSeconds: 1000, arrival: .poisson(rateRPS: 5), input: wide, output: wide),
        ])
        let requests = try TraceGenerator.generate(scenario: scenario, seed: 17)
        let lengths = requests.flatMap { [$0.inputTokens, $0.outputTokens] }
        #expect(lengths.allSatisfy { (1...300).contains($0) })
        #expect(lengths.contains(300) && lengths.contains(1))
    }

    @Test("invalid scenarios are refused with the offending key")
    func invalidScenario() {
        let error = #expect(throws: ScenarioError.self) {
            try TraceGenerator.generate(scenario: single(100, .gamma(rateRPS: 5, cv: -1)), seed: 1)
        }
        #expect(error?.description == "test: phases[0].arrival.cv must be from 0.01 to 100, found -1.")
        let huge = #expect(throws: ScenarioError.self) {
            try TraceGenerator.generate(scenario: single(2e6, .poisson(rateRPS: 1e3)), seed: 1)
        }
        #expect(huge?.description.contains("would generate about 2000000000 requests") == true, "\(String(describing: huge))")
        // Values typed with a wrong exponent are refused before any sampler sees them
        // (each of these trapped or ran out of memory).
        for (scenario, path) in [(single(1e300, .poisson(rateRPS: 1)), "phases[0].duration_s"),
                                 (single(60, .gamma(rateRPS: 1, cv: 1e-300)), "phases[0].arrival.cv"),
                                 (single(60, .onOff(onRateRPS: 1, onSeconds: 1e-300, offSeconds: 0)), "phases[0].arrival.on_s")] {
            let refused = #expect(throws: ScenarioError.self) { try TraceGenerator.generate(scenario: scenario, seed: 1) }
            #expect(refused?.description.hasPrefix("test: \(path) must be") == true, "\(String(describing: refused))")
        }
    }
}
