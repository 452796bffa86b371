import Foundation

/// A trace file that could not be read or written, described as one sentence a user can act on:
/// which file, which line, what is wrong and what was expected.
///
/// Example: `examples/x.csv line 7: expected 3 comma-separated fields "arrival_s,input_tokens,output_tokens", found 2.`
public struct TraceError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// What went wrong, for callers that react differently (e.g. a CLI exit code) without parsing text.
    public enum Kind: Sendable, Equatable {
        /// The file could not be opened or read.
        case unreadableFile
        /// The file could not be written.
        case unwritableFile
        /// The file has no non-blank line at all.
        case emptyFile
        /// The first line is not the header of the requested (or of any supported) format.
        case unrecognizedHeader
        /// A row has the wrong shape (field count, invalid JSON, missing key).
        case malformedRow
        /// A field has the right place but an unusable value (negative, non-numeric, bad timestamp).
        case invalidValue
    }

    public var kind: Kind
    /// The file path (or the name a caller gave to in-memory text).
    public var source: String
    /// 1-based physical line number, counting blank lines; `nil` for whole-file problems.
    public var line: Int?
    /// The problem and the expectation, without the location prefix or the final period.
    public var problem: String

    public init(kind: Kind, source: String, line: Int?, problem: String) {
        self.kind = kind
        self.source = source
        self.line = line
        self.problem = problem
    }

    public var description: String {
        if let line {
            return "\(source) line \(line): \(problem)."
        }
        return "\(source): \(problem)."
    }

    // Foundation's `localizedDescription` would otherwise print an opaque "error N" on Linux.
    public var errorDescription: String? { description }
}
