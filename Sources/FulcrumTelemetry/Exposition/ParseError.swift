/// Why an exposition was rejected, with the 1-based line and byte column where it went wrong.
///
/// `description` reads like `line 12, column 31: expected '=' after label name "le", found '}'`.
public struct ExpositionParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable, CustomStringConvertible {
        /// A syntax error: what the grammar required here, and what was there instead.
        case expected(String, found: String)
        /// A sample value that is not a number.
        case invalidValue(String)
        /// A timestamp that is not an integer (text format, milliseconds) or a finite number
        /// (OpenMetrics, seconds).
        case invalidTimestamp(String)
        /// A backslash sequence other than `\\`, `\"` and `\n`.
        case invalidEscape(String)
        /// A quoted string with no closing quote on its line.
        case unterminatedString
        /// The same label name twice in one label set.
        case duplicateLabel(String)
        /// A `_bucket` sample without `le`, or a summary quantile sample without `quantile`.
        case missingLabel(String, metric: String)
        /// An `le` / `quantile` value that is not a number, or is NaN.
        case invalidBound(label: String, value: String)
        /// A second HELP / TYPE / UNIT line for one family, or a TYPE line after its samples.
        case duplicateMetadata(String, metric: String)
        /// OpenMetrics: a family that appears again after another family started.
        case interleavedFamily(String)
        /// A sample whose name does not fit its family's type (OpenMetrics counter without
        /// `_total`, histogram sample without a suffix...).
        case sampleDoesNotFitType(sample: String, family: String, type: String)
        /// OpenMetrics: a UNIT that is not a suffix of the family name.
        case unitNotSuffix(unit: String, metric: String)
        /// OpenMetrics: an exemplar on a sample that may not carry one.
        case exemplarNotAllowed(String)
        /// OpenMetrics: content after `# EOF`.
        case contentAfterEOF
        /// OpenMetrics: the input does not end with `# EOF`.
        case missingEOF
        /// A name or label value that is not valid UTF-8.
        case invalidUTF8
        /// The input is 2 GiB or more (samples and labels are numbered in 32 bits).
        case tooLarge(bytes: Int)

        public var description: String {
            switch self {
            case .expected(let what, let found): return "expected \(what), found \(found)"
            case .invalidValue(let token): return "invalid sample value \(token.debugDescription)"
            case .invalidTimestamp(let token): return "invalid timestamp \(token.debugDescription)"
            case .invalidEscape(let sequence): return "invalid escape sequence '\(sequence)' (only \\\\, \\\" and \\n are allowed)"
            case .unterminatedString: return "unterminated quoted string"
            case .duplicateLabel(let name): return "duplicate label name \(name.debugDescription)"
            case .missingLabel(let label, let metric): return "sample \(metric.debugDescription) lacks the \(label.debugDescription) label"
            case .invalidBound(let label, let value): return "label \(label) must be a number (not NaN), found \(value.debugDescription)"
            case .duplicateMetadata(let kind, let metric): return "second \(kind) line for metric \(metric.debugDescription), or \(kind) after its samples"
            case .interleavedFamily(let metric): return "samples of metric family \(metric.debugDescription) are not contiguous"
            case .sampleDoesNotFitType(let sample, let family, let type) where type == "counter" && sample == family && family.hasSuffix("_total"):
                // The usual cause: a Prometheus-text counter declaration sent as OpenMetrics.
                return "sample \(sample.debugDescription) does not fit counter family \(family.debugDescription): in OpenMetrics a counter family is named without _total (# TYPE \(family.dropLast(6)) counter), and its samples with it"
            case .sampleDoesNotFitType(let sample, let family, let type):
                return "sample \(sample.debugDescription) does not fit \(type) family \(family.debugDescription)"
            case .unitNotSuffix(let unit, let metric): return "unit \(unit.debugDescription) is not a suffix of metric name \(metric.debugDescription)"
            case .exemplarNotAllowed(let sample): return "exemplar not allowed on sample \(sample.debugDescription) (only on _total and _bucket samples)"
            case .contentAfterEOF: return "content after '# EOF'"
            case .missingEOF: return "expected '# EOF' at the end of an OpenMetrics exposition"
            case .invalidUTF8: return "invalid UTF-8"
            case .tooLarge(let bytes): return "the exposition is \(bytes) bytes; expositions of 2 GiB or more are not read"
            }
        }
    }

    /// 1-based line number.
    public var line: Int
    /// 1-based column, counted in bytes from the start of the line.
    public var column: Int
    public var reason: Reason

    public init(line: Int, column: Int, reason: Reason) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String { "line \(line), column \(column): \(reason)" }
}
