/// One thing wrong with a configuration file: the key, the value found, and what is allowed.
public struct ConfigurationProblem: Sendable, Hashable, CustomStringConvertible {
    /// Dotted path of the key, e.g. `slo.ttft` or `nodes[2].gpus`.
    public var key: String
    /// The offending value as written, if there was one.
    public var value: String?
    /// What is allowed or what to do, as the end of a sentence.
    public var expected: String
    /// 1-based line in the file, when known.
    public var line: Int?

    public init(key: String, value: String? = nil, expected: String, line: Int? = nil) {
        self.key = key
        self.value = value
        self.expected = expected
        self.line = line
    }

    /// The key of a problem with the whole file (unreadable, not YAML, empty).
    public static let wholeFile = "the file"

    public var description: String {
        let location = line.map { "line \($0): " } ?? ""
        if let value {
            return "\(location)\(key) is \"\(value)\"; \(expected)."
        }
        // "slo is required", "engine is not a known key": a verb reads on from the key; other
        // statements ("budget: the per-role minimums need …") are about the key.
        let joiner = expected.hasPrefix("is ") || expected.hasPrefix("cannot ") ? " " : ": "
        return "\(location)\(key)\(joiner)\(expected)."
    }
}

/// Every problem found in one file, reported together so one edit can fix them all.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var source: String
    public var problems: [ConfigurationProblem]

    public init(source: String, problems: [ConfigurationProblem]) {
        self.source = source
        self.problems = problems
    }

    public var description: String {
        let header = problems.count == 1 ? "\(source) has 1 problem:" : "\(source) has \(problems.count) problems:"
        return ([header] + problems.map { "  \($0)" }).joined(separator: "\n")
    }
}
