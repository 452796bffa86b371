import Yams

/// A `Decodable` document that did not fit its type, as the key at fault and what it needed.
///
/// `DecodingError`'s own text ("Expected to decode Mapping but found Node instead.") names
/// Swift types; users wrote YAML or JSON keys, so they are told in those terms.
public struct DecodingProblem: Sendable, Hashable {
    /// Dotted key path such as `phases[1].arrival`; empty for the whole document.
    public var keyPath: String
    /// What is wrong, as a clause that reads on from the key: "is missing", "must be a number".
    public var problem: String
    /// The line, for a YAML syntax error.
    public var line: Int?

    public init(_ error: DecodingError) {
        switch error {
        case let .keyNotFound(key, context):
            self.init(keyPath: Self.keyPath(context.codingPath + [key]), problem: "is missing")
        case let .typeMismatch(type, context):
            self.init(keyPath: Self.keyPath(context.codingPath), problem: "must be \(Self.describe(type))")
        case let .valueNotFound(type, context):
            self.init(keyPath: Self.keyPath(context.codingPath), problem: "must be \(Self.describe(type)), not empty")
        case let .dataCorrupted(context):
            // Yams reports some syntax errors as corrupted data wrapping its own `YamlError`.
            if let syntax = context.underlyingError as? YamlError {
                self.init(syntax)
            } else {
                // Strict decoding's "is not a known key; …" already reads on from the key.
                let reason = context.debugDescription
                self.init(keyPath: Self.keyPath(context.codingPath), problem: reason.hasPrefix("is ") ? reason : "is unusable: \(reason)")
            }
        @unknown default:
            self.init(keyPath: "", problem: "is unusable: \(error)")
        }
    }

    /// A syntax error, which is about the whole document.
    public init(_ error: YamlError) {
        let syntax = YAMLSyntaxProblem(error)
        self.init(keyPath: "", problem: "is not valid YAML: \(syntax.problem); check the indentation and quoting there", line: syntax.line)
    }

    public init(keyPath: String, problem: String, line: Int? = nil) {
        self.keyPath = keyPath
        self.problem = problem
        self.line = line
    }

    /// "line 3: the document is not valid YAML: …", "decode.max_batch must be a whole number"
    public var sentence: String {
        let location = line.map { "line \($0): " } ?? ""
        return "\(location)\(keyPath.isEmpty ? "the document" : keyPath) \(problem)"
    }

    public static func keyPath(_ path: [any CodingKey]) -> String {
        path.reduce(into: "") { text, key in
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "a whole number"
        case is Double.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Node.Mapping.Type: "a mapping of keys to values"
        case is Node.Sequence.Type: "a list"
        case is Node.Scalar.Type: "a single value (text or a number), not a list or a mapping"
        default: "a value of type \(type)"
        }
    }
}
