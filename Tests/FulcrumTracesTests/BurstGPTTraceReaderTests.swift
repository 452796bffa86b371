import Foundation
@testable import FulcrumTraces
import Testing

@Suite("BurstGPT trace reader")
struct BurstGPTTraceReaderTests {
    @Test("keeps successful requests and reports zero-response rows with their line numbers")
    func failedRequestsAreReported() throws {
        let result = try TraceReader.parse(text: TraceFixtures.burstGPT, sourceName: "burst.csv")
        #expect(result.format == .burstgpt)
        #expect(result.requests == [
            TraceRequest(arrival: 5, inputTokens: 472, outputTokens: 18),
            TraceRequest(arrival: 118, inputTokens: 417, outputTokens: 276),
            TraceRequest(arrival: 118, inputTokens: 1360, outputTokens: 202),
            TraceRequest(arrival: 230.5, inputTokens: 2000, outputTokens: 350),
        ])
        #expect(result.report.skipped.map(\.line) == [3, 6])
        #expect(result.report.skipped.allSatisfy { $0.reason.contains("zero response tokens") })
        #expect(result.report.description.hasPrefix("skipped 2 rows: line 3 (zero response tokens"))
    }

    @Test("tolerates CRLF and a missing final newline")
    func crlf() throws {
        let text = TraceFixtures.burstGPT
            .split(separator: "\n", omittingEmptySubsequences: false)
            .joined(separator: "\r\n")
            .trimmingCharacters(in: .newlines)
        let result = try TraceReader.parse(text: text, sourceName: "burst.csv")
        #expect(result.requests.count == 4)
        #expect(result.report.skipped.map(\.line) == [3, 6])
    }

    @Test("a row with a missing column names its line")
    func malformed() {
        let text = "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n5,ChatGPT,472,18,490\n"
        let error = #expect(throws: TraceError.self) {
            try TraceReader.parse(text: text, sourceName: "b.csv")
        }
        #expect(error?.description == #"b.csv line 2: expected 6 comma-separated fields "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type", found 5."#)
    }

    @Test("a negative timestamp is rejected")
    func negativeTimestamp() {
        let text = "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n-5,ChatGPT,472,18,490,API log\n"
        let error = #expect(throws: TraceError.self) {
            try TraceReader.parse(text: text, sourceName: "b.csv")
        }
        #expect(error?.kind == .invalidValue)
        #expect(error?.description == #"b.csv line 2: expected a non-negative number for "Timestamp", found "-5"."#)
    }
}
