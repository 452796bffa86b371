@testable import FulcrumTraces
import Testing

@Suite("Line splitting")
struct NumberedLinesTests {
    @Test("strips CR and BOM, skips blank lines but keeps physical line numbers")
    func splitting() {
        let lines = NumberedLines.nonBlank(in: "\u{FEFF}a,b\r\n\r\n  \nc\rd,e\r\n\nlast")
        #expect(lines.map(\.number) == [1, 4, 6])
        #expect(lines.map { String($0.text) } == ["a,b", "c\rd,e", "last"])
    }

    @Test("handles LF, a final newline and an empty text")
    func edges() {
        #expect(NumberedLines.nonBlank(in: "x\ny\n").map { String($0.text) } == ["x", "y"])
        #expect(NumberedLines.nonBlank(in: "").isEmpty)
        #expect(NumberedLines.nonBlank(in: "\r\n").isEmpty)
    }

    @Test("quoted CSV fields may contain commas and escaped quotes")
    func quotedFields() {
        #expect(CSVLine.fields(of: #"1,"a, b","say ""hi""",,x"#).map(String.init) == ["1", "a, b", #"say "hi""#, "", "x"])
    }
}
