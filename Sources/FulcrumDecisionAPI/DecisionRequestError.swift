import Foundation

/// Why one request line was refused: the field at fault and what to send instead.
public struct DecisionRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Path of the offending field, e.g. `workers[2].gpus[0]`; empty for the line as a whole.
    public var field: String
    /// One sentence naming the field and what is allowed.
    public var message: String

    public init(field: String, _ problem: String) {
        self.field = field
        self.message = field.isEmpty ? Self.sentence(problem) : Self.sentence("\(field) \(problem)")
    }

    public var description: String { message }

    private static func sentence(_ text: String) -> String {
        text.hasSuffix(".") ? text : text + "."
    }

    /// Turns a decoding failure into the field it concerns and a readable problem.
    ///
    /// Foundation's messages name Swift types ("Expected to decode Double but found a string");
    /// callers write JSON, so the messages are rewritten in JSON's terms.
    public init(decoding error: DecodingError) {
        switch error {
        case let .keyNotFound(key, context):
            self.init(field: Self.path(context.codingPath + [key]), "is required; see docs/decision-api.md for the schema")
        case let .valueNotFound(type, context):
            self.init(field: Self.path(context.codingPath), "is null; expected \(Self.jsonType(type))")
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            self.init(field: "", "The line is not a JSON object; send one JSON object per line, as docs/decision-api.md shows")
        case let .typeMismatch(type, context):
            self.init(field: Self.path(context.codingPath), "has the wrong type; expected \(Self.jsonType(type))")
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty {
                self.init(field: "", "The line is not valid JSON; send one JSON object per line")
            } else if context.debugDescription.hasPrefix("Parsed JSON number") {
                self.init(field: Self.path(context.codingPath), "is not a whole number in range; expected an integer")
            } else {
                self.init(field: Self.path(context.codingPath), context.debugDescription)
            }
        @unknown default:
            self.init(field: "", "The line could not be read: \(error)")
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue, key.stringValue == String(index) || key.stringValue.hasPrefix("Index") {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    private static func jsonType(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Float.Type: "a number"
        case is Int.Type, is Int64.Type, is UInt64.Type: "an integer"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is [Any].Type: "an array"
        default:
            String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
