@testable import FulcrumTraces
import Testing

@Suite("Mooncake trace reader")
struct MooncakeTraceReaderTests {
    @Test("reads JSON lines with repeated timestamps, any key order, hash_ids as prefix blocks, and extra keys")
    func readsFixture() throws {
        let result = try TraceReader.parse(text: TraceFixtures.mooncake, sourceName: "mooncake.jsonl")
        #expect(result.format == .mooncake)
        #expect(result.requests == [
            TraceRequest(arrival: 0, inputTokens: 6955, outputTokens: 52, prefixBlocks: [0, 1, 2]),
            TraceRequest(arrival: 0, inputTokens: 1000, outputTokens: 10, prefixBlocks: [3, 4]),
            TraceRequest(arrival: 1.5005, inputTokens: 300, outputTokens: 7),
            TraceRequest(arrival: 3.052, inputTokens: 20, outputTokens: 5),
        ])
    }

    @Test("bad rows are reported with their line number and the offending key", arguments: [
        (#"{"timestamp": 10, "output_length": 5}"#, #"found no "input_length" key"#),
        (#"{"timestamp": -10, "input_length": 1, "output_length": 5}"#, #"non-negative number for "timestamp", found "-10""#),
        (#"{"timestamp": 10, "input_length": 1.5, "output_length": 5}"#, #"whole number of tokens from 0 to 100000000 for "input_length", found "1.5""#),
        (#"{"timestamp": 10, "input_length": "12", "output_length": 5}"#, #"expected a number for "input_length""#),
        (#"{"timestamp": 10, "input_length": 1, "output_length": 5"#, "found invalid JSON"),
        ("[1, 2, 3]", "not an object"),
    ])
    func badRow(row: String, fragment: String) {
        let text = #"{"timestamp": 0, "input_length": 1, "output_length": 1}"# + "\n\n" + row + "\n"
        let error = #expect(throws: TraceError.self) {
            try TraceReader.parse(text: text, sourceName: "m.jsonl", format: .mooncake)
        }
        #expect(error?.line == 3)
        #expect(error?.description.hasPrefix("m.jsonl line 3: ") == true)
        #expect(error?.description.contains(fragment) == true, "\(error?.description ?? "no error")")
    }
}
