/// " (did you mean percentile?)" for a key one or two edits from a known one, so a typo in a
/// file is obvious; empty otherwise. Shared by every reader that refuses unknown keys.
public enum KeySuggestion {
    public static func didYouMean(_ name: String, among allowed: some Collection<String>) -> String {
        let best = allowed.min { editDistance(name, $0) < editDistance(name, $1) }
        guard let best, editDistance(name, best) <= 2 else { return "" }
        return " (did you mean \(best)?)"
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
