import Testing
@testable import FulcrumTelemetry

/// Malformed input must give a typed error with the right line and column, never a crash and
/// never a silently wrong number.
@Suite struct ParserErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var format: FormatChoice = .auto
        var line: Int
        var column: Int
        var reason: ExpositionParseError.Reason
        var testDescription: String { "\(reason)" }
    }

    static let cases: [Case] = [
        // Missing value.
        Case(text: "a 1\nfoo{x=\"1\"}\n", line: 2, column: 11, reason: .expected("sample value after \"foo\"", found: "end of line")),
        Case(text: "a 1\nfoo\n", line: 2, column: 4, reason: .expected("sample value after \"foo\"", found: "end of line")),
        // Bad escape in a label value and in HELP.
        Case(text: "m{a=\"x\\q\"} 1\n", line: 1, column: 7, reason: .invalidEscape("\\q")),
        Case(text: "# HELP m bad \\t escape\n", line: 1, column: 14, reason: .invalidEscape("\\t")),
        // Unterminated quote (reported at the opening quote).
        Case(text: "m{a=\"abc} 1\n", line: 1, column: 5, reason: .unterminatedString),
        Case(text: "m{a=\"abc\\\"} 1\n", line: 1, column: 5, reason: .unterminatedString),
        // Duplicate label.
        Case(text: "m{a=\"1\",a=\"2\"} 1\n", line: 1, column: 9, reason: .duplicateLabel("a")),
        // NaN (or text) as a bucket bound; missing le.
        Case(text: "# TYPE h histogram\nh_bucket{le=\"NaN\"} 1\n", line: 2, column: 13, reason: .invalidBound(label: "le", value: "NaN")),
        Case(text: "# TYPE h histogram\nh_bucket{le=\"one\"} 1\n", line: 2, column: 13, reason: .invalidBound(label: "le", value: "one")),
        Case(text: "# TYPE h histogram\nh_bucket{x=\"1\"} 1\n", line: 2, column: 1, reason: .missingLabel("le", metric: "h_bucket")),
        Case(text: "# TYPE s summary\ns{quantile=\"p50\"} 1\n", line: 2, column: 12, reason: .invalidBound(label: "quantile", value: "p50")),
        // Text after EOF (auto-detected and explicit OpenMetrics).
        Case(text: "# TYPE a gauge\na 1\n# EOF\nb 2\n", line: 4, column: 1, reason: .contentAfterEOF),
        Case(text: "# TYPE a gauge\na 1\n# EOF\n\n  b 2\n", format: .exactly(.openMetrics), line: 5, column: 3, reason: .contentAfterEOF),
        // Missing EOF in OpenMetrics.
        Case(text: "a 1\n", format: .exactly(.openMetrics), line: 2, column: 1, reason: .missingEOF),
        // Bad timestamps.
        Case(text: "m 1 12.5\n", line: 1, column: 5, reason: .invalidTimestamp("12.5")),
        Case(text: "m 1 99999999999999999999\n", line: 1, column: 5, reason: .invalidTimestamp("99999999999999999999")),
        Case(text: "m 1 NaN\n# EOF\n", line: 1, column: 5, reason: .invalidTimestamp("NaN")),
        // Missing '}' / '=' / ',' in label sets.
        Case(text: "m{a=\"1\" 1\n", line: 1, column: 9, reason: .expected("',' or '}' after label value", found: "'1'")),
        Case(text: "m{a=\"1\"\n", line: 1, column: 8, reason: .expected("',' or '}' after label value", found: "end of line")),
        Case(text: "x{le} 1\n", line: 1, column: 5, reason: .expected("'=' after label name \"le\"", found: "'}'")),
        Case(text: "m{a=1} 1\n", line: 1, column: 5, reason: .expected("'\"' to open the value of label \"a\"", found: "'1'")),
        Case(text: "m{a=\"1\",,b=\"2\"} 1\n", line: 1, column: 9, reason: .expected("label name", found: "','")),
        Case(text: "{a=\"1\", \"name\"} 1\n", line: 1, column: 15, reason: .expected("'=' after label name \"name\"", found: "'}'")),
        // Bad values and names.
        Case(text: "m abc\n", line: 1, column: 3, reason: .invalidValue("abc")),
        Case(text: "m 0x1p3\n", line: 1, column: 3, reason: .invalidValue("0x1p3")),
        Case(text: "m 1,5\n", line: 1, column: 3, reason: .invalidValue("1,5")),
        Case(text: "foo.bar 1\n", line: 1, column: 4, reason: .expected("'{' or ' ' after metric name \"foo\"", found: "'.'")),
        Case(text: "9m 1\n", line: 1, column: 1, reason: .expected("metric name", found: "'9'")),
        Case(text: "m{a=\"1\"}2\n", line: 1, column: 9, reason: .expected("' ' after label set", found: "'2'")),
        // Metadata errors.
        Case(text: "# TYPE a gauge\n# TYPE a counter\n", line: 2, column: 1, reason: .duplicateMetadata("TYPE", metric: "a")),
        Case(text: "a 1\n# TYPE a gauge\n", line: 2, column: 1, reason: .duplicateMetadata("TYPE", metric: "a")),
        Case(text: "# HELP a x\n# HELP a y\n", line: 2, column: 1, reason: .duplicateMetadata("HELP", metric: "a")),
        Case(text: "# TYPE a foo\n", line: 1, column: 10,
             reason: .expected("metric type (counter, gauge, histogram, summary, untyped)", found: "\"foo\"")),
        Case(text: "# TYPE a_bytes gauge\n# UNIT a_bytes seconds\n# EOF\n", line: 2, column: 16, reason: .unitNotSuffix(unit: "seconds", metric: "a_bytes")),
        Case(text: "# TYPE\n", line: 1, column: 7, reason: .expected("metric name after '# TYPE'", found: "end of line")),
        // OpenMetrics structure.
        Case(text: "# TYPE c counter\nc 1\n# EOF\n", line: 2, column: 1, reason: .sampleDoesNotFitType(sample: "c", family: "c", type: "counter")),
        Case(text: "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n# EOF\n", line: 5, column: 1, reason: .interleavedFamily("a")),
        Case(text: "# TYPE g gauge\ng 1 # {a=\"b\"} 1\n# EOF\n", line: 2, column: 5, reason: .exemplarNotAllowed("g")),
        // Exemplars are OpenMetrics only.
        Case(text: "m_total 1 # {a=\"b\"} 1\n", line: 1, column: 11, reason: .expected("timestamp or end of line", found: "'#'")),
        // Line numbers count CRLF lines and blank lines.
        Case(text: "a 1\r\n\r\n# c\r\nb{x=\"1\" 2\r\n", line: 4, column: 9, reason: .expected("',' or '}' after label value", found: "'2'")),
    ]

    @Test(arguments: cases)
    func malformedInputIsRejectedWithPosition(_ c: Case) {
        #expect(throws: ExpositionParseError(line: c.line, column: c.column, reason: c.reason)) {
            try ExpositionParser.parse(c.text, format: c.format)
        }
    }

    @Test func invalidUTF8InALabelValue() throws {
        var bytes = Array("m{a=\"".utf8)
        bytes += [0xC3, 0x28] // an invalid two-byte sequence
        bytes += Array("\"} 1\n".utf8)
        #expect(throws: ExpositionParseError(line: 1, column: 1, reason: .invalidUTF8)) {
            try ExpositionParser.parse(bytes)
        }
        // Not materialised: validated syntactically, skipped cheaply.
        #expect(try ExpositionParser.parse(bytes, families: .only(["other"])).allFamilies.count == 1)
    }

    @Test func invalidUTF8InADocstring() throws {
        var bytes = Array("# HELP m bad ".utf8)
        bytes += [0xFF]
        bytes += Array("\n# TYPE m gauge\nm 1\n".utf8)
        #expect(throws: ExpositionParseError(line: 1, column: 10, reason: .invalidUTF8)) {
            try ExpositionParser.parse(bytes)
        }
    }

    @Test("a Prometheus-text counter declaration sent as OpenMetrics is explained")
    func openMetricsCounterNamedWithTotal() {
        do {
            _ = try ExpositionParser.parse("# TYPE vllm:prompt_tokens_total counter\nvllm:prompt_tokens_total 1\n# EOF\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasSuffix("in OpenMetrics a counter family is named without _total (# TYPE vllm:prompt_tokens counter), and its samples with it"), "\(error)")
        }
    }

    @Test func messageNamesLineColumnAndExpectation() {
        let text = String(repeating: "ok 1\n", count: 11) + "vllm:request_latency_bucket{le} 1\n"
        do {
            _ = try ExpositionParser.parse(text)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "line 12, column 31: expected '=' after label name \"le\", found '}'")
        }
    }

    @Test func errorsInSkippedFamiliesAreStillReported() {
        // The interest set does not include `m`, but its bad escape is still an error.
        #expect(throws: ExpositionParseError(line: 1, column: 7, reason: .invalidEscape("\\q"))) {
            try ExpositionParser.parse("m{a=\"x\\q\"} 1\n", families: .only(["other"]))
        }
    }
}
