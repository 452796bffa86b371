/// A scenario that cannot be loaded or generated, described as one sentence: where and what is wrong.
///
/// Example: `bursty.yaml: phases[0].arrival.cv must be greater than 0, found -1.`
public struct ScenarioError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file or built-in name the scenario came from, when known.
    public var source: String?
    /// The problem and the expectation, without the location prefix or the final period.
    public var problem: String

    public init(source: String?, problem: String) {
        self.source = source
        self.problem = problem
    }

    public var description: String {
        if let source {
            return "\(source): \(problem)."
        }
        return "\(problem)."
    }
}
