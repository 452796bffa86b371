/// Chooses how many prefill and decode instances to run so the two phases keep pace.
///
/// The integer solve at the heart of disaggregated rate matching: size each phase from its
/// own per-instance capacity under its latency target, then, when the GPU budget cannot hold
/// both, pick the split that balances the two phases' request rates.
public enum RateMatcher {
    public struct Input: Sendable, Hashable, Codable {
        /// Tokens/s each role must serve.
        public var demand: PerRole<Double>
        /// Tokens/s one instance serves at its latency target (capacity × corrections).
        public var capacityPerInstance: PerRole<Double>
        /// Share of that capacity to plan for (< 1 leaves queueing headroom).
        public var utilisation: PerRole<Double>
        /// Mean prompt and output tokens, converting token rates to request rates.
        public var meanInputTokens: Double
        public var meanOutputTokens: Double
        public var gpusPerInstance: PerRole<Int>
        public var minInstances: PerRole<Int>
        public var maxInstances: PerRole<Int?>
        public var minTotalGPUs: Int
        public var maxTotalGPUs: Int
        /// Instances each role holds however little today's demand asks (the burst floor:
        /// `TrafficEstimate.demandFloor` at full utilisation); the need never drops below it.
        public var floorInstances: PerRole<Double> = PerRole(repeating: 0)

        public init(
            demand: PerRole<Double>,
            capacityPerInstance: PerRole<Double>,
            utilisation: PerRole<Double>,
            meanInputTokens: Double,
            meanOutputTokens: Double,
            gpusPerInstance: PerRole<Int>,
            minInstances: PerRole<Int>,
            maxInstances: PerRole<Int?>,
            minTotalGPUs: Int,
            maxTotalGPUs: Int,
            floorInstances: PerRole<Double> = PerRole(repeating: 0)
        ) {
            self.demand = demand
            self.capacityPerInstance = capacityPerInstance
            self.utilisation = utilisation
            self.meanInputTokens = meanInputTokens
            self.meanOutputTokens = meanOutputTokens
            self.gpusPerInstance = gpusPerInstance
            self.minInstances = minInstances
            self.maxInstances = maxInstances
            self.minTotalGPUs = minTotalGPUs
            self.maxTotalGPUs = maxTotalGPUs
            self.floorInstances = floorInstances
        }
    }

    public enum Regime: String, Sendable, Hashable, Codable {
        /// The demand fits the budget: fewest GPUs that serve it with headroom.
        case fits
        /// It does not: the split within the budget that serves the most requests per second.
        case overBudget
    }

    /// What limited the answer, for explanations.
    public enum Binding: String, Sendable, Hashable, Codable {
        case demand
        case roleMinimum
        case roleMaximum
        case minimumTotalGPUs
        case budget
    }

    public struct Result: Sendable, Hashable, Codable {
        public var instances: PerRole<Int>
        public var regime: Regime
        public var binding: [Binding]
        /// Instances each role needs before rounding: demand / (capacity × utilisation).
        public var continuousNeed: PerRole<Double>
        /// Requests/s the chosen split serves at full capacity: min over the two phases.
        public var matchedRequestRate: Double
    }

    public static func solve(_ input: Input) -> Result {
        let isl = max(1, input.meanInputTokens.finiteOr(1))
        let osl = max(1, input.meanOutputTokens.finiteOr(1))
        var binding: [Binding] = []
        let minimum = minimumsWithinBudget(input, binding: &binding)
        // A maximum below the configured minimum is raised to it (as configured, before any budget cut).
        let maximum = input.maxInstances.map { role, value in value.map { max(max(0, input.minInstances[role]), $0) } }
        let continuous = input.demand.map { role, demand in
            max(input.floorInstances[role], need(demand: demand, capacity: input.capacityPerInstance[role], utilisation: input.utilisation[role]))
        }
        var counts = boundedCounts(continuous, minimum: minimum, maximum: maximum, binding: &binding)

        if gpus(counts, input.gpusPerInstance) <= input.maxTotalGPUs {
            padToGPUFloor(&counts, input: input, maximum: maximum, isl: isl, osl: osl, binding: &binding)
            if binding.isEmpty { binding.append(.demand) }
            let rates = requestRate(counts, input: input, isl: isl, osl: osl)
            return Result(instances: counts, regime: .fits, binding: binding, continuousNeed: continuous,
                          matchedRequestRate: min(rates.prefill, rates.decode))
        }

        binding.append(.budget)
        let best = bestSplitWithinBudget(input: input, minimum: minimum, maximum: maximum, isl: isl, osl: osl) ?? minimum
        let rates = requestRate(best, input: input, isl: isl, osl: osl)
        return Result(instances: best, regime: .overBudget, binding: binding, continuousNeed: continuous,
                      matchedRequestRate: min(rates.prefill, rates.decode))
    }

    /// The per-role minimums, cut to what fits when they do not fit the budget: the budget is
    /// the one limit never crossed.
    private static func minimumsWithinBudget(_ input: Input, binding: inout [Binding]) -> PerRole<Int> {
        let g = input.gpusPerInstance
        var minimum = input.minInstances.map { _, value in max(0, value) }
        while minimum.prefill * g.prefill + minimum.decode * g.decode > input.maxTotalGPUs,
              minimum.prefill + minimum.decode > 0 {
            let role: Role = minimum.prefill * g.prefill >= minimum.decode * g.decode ? .prefill : .decode
            minimum[role] -= 1
            binding.append(.budget)
        }
        return minimum
    }

    /// Each role's need rounded up, held within its minimum and maximum.
    private static func boundedCounts(_ continuous: PerRole<Double>, minimum: PerRole<Int>, maximum: PerRole<Int?>,
                                      binding: inout [Binding]) -> PerRole<Int> {
        var counts = PerRole(prefill: 0, decode: 0)
        for role in Role.allCases {
            var count = Int(min(continuous[role], 1e9).rounded(.up))
            if count < minimum[role] {
                count = minimum[role]
                if !binding.contains(.roleMinimum) { binding.append(.roleMinimum) }
            }
            if let upper = maximum[role], count > upper {
                count = upper
                if !binding.contains(.roleMaximum) { binding.append(.roleMaximum) }
            }
            counts[role] = count
        }
        return counts
    }

    /// Pads up to the GPU floor, each time on the phase with the least headroom, so the floor's
    /// GPUs keep the two phases matched.
    private static func padToGPUFloor(_ counts: inout PerRole<Int>, input: Input, maximum: PerRole<Int?>, isl: Double, osl: Double,
                                      binding: inout [Binding]) {
        let g = input.gpusPerInstance
        while gpus(counts, g) < input.minTotalGPUs {
            let rates = requestRate(counts, input: input, isl: isl, osl: osl)
            let candidates = Role.allCases.filter { role in
                gpus(counts, g) + g[role] <= input.maxTotalGPUs && (maximum[role].map { counts[role] < $0 } ?? true)
            }
            guard let role = candidates.min(by: { rates[$0] != rates[$1] ? rates[$0] < rates[$1] : $0 == .prefill }) else { break }
            counts[role] += 1
            if !binding.contains(.minimumTotalGPUs) { binding.append(.minimumTotalGPUs) }
        }
    }

    /// Requests/s each role's instances serve at full capacity.
    private static func requestRate(_ counts: PerRole<Int>, input: Input, isl: Double, osl: Double) -> PerRole<Double> {
        PerRole(
            prefill: Double(counts.prefill) * input.capacityPerInstance.prefill.finiteOr(0) / isl,
            decode: Double(counts.decode) * input.capacityPerInstance.decode.finiteOr(0) / osl
        )
    }

    /// The integer split within the budget maximising min(nₚ·Cₚ/ISL, n_d·C_d/OSL). For each
    /// prefill count the most decode instances that fit is never worse, so one pass over
    /// the prefill counts finds the optimum. Ties go to more total capacity (headroom when
    /// over budget), then to fewer GPUs.
    static func bestSplitWithinBudget(
        input: Input,
        minimum: PerRole<Int>,
        maximum: PerRole<Int?>,
        isl: Double,
        osl: Double
    ) -> PerRole<Int>? {
        let g = input.gpusPerInstance
        let budget = input.maxTotalGPUs
        let prefillRate = input.capacityPerInstance.prefill.finiteOr(0) / isl
        let decodeRate = input.capacityPerInstance.decode.finiteOr(0) / osl
        guard g.prefill > 0, g.decode > 0 else { return nil }
        let prefillUpper = min(maximum.prefill ?? Int.max, (budget - minimum.decode * g.decode) / g.prefill)
        guard prefillUpper >= minimum.prefill else { return nil }

        var best: (counts: PerRole<Int>, key: ObjectiveKey)?
        for prefill in minimum.prefill...prefillUpper {
            let decode = min(maximum.decode ?? Int.max, (budget - prefill * g.prefill) / g.decode)
            guard decode >= minimum.decode else { continue }
            let counts = PerRole(prefill: prefill, decode: decode)
            let key = ObjectiveKey(
                matched: min(Double(prefill) * prefillRate, Double(decode) * decodeRate),
                total: Double(prefill) * prefillRate + Double(decode) * decodeRate,
                gpus: prefill * g.prefill + decode * g.decode
            )
            if best.map({ key.isBetter(than: $0.key) }) ?? true { best = (counts, key) }
        }
        return best?.counts
    }

    /// The lexicographic objective of the over-budget solve, shared with the tests' brute force.
    public struct ObjectiveKey: Sendable, Hashable {
        public var matched: Double
        public var total: Double
        public var gpus: Int

        public init(matched: Double, total: Double, gpus: Int) {
            self.matched = matched
            self.total = total
            self.gpus = gpus
        }

        public func isBetter(than other: ObjectiveKey) -> Bool {
            let epsilon = 1e-9 * max(1, abs(matched), abs(other.matched))
            if abs(matched - other.matched) > epsilon { return matched > other.matched }
            let totalEpsilon = 1e-9 * max(1, abs(total), abs(other.total))
            if abs(total - other.total) > totalEpsilon { return total > other.total }
            return gpus < other.gpus
        }
    }

    static func need(demand: Double, capacity: Double, utilisation: Double) -> Double {
        let planned = capacity.finiteOr(0) * min(1, max(0.01, utilisation.finiteOr(1)))
        guard demand.isFinite, demand > 0, planned > 0 else { return 0 }
        // A need a hair above an integer from floating-point noise must not cost an instance.
        let raw = demand / planned
        let rounded = raw.rounded()
        return abs(raw - rounded) < 1e-9 ? rounded : raw
    }

    static func gpus(_ counts: PerRole<Int>, _ perInstance: PerRole<Int>) -> Int {
        counts.prefill * perInstance.prefill + counts.decode * perInstance.decode
    }
}

extension Double {
    /// Self when finite, otherwise `fallback`: NaN and infinities never leave the core.
    func finiteOr(_ fallback: Double) -> Double { isFinite ? self : fallback }
}
