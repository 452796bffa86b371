/// Rows a reader deliberately left out of the trace, with the reason for each, so that dropping
/// data is always visible to the user instead of silent.
public struct TraceReadReport: Sendable, Equatable, CustomStringConvertible {
    /// One row that is valid input but does not describe a replayable request.
    public struct SkippedRow: Sendable, Equatable {
        /// 1-based physical line number in the file.
        public var line: Int
        public var reason: String

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }
    }

    public var skipped: [SkippedRow]

    public init(skipped: [SkippedRow] = []) {
        self.skipped = skipped
    }

    /// e.g. `skipped 2 rows: line 5 (zero response tokens: failed request), line 9 (...)`;
    /// long lists are abbreviated so a million-row trace does not flood the terminal.
    public var description: String {
        guard !skipped.isEmpty else { return "no rows skipped" }
        let shown = skipped.prefix(10).map { "line \($0.line) (\($0.reason))" }.joined(separator: ", ")
        let more = skipped.count > 10 ? ", and \(skipped.count - 10) more" : ""
        return "skipped \(skipped.count) row\(skipped.count == 1 ? "" : "s"): \(shown)\(more)"
    }
}
