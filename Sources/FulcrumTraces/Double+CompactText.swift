extension Double {
    /// How numbers appear in error messages: `-1` rather than `-1.0`, `1.5` as is.
    public var compactText: String {
        if isFinite, rounded() == self, abs(self) < 1e15 {
            return String(Int64(self))
        }
        return String(self)
    }
}
