/// Azure LLM inference trace (2023 and 2024 releases): `TIMESTAMP,ContextTokens,GeneratedTokens`.
///
/// Timestamps are absolute UTC wall-clock times, so arrivals are re-based to the earliest request.
enum AzureTraceParser: TraceRowsParser {
    static func parse(_ lines: ArraySlice<NumberedLine>, source: String) throws(TraceError) -> ParsedRows {
        var timestamps: [Int64] = []
        var lineNumbers: [Int] = []
        var rows = ParsedRows()
        timestamps.reserveCapacity(lines.count)
        rows.requests.reserveCapacity(lines.count)
        let header = CSVHeader(.azure)
        for line in lines {
            let location = RowLocation(source: source, line: line.number)
            let fields = try location.csvFields(line.text, header: header)
            let stamp = fields[0].trimmingWhitespace()
            guard let timestamp = AzureTimestamp(stamp) else {
                throw location.error(.invalidValue, "expected TIMESTAMP like \"2023-11-16 18:17:03.9799600\" (UTC), found \"\(stamp)\"")
            }
            let input = try location.tokenCount(fields[1], named: "ContextTokens")
            let output = try location.tokenCount(fields[2], named: "GeneratedTokens")
            timestamps.append(timestamp.nanosecondsSinceEpoch)
            lineNumbers.append(line.number)
            rows.requests.append(TraceRequest(arrival: 0, inputTokens: input, outputTokens: output))
        }
        // Subtract in integers first: nanoseconds since 1970 do not fit a Double's 53-bit mantissa.
        if let start = timestamps.min() {
            for index in rows.requests.indices {
                let (offset, overflow) = timestamps[index].subtractingReportingOverflow(start)
                // Found by fuzzing: 1689 and 2023 in one file are 334 years apart, more
                // nanoseconds than an Int64 holds (it crashed).
                guard !overflow else {
                    throw RowLocation(source: source, line: lineNumbers[index]).error(
                        .invalidValue, "expected timestamps within 292 years of the earliest one, found one more than that later; check the TIMESTAMP column")
                }
                rows.requests[index].arrival = Double(offset) / 1e9
            }
        }
        return rows
    }
}
