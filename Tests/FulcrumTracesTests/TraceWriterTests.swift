@testable import FulcrumTraces
import Foundation
import Testing

@Suite("Trace writer")
struct TraceWriterTests {
    @Test("writes the header, three-decimal arrivals and LF line endings")
    func format() throws {
        let text = try TraceWriter.csvText([
            TraceRequest(arrival: 0, inputTokens: 1000, outputTokens: 250),
            TraceRequest(arrival: 12.3456, inputTokens: 1, outputTokens: 2),
            TraceRequest(arrival: 3599.9996, inputTokens: 3, outputTokens: 4),
            TraceRequest(arrival: 0.05, inputTokens: 5, outputTokens: 6),
        ])
        #expect(text == "arrival_s,input_tokens,output_tokens\n0.000,1000,250\n12.346,1,2\n3600.000,3,4\n0.050,5,6\n")
    }

    @Test("invalid requests are refused with the line they would occupy")
    func invalid() {
        let error = #expect(throws: TraceError.self) {
            try TraceWriter.csvText([TraceRequest(arrival: 1, inputTokens: 1, outputTokens: 1),
                                     TraceRequest(arrival: -1, inputTokens: 1, outputTokens: 1)])
        }
        #expect(error?.line == 3)
    }

    @Test("writer → reader round trip keeps tokens exactly and arrivals to the millisecond")
    func roundTrip() throws {
        let requests = try TraceGenerator.generate(scenario: .builtin("bursty"), seed: 3)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fulcrum-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try TraceWriter.write(requests, toPath: path)
        let result = try TraceReader.read(path: path)
        #expect(result.format == .csv)
        #expect(result.requests.count == requests.count)
        #expect(result.requests.map(\.inputTokens) == requests.map(\.inputTokens))
        #expect(result.requests.map(\.outputTokens) == requests.map(\.outputTokens))
        #expect(zip(result.requests, requests).allSatisfy { abs($0.arrival - $1.arrival) <= 0.0005 + 1e-9 })
        // Writing what was read gives the same bytes: the format is a fixed point.
        #expect(try TraceWriter.csvText(result.requests) == String(contentsOfFile: path, encoding: .utf8))
    }
}
