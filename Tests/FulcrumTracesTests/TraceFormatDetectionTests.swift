@testable import FulcrumTraces
import Foundation
import Testing

@Suite("Trace format detection and file reading")
struct TraceFormatDetectionTests {
    @Test("auto-detects every format from its first non-blank line", arguments: [
        (TraceFixtures.azure, TraceFormat.azure),
        (TraceFixtures.mooncake, .mooncake),
        (TraceFixtures.burstGPT, .burstgpt),
        (TraceFixtures.plainCSV, .csv),
        ("\n\r\n" + TraceFixtures.plainCSV, .csv),
        ("\u{FEFF}" + TraceFixtures.azure, .azure),
        (" Arrival_S , INPUT_TOKENS,output_tokens\n1,1,1", .csv),
    ])
    func detects(text: String, format: TraceFormat) throws {
        #expect(try TraceReader.parse(text: text, sourceName: "t").format == format)
    }

    @Test("an unknown header is an error that lists every supported header")
    func unknownHeader() {
        let error = #expect(throws: TraceError.self) {
            try TraceReader.parse(text: "time,prompt,completion\n1,2,3\n", sourceName: "u.csv")
        }
        #expect(error?.kind == .unrecognizedHeader)
        let description = error?.description ?? ""
        #expect(description.hasPrefix(#"u.csv line 1: unrecognized trace header "time,prompt,completion"; expected one of"#))
        for header in ["TIMESTAMP,ContextTokens,GeneratedTokens", "input_length",
                       "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type",
                       "arrival_s,input_tokens,output_tokens"] {
            #expect(description.contains(header))
        }
    }

    @Test("an explicit format whose header does not match is an error")
    func explicitMismatch() {
        let error = #expect(throws: TraceError.self) {
            try TraceReader.parse(text: TraceFixtures.azure, sourceName: "a.csv", format: .csv)
        }
        #expect(error?.description == #"a.csv line 1: expected the csv header "arrival_s,input_tokens,output_tokens", found "TIMESTAMP,ContextTokens,GeneratedTokens"."#)
    }

    @Test("an empty or blank file is an error")
    func emptyFile() {
        let error = #expect(throws: TraceError.self) {
            try TraceReader.parse(text: "\r\n\n  \n", sourceName: "e.csv")
        }
        #expect(error?.kind == .emptyFile)
        #expect(error?.description.hasPrefix("e.csv: the file is empty") == true)
    }

    @Test("a header-only file is an empty trace")
    func headerOnly() throws {
        let result = try TraceReader.parse(text: "arrival_s,input_tokens,output_tokens\n", sourceName: "h.csv")
        #expect(result.requests.isEmpty)
    }

    @Test("reads from disk and names a missing file")
    func readsFiles() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fulcrum-\(UUID().uuidString).csv").path
        try Data(TraceFixtures.azure.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try TraceReader.read(path: path)
        #expect(result.format == .azure)
        #expect(result.requests.count == 5)

        let missing = path + ".missing"
        let error = #expect(throws: TraceError.self) {
            try TraceReader.read(path: missing)
        }
        #expect(error?.kind == .unreadableFile)
        #expect(error?.description == "\(missing): the file cannot be read because there is no such file.")
    }
}
