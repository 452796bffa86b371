import RealModule

/// How much demand has grown within one start-up time, learned from the traffic itself.
///
/// A worker asked for now serves only a start-up time later, so the plan must already hold
/// whatever demand can arrive in between. How much that is depends on the traffic: a steady
/// API grows a few percent in two minutes, a chat service whose per-minute load swings tenfold
/// can double, a code assistant's bursts can grow many times over. A fixed allowance is too
/// much for the first and far too little for the others (a chat hour at eight times the load
/// lost 13 % of its requests to ramps a 20 % allowance could not cover). So the estimator
/// keeps the smoothed demand of the recent past and plans for the growth seen within one
/// start-up time at a high quantile of that past.
public struct GrowthHistory: Sendable, Hashable, Codable {
    public struct Sample: Sendable, Hashable, Codable {
        public var time: Timestamp
        public var demand: PerRole<Double>
    }

    /// Oldest first, spanning at most the memory.
    public private(set) var samples: [Sample] = []
    /// When the first sample ever was recorded: what came before it is unknown.
    public private(set) var firstRecorded: Timestamp?

    public init() {}

    public mutating func record(_ demand: PerRole<Double>, at time: Timestamp, memorySeconds: Double) {
        if let last = samples.last, time <= last.time { return }
        if firstRecorded == nil { firstRecorded = time }
        samples.append(Sample(time: time, demand: demand))
        let cutoff = time - memorySeconds
        if let keep = samples.firstIndex(where: { $0.time >= cutoff }), keep > 0 { samples.removeFirst(keep) }
    }

    /// Seconds from the first sample ever to the newest: how long the traffic has been
    /// watched, beyond what the memory still holds.
    public var watchedSeconds: Double {
        guard let firstRecorded, let last = samples.last else { return 0 }
        return last.time - firstRecorded
    }

    /// The highest demand remembered, by role.
    public var peak: PerRole<Double> {
        PerRole(prefill: samples.lazy.map(\.demand.prefill).max() ?? 0, decode: samples.lazy.map(\.demand.decode).max() ?? 0)
    }

    /// The `quantile` of the largest growth factor of each role's demand within `horizon`
    /// seconds, over every past moment a full horizon ago or older.
    ///
    /// A history shorter than two horizons (a daemon that just started, a start-up time of
    /// five minutes) is read at the longest horizon it holds twice and extrapolated as a
    /// random walk of the log-demand, log f(h) = log f(h′)·√(h/h′): the swings of the first
    /// minutes already tell how fast demand moves, and waiting ten minutes to learn it cost a
    /// 70B fleet its first ramp. Moments with almost no demand are skipped: growth from
    /// nothing is not a rate of change (`demandFloor` covers bursts out of idle minutes). Nil
    /// until the history holds `minimumObserved` seconds twice, and only that: a start-up time
    /// shorter than `minimumObserved` (a minute, where a small model loads from a warm cache)
    /// once meant no growth was ever learned, and a fleet in Dynamo's simulator met a ramp with
    /// the bare `growthAllowance` (docs/evaluation.md, "Fulcrum against NVIDIA Dynamo's planner").
    public func growthFactor(horizon: Double, quantile: Double, minimumObserved: Double) -> PerRole<Double>? {
        guard horizon > 0, let first = samples.first, let last = samples.last else { return nil }
        let held = (last.time - first.time) / 2
        guard held >= minimumObserved else { return nil }
        let observed = min(horizon, held)
        let factors = growthFactors(horizon: observed, quantile: quantile)
        let stretch = (horizon / observed).squareRoot()
        return factors.map { _, factor in Double.exp(Double.log(max(1, factor)) * stretch) }
    }

    private func growthFactors(horizon: Double, quantile: Double) -> PerRole<Double> {
        guard let last = samples.last else { return PerRole(repeating: 1) }
        var factors = PerRole<[Double]>(repeating: [])
        let floor = peak.map { _, value in 0.01 * value }
        for role in Role.allCases {
            // Each start's peak over its horizon by a sliding maximum, so the cost does not grow
            // with the horizon (two hours of 5 s ticks, five-minute start-ups): `window[head...]`
            // are the indices that can still be a peak, their demands falling, the front the peak.
            var window: [Int] = []
            var head = 0
            var end = -1
            for (index, start) in samples.enumerated() where last.time - start.time >= horizon {
                while end + 1 < samples.count, samples[end + 1].time - start.time <= horizon {
                    end += 1
                    while window.count > head, samples[window[window.count - 1]].demand[role] <= samples[end].demand[role] {
                        window.removeLast()
                    }
                    window.append(end)
                }
                while window[head] < index { head += 1 }
                let base = start.demand[role]
                guard base > floor[role], base > 0 else { continue }
                factors[role].append(samples[window[head]].demand[role] / base)
            }
        }
        return factors.map { _, values in Self.quantile(values, quantile) }
    }

    /// The demand a role's plan holds however quiet the traffic is now: the smallest floor F
    /// such that plans of max(F, `factors` × the demand one `horizon` earlier) would have left
    /// at most `1 − quantile` of the remembered demand unserved. Multiplied growth cannot
    /// foresee a burst out of an idle minute, and the SLO counts requests, of which such
    /// bursts carry many: a code assistant's fleet drained in a quiet minute served 77 % of
    /// its hour. Zero while growth alone would have served enough.
    public func demandFloor(horizon: Double, factors: PerRole<Double>, quantile: Double) -> PerRole<Double> {
        var floor = PerRole(repeating: 0.0)
        guard horizon > 0, let first = samples.first else { return floor }
        for role in Role.allCases {
            var shortfalls: [(demand: Double, planned: Double)] = []
            var total = 0.0
            var earlier = 0
            for sample in samples {
                // Before the first sample ever, the traffic is unknown and taken as quiet: a
                // burst in the first start-up time counts in full (a code assistant's hour opened
                // with one, and the next, a quarter of an hour later, found 4 instances of 11).
                // Once the memory has dropped that start, the first horizon is simply unknown.
                var planned = 0.0
                if sample.time - first.time >= horizon {
                    while earlier + 1 < samples.count, samples[earlier + 1].time <= sample.time - horizon { earlier += 1 }
                    planned = samples[earlier].demand[role] * factors[role]
                } else if first.time != firstRecorded {
                    continue
                }
                total += sample.demand[role]
                if sample.demand[role] > planned { shortfalls.append((sample.demand[role], planned)) }
            }
            floor[role] = Self.smallestFloor(shortfalls, allowed: max(0, 1 - quantile) * total)
        }
        return floor
    }

    /// Bisection on F for Σ max(0, demand − max(planned, F)) ≤ allowed (the sum falls as F grows).
    private static func smallestFloor(_ shortfalls: [(demand: Double, planned: Double)], allowed: Double) -> Double {
        func unserved(_ floor: Double) -> Double {
            shortfalls.reduce(0) { $0 + max(0, $1.demand - max($1.planned, floor)) }
        }
        guard unserved(0) > allowed else { return 0 }
        var low = 0.0
        var high = shortfalls.reduce(0) { max($0, $1.demand) }
        while high - low > 1e-4 * high {
            let middle = (low + high) / 2
            if unserved(middle) > allowed { low = middle } else { high = middle }
        }
        return high
    }

    private static func quantile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return 1 }
        let sorted = values.sorted()
        let position = min(Double(sorted.count - 1), max(0, q * Double(sorted.count - 1)))
        let lower = Int(position.rounded(.down))
        let upper = min(sorted.count - 1, lower + 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}
