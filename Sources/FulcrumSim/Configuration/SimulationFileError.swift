import FulcrumFileInput

/// A profile or cluster file that cannot be used, naming the file and the offending key so the
/// user can fix it without reading the decoder's internals.
///
/// Example: `profiles/x.yaml: decode.max_batch must be a whole number.`
public struct SimulationFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file path, or the name a caller gave to in-memory text.
    public var source: String
    /// Dotted key path (`decode.max_batch`, `nodes[2].gpus`); empty for whole-document problems.
    public var key: String
    /// A clause that reads on from the key ("must be a positive number, found 0"), or for a
    /// whole-document problem a clause of its own ("the file cannot be read because …").
    public var problem: String

    public init(source: String, key: String, problem: String) {
        self.source = source
        self.key = key
        self.problem = problem
    }

    init(_ decoding: DecodingProblem, source: String) {
        self.init(source: source, key: decoding.keyPath, problem: decoding.keyPath.isEmpty ? decoding.sentence : decoding.problem)
    }

    public var description: String {
        key.isEmpty ? "\(source): \(problem)." : "\(source): \(key) \(problem)."
    }
}
