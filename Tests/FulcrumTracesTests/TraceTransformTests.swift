@testable import FulcrumTraces
import Testing

@Suite("Trace transforms")
struct TraceTransformTests {
    /// One request per second for an hour, with distinct input lengths to track identity.
    let hour = (0...3600).map { TraceRequest(arrival: Double($0), inputTokens: $0 + 1, outputTokens: 10) }

    @Test("speedup divides arrivals and keeps everything else")
    func speedup() throws {
        let faster = try TraceTransform.speedup(4).apply(to: hour)
        #expect(faster.count == hour.count)
        #expect(faster.last?.arrival == 900)
        #expect(faster[3] == TraceRequest(arrival: 0.75, inputTokens: 4, outputTokens: 10))
    }

    @Test("integer load scale multiplies the count exactly and keeps copies in their window", arguments: LoadScaleMode.allCases)
    func loadScaleInteger(mode: LoadScaleMode) throws {
        let scaled = try TraceTransform.loadScale(3, seed: 1, mode: mode).apply(to: hour)
        #expect(scaled.count == 3 * hour.count)
        #expect(scaled.first?.arrival == 0)
        #expect(scaled.last?.arrival == 3600)
        #expect(zip(scaled, scaled.dropFirst()).allSatisfy { $0.arrival <= $1.arrival })
        // Every copy stays within the mode's window of its original (input tokens identify it);
        // folding back at the ends keeps that true for spread copies too.
        #expect(scaled.allSatisfy { abs($0.arrival - Double($0.inputTokens - 1)) <= mode.halfWidthSeconds })
        for original in hour.prefix(50) {
            #expect(scaled.filter { $0.inputTokens == original.inputTokens }.count == 3)
        }
    }

    /// Variance over mean of the arrival counts in consecutive windows of `width` seconds.
    func dispersion(_ requests: [TraceRequest], width: Double, span: Double) -> Double {
        var counts = [Double](repeating: 0, count: Int(span / width))
        for request in requests where request.arrival < span {
            counts[Int(request.arrival / width)] += 1
        }
        let mean = counts.reduce(0, +) / Double(counts.count)
        let variance = counts.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(counts.count - 1)
        return variance / mean
    }

    @Test("spread load scale keeps a Poisson trace Poisson-like; clumped multiplies its dispersion")
    func loadScaleDispersion() throws {
        let scenario = Scenario(name: "poisson", phases: [
            Scenario.Phase(durationSeconds: 3600, arrival: .poisson(rateRPS: 5),
                           input: LengthDistribution(mean: 1000, cv: 0.6), output: LengthDistribution(mean: 100, cv: 0.5)),
        ])
        let poisson = try TraceGenerator.generate(scenario: scenario, seed: 42)
        let spread = try TraceTransform.loadScale(8, seed: 42).apply(to: poisson)
        let clumped = try TraceTransform.loadScale(8, seed: 42, mode: .clumped).apply(to: poisson)
        #expect(dispersion(poisson, width: 10, span: 3600) < 1.3)
        #expect(dispersion(spread, width: 10, span: 3600) < 1.5)
        #expect(dispersion(clumped, width: 10, span: 3600) > 4)
    }

    @Test("fractional load scale adds a copy with the fractional probability", arguments: [2.5, 0.3])
    func loadScaleFractional(factor: Double) throws {
        let scaled = try TraceTransform.loadScale(factor, seed: 9).apply(to: hour)
        let expected = factor * Double(hour.count)
        // Binomial standard deviation is √(n·p·(1−p)) ≤ 31 here; allow about 4σ.
        #expect(abs(Double(scaled.count) - expected) < 125)
        #expect(scaled.allSatisfy { $0.arrival >= 0 && $0.arrival <= 3600 })
        let span = (scaled.last?.arrival ?? 0) - (scaled.first?.arrival ?? 0)
        #expect(span > 3590)
    }

    @Test("load scale is deterministic per seed, and factor 1 is the identity")
    func loadScaleDeterminism() throws {
        let a = try TraceTransform.loadScale(2.5, seed: 5).apply(to: hour)
        #expect(a == (try TraceTransform.loadScale(2.5, seed: 5).apply(to: hour)))
        #expect(a != (try TraceTransform.loadScale(2.5, seed: 6).apply(to: hour)))
        #expect(try TraceTransform.loadScale(1, seed: 5).apply(to: hour) == hour)
        #expect(try TraceTransform.loadScale(2, seed: 5, mode: .clumped).apply(to: hour).count == 2 * hour.count)
    }

    @Test("slice by time keeps [from, to) and re-bases to from")
    func sliceByTime() throws {
        let sliced = try TraceTransform.slice(from: 100.5, to: 110).apply(to: hour)
        #expect(sliced.map(\.arrival) == [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5])
        #expect(sliced.first?.inputTokens == 102)
    }

    @Test("first N takes the earliest requests even from unsorted input")
    func firstN() throws {
        let shuffled = hour.reversed() + []
        let first = try TraceTransform.first(3).apply(to: shuffled)
        #expect(first.map(\.arrival) == [0, 1, 2])
        #expect(try TraceTransform.first(10_000).apply(to: hour).count == hour.count)
    }

    @Test("transforms compose left to right")
    func composition() throws {
        let result = try TraceTransform.apply([.speedup(2), .slice(from: 10, to: 20), .first(5)], to: hour)
        #expect(result.map(\.arrival) == [0, 0.5, 1, 1.5, 2])
    }

    @Test("invalid parameters are errors, not crashes", arguments: [
        TraceTransform.speedup(0), .speedup(-1), .speedup(.infinity), .loadScale(-1, seed: 0),
        .loadScale(.nan, seed: 0, mode: .clumped), .slice(from: 5, to: 5), .slice(from: -1, to: 5), .first(-1),
    ])
    func invalid(transform: TraceTransform) {
        #expect(throws: TraceTransformError.self) {
            try transform.apply(to: hour)
        }
    }
}
