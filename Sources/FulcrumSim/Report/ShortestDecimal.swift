/// How the simulator writes a knob's value in a name or a table: `0.8`, `1.15`, `2` — the
/// shortest decimal that reads back as the same value (`fulcrum@0.8`, `hindsight-lead:0.7`).
public enum ShortestDecimal {
    public static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }
}
