import FulcrumTraces
import Foundation
import Testing

/// The `code`, `chat` and `long-context` built-ins stand in for public production traces; these
/// tests pin the published statistics each one is meant to reproduce (seed 42, as bundled).
@Suite("Production-shaped scenarios")
struct ProductionShapedScenarioTests {
    static func generate(_ name: String) throws -> [TraceRequest] {
        try TraceGenerator.generate(scenario: .builtin(name), seed: 42)
    }

    static func mean(_ values: [Double]) -> Double {
        values.reduce(0, +) / Double(values.count)
    }

    /// Coefficient of variation of the gaps between consecutive arrivals.
    static func gapCV(_ arrivals: [Double]) -> Double {
        let gaps = zip(arrivals, arrivals.dropFirst()).map { $1 - $0 }
        let average = mean(gaps)
        let variance = gaps.reduce(0) { $0 + ($1 - average) * ($1 - average) } / Double(gaps.count - 1)
        return variance.squareRoot() / average
    }

    /// Requests per minute over the hour.
    static func minuteCounts(_ requests: [TraceRequest]) -> [Double] {
        var counts = [Double](repeating: 0, count: 60)
        for request in requests {
            counts[min(Int(request.arrival / 60), 59)] += 1
        }
        return counts
    }

    static func meanLength(_ requests: [TraceRequest], _ length: KeyPath<TraceRequest, Int>) -> Double {
        mean(requests.map { Double($0[keyPath: length]) })
    }

    @Test("code: about 2.5 rps in batched bursts, gap CV ≥ 10, idle minutes, a peak minute ≥ 6× the mean")
    func code() throws {
        let requests = try Self.generate("code")
        let arrivals = requests.map(\.arrival)
        let minutes = Self.minuteCounts(requests)
        #expect(abs(Double(requests.count) / 3600 / 2.5 - 1) < 0.15)
        #expect(Self.gapCV(arrivals) >= 10)
        #expect(zip(arrivals, arrivals.dropFirst()).map { $1 - $0 }.max() ?? 0 >= 60)
        #expect((minutes.max() ?? 0) / Self.mean(minutes) >= 6)
        // Batches: a good share of requests follow the previous one within 100 ms.
        let batched = zip(arrivals, arrivals.dropFirst()).filter { $1 - $0 <= 0.1 }.count
        #expect(Double(batched) / Double(requests.count) > 0.5)
        #expect(abs(Self.meanLength(requests, \.inputTokens) / 2000 - 1) < 0.15)
        #expect(abs(Self.meanLength(requests, \.outputTokens) / 30 - 1) < 0.15)
        #expect(requests.allSatisfy { $0.inputTokens <= 8192 })
    }

    @Test("chat: 5.4 rps, Poisson within a minute, per-minute counts swinging about 10× over the hour")
    func chat() throws {
        let requests = try Self.generate("chat")
        let minutes = Self.minuteCounts(requests)
        #expect(abs(Double(requests.count) / 3600 / 5.4 - 1) < 0.15)
        let swing = (minutes.max() ?? 0) / (minutes.min() ?? 1)
        #expect(swing >= 6 && swing <= 15, "busiest over quietest minute: \(swing)")
        let withinMinute = (0..<60).map { minute in
            Self.gapCV(requests.map(\.arrival).filter { Int($0 / 60) == minute })
        }
        #expect(abs(Self.mean(withinMinute) - 1) < 0.1)
        #expect(abs(Self.meanLength(requests, \.inputTokens) / 1100 - 1) < 0.15)
        #expect(abs(Self.meanLength(requests, \.outputTokens) / 200 - 1) < 0.15)
    }

    @Test("long-context: 3.3 rps on 3 s ticks, prompts of mean 12k with p99 in 70k–100k and none over 126k")
    func longContext() throws {
        let requests = try Self.generate("long-context")
        #expect(abs(Double(requests.count) / 3600 / 3.3 - 1) < 0.15)
        #expect(requests.allSatisfy { $0.arrival.truncatingRemainder(dividingBy: 3) == 0 })
        #expect(Set(requests.map(\.arrival)).count < requests.count / 5)
        let prompts = requests.map(\.inputTokens).sorted()
        let p99 = prompts[prompts.count * 99 / 100]
        #expect((70_000...100_000).contains(p99), "p99 prompt \(p99)")
        #expect((prompts.last ?? 0) <= 126_000)
        #expect(abs(Self.meanLength(requests, \.inputTokens) / 12_000 - 1) < 0.15)
        #expect(abs(Self.meanLength(requests, \.outputTokens) / 350 - 1) < 0.15)
    }

    @Test("the same seed gives the same trace, another seed a different one", arguments: ["code", "chat", "long-context"])
    func determinism(name: String) throws {
        let scenario = try Scenario.builtin(name)
        let first = try TraceGenerator.generate(scenario: scenario, seed: 42)
        #expect(first == (try TraceGenerator.generate(scenario: scenario, seed: 42)))
        #expect(first != (try TraceGenerator.generate(scenario: scenario, seed: 43)))
    }
}
