extension Duration {
    /// The duration as seconds, for arithmetic with the core's `Timestamp`s and for display.
    /// (The standard library converts seconds to a `Duration`, `.seconds(2.5)`, but not back.)
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
