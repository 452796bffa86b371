@testable import FulcrumTraces
import Testing

@Suite("Plain CSV trace reader")
struct PlainCSVTraceReaderTests {
    @Test("reads rows without a final newline")
    func readsFixture() throws {
        let result = try TraceReader.parse(text: TraceFixtures.plainCSV, sourceName: "plain.csv")
        #expect(result.format == .csv)
        #expect(result.requests == [
            TraceRequest(arrival: 0, inputTokens: 1000, outputTokens: 250),
            TraceRequest(arrival: 0.25, inputTokens: 800, outputTokens: 100),
            TraceRequest(arrival: 1.125, inputTokens: 4000, outputTokens: 30),
        ])
    }

    @Test("tolerates CRLF, blank trailing lines and unsorted rows, sorting stably")
    func crlfAndSorting() throws {
        let text = "arrival_s,input_tokens,output_tokens\r\n2.0,1,1\r\n1.0,2,2\r\n2.0,3,3\r\n1.0,4,4\r\n\r\n\r\n"
        let requests = try TraceReader.parse(text: text, sourceName: "p.csv").requests
        #expect(requests.map(\.inputTokens) == [2, 4, 1, 3])
    }

    @Test("a short row reports the file, line and expected fields (the documented message)")
    func shortRow() {
        let text = "arrival_s,input_tokens,output_tokens\n0,1,1\n1,1,1\n2,1,1\n3,1,1\n\n4,1\n"
        let error = #expect(throws: TraceError.self) {
            try TraceReader.parse(text: text, sourceName: "examples/x.csv")
        }
        #expect(error?.description == #"examples/x.csv line 7: expected 3 comma-separated fields "arrival_s,input_tokens,output_tokens", found 2."#)
    }

    @Test("negative, fractional and non-numeric values are rejected with line numbers", arguments: [
        ("1.0,-5,3", #"line 3: expected a whole number of tokens from 0 to 100000000 for "input_tokens", found "-5"."#),
        ("1.0,5,2.5", #"line 3: expected a whole number of tokens from 0 to 100000000 for "output_tokens", found "2.5"."#),
        ("soon,5,3", #"line 3: expected a non-negative number for "arrival_s", found "soon"."#),
        ("nan,5,3", #"line 3: expected a non-negative number for "arrival_s", found "nan"."#),
        ("-0.5,5,3", #"line 3: expected a non-negative number for "arrival_s", found "-0.5"."#),
    ])
    func invalidValues(row: String, expected: String) {
        let text = "arrival_s,input_tokens,output_tokens\n0,1,1\n\(row)"
        let error = #expect(throws: TraceError.self) {
            try TraceReader.parse(text: text, sourceName: "p.csv")
        }
        #expect(error?.kind == .invalidValue)
        #expect(error?.description == "p.csv " + expected)
    }

    @Test("integral decimals from pandas exports are accepted as token counts")
    func integralDecimals() throws {
        let requests = try TraceReader.parse(text: "arrival_s,input_tokens,output_tokens\n0,12.0,3\n", sourceName: "p.csv").requests
        #expect(requests == [TraceRequest(arrival: 0, inputTokens: 12, outputTokens: 3)])
    }
}
