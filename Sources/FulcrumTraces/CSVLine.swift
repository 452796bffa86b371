/// Splits one CSV line into fields.
///
/// Trace files are almost always unquoted, so that path is a plain split on commas; double-quoted
/// fields (with `""` as an escaped quote) are still honoured because spreadsheet and pandas exports
/// quote text columns such as BurstGPT's `Log Type`.
enum CSVLine {
    static func fields(of line: Substring) -> [Substring] {
        let bytes = line.utf8
        guard bytes.contains(UInt8(ascii: "\"")) else {
            // Byte-level split: splitting on `Character`s does grapheme breaking, far slower.
            var fields: [Substring] = []
            var fieldStart = bytes.startIndex
            var index = bytes.startIndex
            while index != bytes.endIndex {
                if bytes[index] == UInt8(ascii: ",") {
                    fields.append(line[fieldStart..<index])
                    fieldStart = bytes.index(after: index)
                }
                index = bytes.index(after: index)
            }
            fields.append(line[fieldStart..<bytes.endIndex])
            return fields
        }
        var fields: [Substring] = []
        var current = ""
        var insideQuotes = false
        var index = line.startIndex
        while index != line.endIndex {
            let character = line[index]
            let next = line.index(after: index)
            if insideQuotes {
                if character == "\"" {
                    if next != line.endIndex, line[next] == "\"" {
                        current.append("\"")
                        index = line.index(after: next)
                        continue
                    }
                    insideQuotes = false
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                insideQuotes = true
            } else if character == "," {
                fields.append(Substring(current))
                current = ""
            } else {
                current.append(character)
            }
            index = next
        }
        fields.append(Substring(current))
        return fields
    }
}
