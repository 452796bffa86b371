@testable import FulcrumTraces
import Testing

@Suite("Azure trace reader")
struct AzureTraceReaderTests {
    @Test("reads CRLF rows without a final newline, sorts them and re-bases to the earliest request")
    func readsFixture() throws {
        let result = try TraceReader.parse(text: TraceFixtures.azure, sourceName: "azure.csv", format: .azure)
        #expect(result.format == .azure)
        #expect(result.report.skipped.isEmpty)
        #expect(result.requests.map(\.inputTokens) == [374, 396, 879, 91, 1521])
        #expect(result.requests.map(\.outputTokens) == [44, 109, 15, 16, 186])
        // Exact: timestamps are subtracted as integer nanoseconds before becoming a Double.
        #expect(result.requests.map(\.arrival) == [0, 4.314579, 5.033194, 5.033194, 16.422535])
    }

    @Test("equal timestamps keep their file order")
    func stableForTies() throws {
        let result = try TraceReader.parse(text: TraceFixtures.azure, sourceName: "azure.csv")
        let tied = result.requests.filter { $0.arrival == 5.033194 }
        #expect(tied.map(\.inputTokens) == [879, 91])
    }

    @Test("a short row names the file, the line and the expected columns")
    func malformedRow() {
        let text = "TIMESTAMP,ContextTokens,GeneratedTokens\r\n2023-11-16 18:15:46.6805900,374,44\r\n\r\n2023-11-16 18:15:50.9951690,396\r\n"
        let error = #expect(throws: TraceError.self) {
            try TraceReader.parse(text: text, sourceName: "azure.csv")
        }
        #expect(error?.kind == .malformedRow)
        #expect(error?.line == 4)
        #expect(error?.description == #"azure.csv line 4: expected 3 comma-separated fields "TIMESTAMP,ContextTokens,GeneratedTokens", found 2."#)
    }

    @Test("an impossible timestamp is rejected with its line number", arguments: [
        "2023-02-29 00:00:00.0000000", "2023-11-16T25:00:00", "16/11/2023 18:15:46", "2023-11-16 18:15:46.",
        // Found by fuzzing: past 2262 nanoseconds since 1970 overflow an Int64 (it crashed).
        "4046-11-16 18:15:46.6805900", "9999-12-31 23:59:59.9999999", "1600-01-01 00:00:00",
    ])
    func badTimestamp(stamp: String) {
        let text = "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,1,1\n\(stamp),374,44\n"
        let error = #expect(throws: TraceError.self) {
            try TraceReader.parse(text: text, sourceName: "a.csv")
        }
        #expect(error?.kind == .invalidValue)
        #expect(error?.description.hasPrefix("a.csv line 3: expected TIMESTAMP like") == true)
        #expect(error?.description.contains(stamp) == true)
    }

    @Test("timestamps centuries apart are refused with the line, not an overflow (found by fuzzing)")
    func centuriesApart() {
        let text = "TIMESTAMP,ContextTokens,GeneratedTokens\n1689-11-16 18:15:46.65900,74,44\n2023-11-16 18:15:51.840,879,15\n"
        let error = #expect(throws: TraceError.self) {
            try TraceReader.parse(text: text, sourceName: "a.csv")
        }
        #expect(error?.kind == .invalidValue)
        #expect(error?.description.hasPrefix("a.csv line 3: expected timestamps within 292 years") == true, "\(String(describing: error))")
    }

    @Test("negative and non-numeric token counts are rejected")
    func badTokens() {
        for (row, fragment) in [("2023-11-16 18:15:46.6805900,-3,44", #"ContextTokens", found "-3""#),
                                ("2023-11-16 18:15:46.6805900,3,many", #"GeneratedTokens", found "many""#)] {
            let error = #expect(throws: TraceError.self) {
                try TraceReader.parse(text: "TIMESTAMP,ContextTokens,GeneratedTokens\n\(row)", sourceName: "a.csv")
            }
            #expect(error?.line == 2)
            #expect(error?.description.contains(fragment) == true)
        }
    }
}

@Suite("Azure timestamp parsing")
struct AzureTimestampTests {
    @Test("matches known Unix times, with 100 ns resolution")
    func knownInstants() {
        #expect(AzureTimestamp("1970-01-01 00:00:00")?.nanosecondsSinceEpoch == 0)
        #expect(AzureTimestamp("2023-11-16 18:17:03.9799600")?.nanosecondsSinceEpoch == 1_700_158_623_979_960_000)
        #expect(AzureTimestamp("2024-02-29 12:00:00.0000001")?.nanosecondsSinceEpoch == 1_709_208_000_000_000_100)
        #expect(AzureTimestamp("1900-03-01 00:00:00")?.nanosecondsSinceEpoch == -2_203_891_200 * 1_000_000_000)
    }

    @Test("accepts a T separator and UTC offsets found in re-exported files")
    func offsets() {
        let utc = AzureTimestamp("2024-05-10 00:00:00.009930")?.nanosecondsSinceEpoch
        #expect(utc != nil)
        #expect(AzureTimestamp("2024-05-10T00:00:00.009930Z")?.nanosecondsSinceEpoch == utc)
        #expect(AzureTimestamp("2024-05-10 00:00:00.009930+00:00")?.nanosecondsSinceEpoch == utc)
        #expect(AzureTimestamp("2024-05-10 02:00:00.009930+02:00")?.nanosecondsSinceEpoch == utc)
    }

    @Test("differences across midnight, month and year boundaries are exact")
    func exactDifferences() throws {
        let text = "TIMESTAMP,ContextTokens,GeneratedTokens\n" +
            "2023-12-31 23:59:59.9999999,1,1\n" +
            "2024-01-01 00:00:00.0000001,1,1\n" +
            "2024-01-01 00:01:00.5000000,1,1\n" +
            "2024-01-02 00:00:00.0000000,1,1\n"
        let arrivals = try TraceReader.parse(text: text, sourceName: "a.csv").requests.map(\.arrival)
        #expect(arrivals == [0, 0.0000002, 60.5000001, 86_400.0000001])
    }
}
