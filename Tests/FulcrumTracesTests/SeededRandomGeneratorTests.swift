@testable import FulcrumTraces
import Foundation
import Testing

@Suite("Seeded random generator")
struct SeededRandomGeneratorTests {
    @Test("SplitMix64 matches the reference output for seed 1234567")
    func splitMixReference() {
        var state: UInt64 = 1_234_567
        let outputs = (0..<5).map { _ in SeededRandomGenerator.splitMix64(&state) }
        #expect(outputs == [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
                            4_593_380_528_125_082_431, 16_408_922_859_458_223_821])
    }

    @Test("xoshiro256** matches the reference output for state (1, 2, 3, 4)")
    func xoshiroReference() {
        var random = SeededRandomGenerator(rawState: (1, 2, 3, 4))
        let outputs = (0..<6).map { _ in random.next() }
        #expect(outputs == [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240,
                            1_216_172_134_540_287_360, 607_988_272_756_665_600])
    }

    @Test("the same seed repeats, different seeds differ")
    func determinism() {
        var first = SeededRandomGenerator(seed: 42)
        var second = SeededRandomGenerator(seed: 42)
        var other = SeededRandomGenerator(seed: 43)
        let a = (0..<100).map { _ in first.next() }
        #expect(a == (0..<100).map { _ in second.next() })
        #expect(a != (0..<100).map { _ in other.next() })
    }

    @Test("samplers have the requested mean and spread")
    func distributionMoments() {
        var random = SeededRandomGenerator(seed: 7)
        let count = 200_000
        func moments(_ sample: () -> Double) -> (mean: Double, cv: Double) {
            let values = (0..<count).map { _ in sample() }
            let mean = values.reduce(0, +) / Double(count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count - 1)
            return (mean, variance.squareRoot() / mean)
        }
        let unit = moments { random.nextUnit() }
        #expect(abs(unit.mean - 0.5) < 0.005)
        let exponential = moments { random.nextExponential(mean: 2) }
        #expect(abs(exponential.mean - 2) < 0.03 && abs(exponential.cv - 1) < 0.02)
        let gamma = moments { random.nextGamma(shape: 4, scale: 0.5) }
        #expect(abs(gamma.mean - 2) < 0.02 && abs(gamma.cv - 0.5) < 0.01)
        let burstyGamma = moments { random.nextGamma(shape: 1.0 / 9.0, scale: 9) }
        #expect(abs(burstyGamma.mean - 1) < 0.05 && abs(burstyGamma.cv - 3) < 0.15)
        let lognormal = moments { random.nextLognormal(mean: 1000, cv: 0.6) }
        #expect(abs(lognormal.mean - 1000) < 10 && abs(lognormal.cv - 0.6) < 0.02)
        #expect((0..<1000).allSatisfy { _ in (0..<1).contains(random.nextUnit()) })
    }
}
