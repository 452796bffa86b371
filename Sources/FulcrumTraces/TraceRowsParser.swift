/// Requests and skipped rows of one file, in file order, before the reader sorts them.
struct ParsedRows {
    var requests: [TraceRequest] = []
    var skipped: [TraceReadReport.SkippedRow] = []
}

/// The per-format part of reading: turn data lines (header already checked and removed) into requests.
protocol TraceRowsParser {
    static func parse(_ lines: ArraySlice<NumberedLine>, source: String) throws(TraceError) -> ParsedRows
}
