/// A reshaping of a trace before replay. Transforms are deterministic: the same input, parameters
/// and seed always give the same output, sorted by arrival.
public enum TraceTransform: Sendable, Equatable {
    /// Divides every arrival by the factor (> 0): same requests, replayed `factor` times faster.
    case speedup(Double)
    /// Replays each request `factor` (≥ 0, may be fractional) times without stretching the trace:
    /// 2.5 keeps each request, adds one copy and a further copy with probability 0.5.
    ///
    /// The original keeps its arrival; added copies are shifted uniformly within ±`jitter` seconds
    /// (so copies do not arrive in lock-step) and clamped to the original trace's time span, so a
    /// one-hour trace stays one hour. A factor below 1 keeps each request with that probability.
    case loadScale(Double, seed: UInt64, jitter: Double = 0.5)
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
        case .loadScale(let factor, let seed, let jitter):
            guard factor.isFinite, factor >= 0 else {
                throw TraceTransformError(problem: "load-scale factor must be a non-negative number, found \(factor.compactText)")
            }
            guard jitter.isFinite, jitter >= 0 else {
                throw TraceTransformError(problem: "load-scale jitter must be a non-negative number of seconds, found \(jitter.compactText)")
            }
            return Self.loadScaled(sorted, factor: factor, seed: seed, jitter: jitter)
        case .slice(let from, let to):
            guard from.isFinite, to.isFinite, from >= 0, from < to else {
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

    /// Applies `transforms` left to right.
    public static func apply(_ transforms: [TraceTransform], to requests: [TraceRequest]) throws(TraceTransformError) -> [TraceRequest] {
        var result = requests
        for transform in transforms {
            result = try transform.apply(to: result)
        }
        return result
    }

    private static func loadScaled(_ sorted: [TraceRequest], factor: Double, seed: UInt64, jitter: Double) -> [TraceRequest] {
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
                    let shifted = request.arrival + random.nextUniform(from: -jitter, to: jitter)
                    replay.arrival = min(max(shifted, 0), end)
                }
                result.append(replay)
            }
        }
        return TraceReader.sortedByArrival(result)
    }
}
