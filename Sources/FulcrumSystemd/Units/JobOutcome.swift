/// How a systemd job ended, from the JobRemoved signal.
public struct JobOutcome: Sendable, Hashable {
    public var path: String
    public var unit: String
    /// `done`, `canceled`, `timeout`, `failed`, `dependency` or `skipped`.
    public var result: String

    public var succeeded: Bool { result == "done" }
}
