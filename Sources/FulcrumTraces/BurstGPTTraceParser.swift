/// BurstGPT trace: `Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type`,
/// with `Timestamp` in seconds from the start of the trace.
///
/// BurstGPT logs failed requests as rows with zero response tokens. Replaying them as requests would
/// inflate load with work that never happened, and dropping them silently would hide data loss, so
/// they are skipped and listed in the report.
enum BurstGPTTraceParser: TraceRowsParser {
    static let failedRequestReason = "zero response tokens (failed request)"

    static func parse(_ lines: ArraySlice<NumberedLine>, source: String) throws(TraceError) -> ParsedRows {
        var rows = ParsedRows()
        rows.requests.reserveCapacity(lines.count)
        let header = CSVHeader(.burstgpt)
        for line in lines {
            let location = RowLocation(source: source, line: line.number)
            let fields = try location.csvFields(line.text, header: header)
            let arrival = try location.nonNegativeTime(fields[0], named: "Timestamp")
            let input = try location.tokenCount(fields[2], named: "Request tokens")
            let output = try location.tokenCount(fields[3], named: "Response tokens")
            if output == 0 {
                rows.skipped.append(.init(line: line.number, reason: failedRequestReason))
                continue
            }
            rows.requests.append(TraceRequest(arrival: arrival, inputTokens: input, outputTokens: output))
        }
        return rows
    }
}
