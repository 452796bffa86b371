/// Percentiles by linear interpolation between order statistics (the "R-7" / NumPy default
/// definition), so p50 of an even count is the mean of the middle two.
enum Percentile {
    /// `p` in 0…1 of `sorted` (ascending); `nil` for no data.
    static func of(sorted: [Double], _ p: Double) -> Double? {
        guard let first = sorted.first else { return nil }
        guard sorted.count > 1 else { return first }
        let rank = min(1, max(0, p)) * Double(sorted.count - 1)
        let lower = Int(rank.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = rank - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }
}
