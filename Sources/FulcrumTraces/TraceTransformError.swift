/// A transform was given a parameter it cannot honour (e.g. a speed-up of 0).
public struct TraceTransformError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One sentence without the final period, e.g. `speedup factor must be a positive number, found 0`.
    public var problem: String

    public init(problem: String) {
        self.problem = problem
    }

    public var description: String { "\(problem)." }
}
