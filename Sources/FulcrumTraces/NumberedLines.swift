/// One physical line of a trace file: its 1-based line number and its text without the line terminator.
struct NumberedLine {
    let number: Int
    let text: Substring
}

enum NumberedLines {
    /// Splits `text` into its non-blank lines, keeping their original line numbers for error messages.
    ///
    /// Splitting happens on UTF-8 bytes rather than `Character`s because Swift treats `"\r\n"` as a
    /// single `Character`, so a character-level split on `"\n"` would miss every CRLF line break.
    /// A leading UTF-8 byte-order mark (common in files saved by spreadsheet tools) is dropped, and
    /// a missing final newline needs no special case.
    static func nonBlank(in text: String) -> [NumberedLine] {
        let newline = UInt8(ascii: "\n")
        let carriageReturn = UInt8(ascii: "\r")
        var result: [NumberedLine] = []
        var body = text[...]
        if body.hasPrefix("\u{FEFF}") {
            body = body.dropFirst()
        }
        let bytes = body.utf8
        var lineStart = bytes.startIndex
        var number = 1

        func appendLine(upTo end: String.Index) {
            var lineEnd = end
            if lineEnd > lineStart, bytes[bytes.index(before: lineEnd)] == carriageReturn {
                lineEnd = bytes.index(before: lineEnd)
            }
            let line = body[lineStart..<lineEnd]
            if !line.trimmingWhitespace().isEmpty {
                result.append(NumberedLine(number: number, text: line))
            }
        }

        var index = bytes.startIndex
        while index != bytes.endIndex {
            if bytes[index] == newline {
                appendLine(upTo: index)
                lineStart = bytes.index(after: index)
                number += 1
            }
            index = bytes.index(after: index)
        }
        if lineStart != bytes.endIndex {
            appendLine(upTo: bytes.endIndex)
        }
        return result
    }
}

extension Substring {
    /// The text without leading and trailing spaces, tabs and carriage returns.
    ///
    /// Works on UTF-8 bytes: `Character`-based trimming does grapheme breaking, which dominated
    /// the time to read multi-million-row traces.
    func trimmingWhitespace() -> Substring {
        func isBlank(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
        }
        let bytes = utf8
        guard let first = bytes.firstIndex(where: { !isBlank($0) }),
              let last = bytes.lastIndex(where: { !isBlank($0) })
        else {
            return self[endIndex...]
        }
        return self[first..<bytes.index(after: last)]
    }
}
