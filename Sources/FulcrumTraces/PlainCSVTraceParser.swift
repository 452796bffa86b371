/// Fulcrum's own trace format, `arrival_s,input_tokens,output_tokens`, as written by `TraceWriter`.
enum PlainCSVTraceParser: TraceRowsParser {
    static func parse(_ lines: ArraySlice<NumberedLine>, source: String) throws(TraceError) -> ParsedRows {
        var rows = ParsedRows()
        rows.requests.reserveCapacity(lines.count)
        let header = CSVHeader(.csv)
        for line in lines {
            let location = RowLocation(source: source, line: line.number)
            let fields = try location.csvFields(line.text, header: header)
            let arrival = try location.nonNegativeTime(fields[0], named: "arrival_s")
            let input = try location.tokenCount(fields[1], named: "input_tokens")
            let output = try location.tokenCount(fields[2], named: "output_tokens")
            rows.requests.append(TraceRequest(arrival: arrival, inputTokens: input, outputTokens: output))
        }
        return rows
    }
}
