/// Pure arithmetic on frontier points, on feasible attainment (`sloAttainmentFeasible`)
/// against GPU-hours. Comparisons are exact, so the same points always give the same answer.
public enum FrontierAnalysis {
    /// The points no other point beats: nothing else has at most its GPU-hours and at least
    /// its attainment with one of the two strictly better. Cheapest first; of points equal on
    /// both axes, the first given is kept.
    public static func paretoFrontier(_ points: [FrontierPoint]) -> [FrontierPoint] {
        var frontier: [FrontierPoint] = []
        for point in cheapestFirst(points) where point.sloAttainmentFeasible > (frontier.last?.sloAttainmentFeasible ?? -1) {
            frontier.append(point)
        }
        return frontier
    }

    /// `point`'s GPU-hours over those of the cheapest of `statics` with equal or better
    /// attainment, and that split; `nil` when no split reaches `point`'s attainment.
    public static func staticRatio(of point: FrontierPoint, statics: [FrontierPoint]) -> (ratio: Double, reference: FrontierPoint)? {
        let reaching = statics.filter { $0.sloAttainmentFeasible >= point.sloAttainmentFeasible }
        guard let cheapest = cheapestFirst(reaching).first, cheapest.gpuHours > 0 else { return nil }
        return (point.gpuHours / cheapest.gpuHours, cheapest)
    }

    /// `point`'s attainment minus that of the best of `statics` using no more GPU-hours, and
    /// that split; `nil` when no split is that cheap.
    public static func attainmentMargin(of point: FrontierPoint, statics: [FrontierPoint]) -> (margin: Double, reference: FrontierPoint)? {
        let cheaper = statics.filter { $0.gpuHours <= point.gpuHours }
        guard let best = bestFirst(cheaper).first else { return nil }
        return (point.sloAttainmentFeasible - best.sloAttainmentFeasible, best)
    }

    /// The fleet dynamic policies take over: the cheapest split whose attainment reaches
    /// `percentile`, else the best-attainment split. `nil` only without splits.
    public static func warmStart(statics: [FrontierPoint], percentile: Double) -> (point: FrontierPoint, meetsPercentile: Bool)? {
        if let cheapest = cheapestFirst(statics.filter { $0.sloAttainmentFeasible >= percentile }).first {
            return (cheapest, true)
        }
        return bestFirst(statics).first.map { ($0, false) }
    }

    /// The split an operator would pick by hand from other hours of the same traffic, given
    /// each hour's fixed splits: the one reaching `percentile` in every hour with the fewest
    /// GPU-hours over them all, else the one whose worst hour is best. The hindsight split
    /// (`warmStart`) knows the hour it is judged on; this one does not. `nil` without a split
    /// run in every hour.
    public static func splitPickedFromOtherHours(_ hours: [[FrontierPoint]], percentile: Double) -> (split: String, meetsPercentile: Bool)? {
        guard let first = hours.first else { return nil }
        let runEverywhere = first.map(\.name).filter { name in hours.allSatisfy { $0.contains { $0.name == name } } }
        let pooled = runEverywhere.map { name in
            let runs = hours.compactMap { hour in hour.first { $0.name == name } }
            return FrontierPoint(name: name, kind: .static, gpuHours: runs.reduce(0) { $0 + $1.gpuHours },
                                 sloAttainment: runs.map(\.sloAttainment).min() ?? 0,
                                 sloAttainmentFeasible: runs.map(\.sloAttainmentFeasible).min() ?? 0)
        }
        return warmStart(statics: pooled, percentile: percentile).map { ($0.point.name, $0.meetsPercentile) }
    }

    /// Fewest GPU-hours first; ties to higher attainment, then to the order given.
    static func cheapestFirst(_ points: [FrontierPoint]) -> [FrontierPoint] {
        stableSorted(points) { left, right in
            left.gpuHours != right.gpuHours
                ? left.gpuHours < right.gpuHours
                : left.sloAttainmentFeasible > right.sloAttainmentFeasible
        }
    }

    /// Highest attainment first; ties to fewer GPU-hours, then to the order given.
    static func bestFirst(_ points: [FrontierPoint]) -> [FrontierPoint] {
        stableSorted(points) { left, right in
            left.sloAttainmentFeasible != right.sloAttainmentFeasible
                ? left.sloAttainmentFeasible > right.sloAttainmentFeasible
                : left.gpuHours < right.gpuHours
        }
    }

    private static func stableSorted(_ points: [FrontierPoint], by before: (FrontierPoint, FrontierPoint) -> Bool) -> [FrontierPoint] {
        points.enumerated().sorted { lhs, rhs in
            if before(lhs.element, rhs.element) { return true }
            if before(rhs.element, lhs.element) { return false }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }
}
