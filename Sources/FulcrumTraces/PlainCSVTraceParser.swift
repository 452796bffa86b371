/// Fulcrum's own trace format, `arrival_s,input_tokens,output_tokens`, as written by
/// `TraceWriter`; with prefixes, a fourth column `hash_ids` of space-separated block hashes.
enum PlainCSVTraceParser: TraceRowsParser {
    static func parse(_ lines: ArraySlice<NumberedLine>, source: String) throws(TraceError) -> ParsedRows {
        try parse(lines, source: source, withPrefixes: false)
    }

    static func parse(_ lines: ArraySlice<NumberedLine>, source: String, withPrefixes: Bool) throws(TraceError) -> ParsedRows {
        var rows = ParsedRows()
        rows.requests.reserveCapacity(lines.count)
        let header = CSVHeader(withPrefixes ? .csvPrefixes : .csv)
        for line in lines {
            let location = RowLocation(source: source, line: line.number)
            let fields = try location.csvFields(line.text, header: header)
            let arrival = try location.nonNegativeTime(fields[0], named: "arrival_s")
            let input = try location.tokenCount(fields[1], named: "input_tokens")
            let output = try location.tokenCount(fields[2], named: "output_tokens")
            let blocks = withPrefixes ? try prefixBlocks(fields[3], at: location) : []
            rows.requests.append(TraceRequest(arrival: arrival, inputTokens: input, outputTokens: output, prefixBlocks: blocks))
        }
        return rows
    }

    private static func prefixBlocks(_ field: Substring, at location: RowLocation) throws(TraceError) -> [Int] {
        var blocks: [Int] = []
        for text in field.split(separator: " ", omittingEmptySubsequences: true) {
            guard let hash = Int(text), hash >= 0 else {
                throw location.error(.invalidValue, "expected hash_ids as non-negative integers separated by spaces, found \"\(text.prefix(40))\"")
            }
            blocks.append(hash)
        }
        return blocks
    }
}
