/// A profile or cluster file that cannot be used, naming the file and the offending key so the
/// user can fix it without reading the decoder's internals.
///
/// Example: `profiles/x.yaml: key "decode.max_batch": expected a whole number, found "lots".`
public struct SimulationFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file path, or the name a caller gave to in-memory text.
    public var source: String
    /// Dotted key path (`decode.max_batch`, `nodes[2].gpus`); empty for whole-document problems.
    public var key: String
    public var problem: String

    public init(source: String, key: String, problem: String) {
        self.source = source
        self.key = key
        self.problem = problem
    }

    public var description: String {
        key.isEmpty ? "\(source): \(problem)." : "\(source): key \"\(key)\": \(problem)."
    }
}
