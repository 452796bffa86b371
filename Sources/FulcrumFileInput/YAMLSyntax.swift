import Yams

/// A YAML syntax error as a sentence and a line, instead of libyaml's multi-line dump
/// ("3:2: error: parser: while parsing a block mapping in line 1, column 1 did not find
/// expected key:  tpot: [  ^").
public struct YAMLSyntaxProblem: Sendable, Hashable {
    /// 1-based, when the parser knew where it stopped.
    public var line: Int?
    /// "did not find expected key (while parsing a block mapping that starts on line 1), at column 2"
    public var problem: String

    public init(_ error: YamlError) {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let within = context.map { " (\($0.text) that starts on line \($0.mark.line))" } ?? ""
            self.init(line: mark.line, problem: "\(problem)\(within), at column \(mark.column)")
        case let .reader(problem, _, _, _):
            self.init(line: nil, problem: problem)
        default:
            let firstLine = String(describing: error).split(separator: "\n").first.map(String.init)
            self.init(line: nil, problem: firstLine ?? "the YAML parser failed")
        }
    }

    public init(line: Int?, problem: String) {
        self.line = line
        self.problem = problem
    }
}
