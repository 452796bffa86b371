/// A baseline run at several values of one setting (`hindsight-lead:0.3` … `hindsight-lead:0.9`).
/// The plot draws it as one curve, like Fulcrum's headroom sweep, rather than as a labelled
/// marker and a legend line for every value.
struct BaselineSweep: Equatable {
    struct Member: Equatable {
        var value: Double
        var point: FrontierPoint
    }

    var policy: String
    /// Ordered by value.
    var members: [Member]

    /// Splits baselines into those run once and sweeps: every policy named `P:V` (V a number)
    /// at two values or more. Order is kept among the singles and by first appearance among the
    /// sweeps.
    static func group(_ baselines: [FrontierPoint]) -> (singles: [FrontierPoint], sweeps: [BaselineSweep]) {
        var byPolicy: [String: [Member]] = [:]
        var order: [String] = []
        for point in baselines {
            guard let (policy, value) = setting(of: point.name) else { continue }
            if byPolicy[policy] == nil { order.append(policy) }
            byPolicy[policy, default: []].append(Member(value: value, point: point))
        }
        let swept = Set(order.filter { byPolicy[$0, default: []].count >= 2 })
        let singles = baselines.filter { point in setting(of: point.name).map { !swept.contains($0.policy) } ?? true }
        let sweeps = order.filter(swept.contains).map { policy in
            BaselineSweep(policy: policy, members: byPolicy[policy, default: []].sorted { $0.value < $1.value })
        }
        return (singles, sweeps)
    }

    /// `hindsight-lead:0.7` → ("hindsight-lead", 0.7); fixed splits (`static:P:D`) and plain
    /// names are not settings.
    private static func setting(of name: String) -> (policy: String, value: Double)? {
        let parts = name.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let value = Double(parts[1]) else { return nil }
        return (String(parts[0]), value)
    }
}
