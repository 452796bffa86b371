/// A reshaping of a trace before replay. Transforms are deterministic: the same input, parameters
/// and seed always give the same output, sorted by arrival.
public enum TraceTransform: Sendable, Equatable {
    /// Divides every arrival by the factor (> 0): same requests, replayed `factor` times faster.
    case speedup(Double)
    /// Replays each request `factor` (≥ 0, may be fractional) times without stretching the trace:
    /// 2.5 keeps each request, adds one copy and a further copy with probability 0.5.
    ///
    /// The original keeps its arrival; added copies are placed by `mode` (see `LoadScaleMode`) and
    /// kept within the original trace's time span, so a one-hour trace stays one hour. A factor
    /// below 1 keeps each request with that probability.
    case loadScale(Double, seed: UInt64, mode: LoadScaleMode = .spread)
    /// Keeps requests with `from ≤ arrival < to` and re-bases arrivals so that `from` becomes 0
    /// (gaps at the start of the window are preserved).
    case slice(from: Double, to: Double)
    /// Keeps the first `count` requests by arrival.
    case first(Int)

    /// Applies the transform; the input need not be sorted.
    public func apply(to requests: [TraceRequest]) throws(TraceTransformError) -> [TraceRequest] {
        let sorted = TraceReader.sortedByArrival(requests)
        switch self {
        case .speedup(let factor):
            guard factor.isFinite, factor > 0 else {
                throw TraceTransformError(problem: "speedup factor must be a positive number, found \(factor.compactText)")
            }
            return sorted.map { request in
                var faster = request
                faster.arrival = request.arrival / factor
                return faster
            }
        case .loadScale(let factor, let seed, let mode):
            guard factor.isFinite, factor >= 0, factor <= Self.largestLoadScale else {
                throw TraceTransformError(problem: "load-scale factor must be a number from 0 to \(Int(Self.largestLoadScale)), found \(factor.compactText)")
            }
            return Self.loadScaled(sorted, factor: factor, seed: seed, mode: mode)
        case .slice(let from, let to):
            // `to` may be +∞: a slice from a time to the end.
            guard from.isFinite, from >= 0, from < to else {
                throw TraceTransformError(problem: "slice needs 0 ≤ from < to, found from \(from.compactText) to \(to.compactText)")
            }
            return sorted
                .filter { $0.arrival >= from && $0.arrival < to }
                .map { request in
                    var rebased = request
                    rebased.arrival = request.arrival - from
                    return rebased
                }
        case .first(let count):
            guard count >= 0 else {
                throw TraceTransformError(problem: "first needs a non-negative request count, found \(count)")
            }
            return Array(sorted.prefix(count))
        }
    }

    /// The most copies of a request `loadScale` makes: far beyond any fleet a replay models,
    /// and the copies of a large trace must still fit in memory.
    public static let largestLoadScale: Double = 1000

    /// Applies `transforms` left to right.
    public static func apply(_ transforms: [TraceTransform], to requests: [TraceRequest]) throws(TraceTransformError) -> [TraceRequest] {
        var result = requests
        for transform in transforms {
            result = try transform.apply(to: result)
        }
        return result
    }

    private static func loadScaled(_ sorted: [TraceRequest], factor: Double, seed: UInt64, mode: LoadScaleMode) -> [TraceRequest] {
        guard let end = sorted.last?.arrival else { return [] }
        var random = SeededRandomGenerator(seed: seed)
        let wholeCopies = Int(factor.rounded(.down))
        let extraCopyProbability = factor - Double(wholeCopies)
        var result: [TraceRequest] = []
        result.reserveCapacity(Int((Double(sorted.count) * factor).rounded(.up)))
        for request in sorted {
            // Always draw, so the stream position does not depend on the fractional part.
            let copies = wholeCopies + (random.nextUnit() < extraCopyProbability ? 1 : 0)
            for copy in 0..<copies {
                var replay = request
                if copy > 0 {
                    let offset = copyOffset(copy: copy, of: copies - 1, mode: mode, using: &random)
                    replay.arrival = keptInSpan(request.arrival + offset, end: end, mode: mode)
                    // A copy is another population of users: same conversations, other texts.
                    // (Hashes of 2^48 or more may then meet another copy's; traces use small ones.)
                    replay.prefixBlocks = request.prefixBlocks.map { (copy << 48) ^ $0 }
                }
                result.append(replay)
            }
        }
        return TraceReader.sortedByArrival(result)
    }

    /// The shift of added copy `copy` (1...added) from its original.
    ///
    /// Spread copies each get their own equal slice of the window. Independent uniform shifts
    /// would still put pairs of copies in the same 10 s often enough to leave a dispersion near
    /// 1 + (K − 1) · 10 / 120 ≈ 1.6 at ×8; one copy per slice keeps it near 1.2, and the copies
    /// together still cover the window uniformly.
    private static func copyOffset(copy: Int, of added: Int, mode: LoadScaleMode,
                                   using random: inout SeededRandomGenerator) -> Double {
        let halfWidth = mode.halfWidthSeconds
        switch mode {
        case .clumped:
            return random.nextUniform(from: -halfWidth, to: halfWidth)
        case .spread:
            let slice = 2 * halfWidth / Double(added)
            return -halfWidth + slice * (Double(copy - 1) + random.nextUnit())
        }
    }

    /// A shifted arrival brought back into `0...end`. Spread copies are reflected at the ends,
    /// because clamping a ±60 s window would stack hundreds of copies exactly on t = 0 and on the
    /// last arrival; clumped copies are clamped, as they always were (±0.5 s piles up nothing).
    private static func keptInSpan(_ arrival: Double, end: Double, mode: LoadScaleMode) -> Double {
        var kept = arrival
        if mode == .spread {
            if kept < 0 { kept = -kept }
            if kept > end { kept = 2 * end - kept }
        }
        return min(max(kept, 0), end)
    }
}
