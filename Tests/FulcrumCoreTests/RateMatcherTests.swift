import PropertyBased
import Testing
@testable import FulcrumCore

@Suite("Rate matching")
struct RateMatcherTests {
    /// Every integer pair within the budget and the bounds, scored the way the solver
    /// promises: fewest GPUs meeting demand when that fits, otherwise the best matched rate.
    static func bruteForce(_ input: RateMatcher.Input) -> (counts: PerRole<Int>, fits: Bool)? {
        let g = input.gpusPerInstance
        let isl = max(1, input.meanInputTokens)
        let osl = max(1, input.meanOutputTokens)
        var feasible: [PerRole<Int>] = []
        for p in 0...(input.maxTotalGPUs / g.prefill) {
            for d in 0...(input.maxTotalGPUs / g.decode) where p * g.prefill + d * g.decode <= input.maxTotalGPUs {
                guard p >= input.minInstances.prefill, d >= input.minInstances.decode else { continue }
                if let max = input.maxInstances.prefill, p > max { continue }
                if let max = input.maxInstances.decode, d > max { continue }
                feasible.append(PerRole(prefill: p, decode: d))
            }
        }
        func meets(_ c: PerRole<Int>) -> Bool {
            Double(c.prefill) * input.capacityPerInstance.prefill * input.utilisation.prefill >= input.demand.prefill - 1e-9
                && Double(c.decode) * input.capacityPerInstance.decode * input.utilisation.decode >= input.demand.decode - 1e-9
        }
        let gpus = { (c: PerRole<Int>) in c.prefill * g.prefill + c.decode * g.decode }
        let meeting = feasible.filter(meets)
        if let fewest = meeting.map(gpus).min() {
            // Among the cheapest, the solver's choice is the per-role minimum count.
            return (meeting.filter { gpus($0) == fewest }.min { ($0.prefill, $0.decode) < ($1.prefill, $1.decode) }!, true)
        }
        var best: (PerRole<Int>, RateMatcher.ObjectiveKey)?
        for counts in feasible {
            let p = Double(counts.prefill) * input.capacityPerInstance.prefill / isl
            let d = Double(counts.decode) * input.capacityPerInstance.decode / osl
            let key = RateMatcher.ObjectiveKey(matched: min(p, d), total: p + d, gpus: gpus(counts))
            if best == nil || key.isBetter(than: best!.1) { best = (counts, key) }
        }
        return best.map { ($0.0, false) }
    }

    static func input(
        demandP: Double, demandD: Double, capP: Double, capD: Double,
        gp: Int, gd: Int, budget: Int, isl: Double, osl: Double
    ) -> RateMatcher.Input {
        RateMatcher.Input(
            demand: PerRole(prefill: demandP, decode: demandD),
            capacityPerInstance: PerRole(prefill: capP, decode: capD),
            utilisation: PerRole(prefill: 0.7, decode: 0.85),
            meanInputTokens: isl, meanOutputTokens: osl,
            gpusPerInstance: PerRole(prefill: gp, decode: gd),
            minInstances: PerRole(prefill: 1, decode: 1), maxInstances: PerRole(repeating: nil),
            minTotalGPUs: 0, maxTotalGPUs: budget
        )
    }

    @Test("matches a brute-force search over every integer pair, in both regimes")
    func matchesBruteForce() async {
        let shapes = Gen.element(of: [1, 2, 4, 8])
        await propertyCheck(
            count: 400,
            input: Gen.double(in: 0...400_000), Gen.double(in: 0...60_000),
            Gen.int(in: 0...64), Gen.double(in: 100...16_000), Gen.double(in: 10...2_000),
            shapes, shapes
        ) { demandP, demandD, extraGPUs, isl, osl, gp, gd in
            guard let gp, let gd else { return }
            // The per-role minimums (one each) always fit; the rest is headroom or shortage.
            let budget = gp + gd + extraGPUs
            let input = Self.input(demandP: demandP, demandD: demandD, capP: 20_000, capD: 3_000,
                                   gp: gp, gd: gd, budget: budget, isl: isl, osl: osl)
            let result = RateMatcher.solve(input)
            guard let expected = Self.bruteForce(input) else {
                Issue.record("no feasible pair for \(input)")
                return
            }
            #expect(result.regime == (expected.fits ? .fits : .overBudget))
            #expect(result.instances == expected.counts, "input \(input)")
            #expect(result.instances.prefill * gp + result.instances.decode * gd <= budget)
        }
    }

    @Test("over budget, the split balances request rates: 3:1 capacity per token ratio gives a 1:3 split")
    func overBudgetBalances() {
        // Per instance: prefill serves 10 req/s (10k tok/s / 1k ISL), decode 10/3 req/s.
        let input = Self.input(demandP: 1e9, demandD: 1e9, capP: 10_000, capD: 1_000, gp: 1, gd: 1, budget: 16, isl: 1_000, osl: 300)
        let result = RateMatcher.solve(input)
        #expect(result.regime == .overBudget)
        #expect(result.instances == PerRole(prefill: 4, decode: 12))
        #expect(abs(result.matchedRequestRate - 40) < 1e-9)
    }

    @Test("zero demand asks for the minimums and produces no NaN")
    func zeroDemand() {
        let input = Self.input(demandP: 0, demandD: 0, capP: 10_000, capD: 1_000, gp: 2, gd: 1, budget: 16, isl: 0, osl: 0)
        let result = RateMatcher.solve(input)
        #expect(result.instances == PerRole(prefill: 1, decode: 1))
        #expect(!result.matchedRequestRate.isNaN)
        #expect(result.continuousNeed == PerRole(prefill: 0, decode: 0))
    }

    @Test("a GPU floor is filled on the phase with the least headroom, within the budget")
    func minimumTotalGPUs() {
        var input = Self.input(demandP: 0, demandD: 0, capP: 10_000, capD: 1_000, gp: 1, gd: 1, budget: 16, isl: 1_000, osl: 300)
        input.minTotalGPUs = 8
        let result = RateMatcher.solve(input)
        #expect(result.instances.prefill + result.instances.decode == 8)
        #expect(result.instances.decode > result.instances.prefill)
        #expect(result.binding.contains(.minimumTotalGPUs))
    }

    @Test("minimums larger than the budget are cut so the budget is never exceeded")
    func minimumsBeyondBudget() {
        var input = Self.input(demandP: 0, demandD: 0, capP: 1, capD: 1, gp: 4, gd: 4, budget: 8, isl: 1, osl: 1)
        input.minInstances = PerRole(prefill: 2, decode: 2)
        let result = RateMatcher.solve(input)
        #expect(result.instances.prefill * 4 + result.instances.decode * 4 <= 8)
    }
}
