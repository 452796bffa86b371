/// Where a value came from, so every validation failure can name the file and line.
struct RowLocation {
    let source: String
    let line: Int

    func error(_ kind: TraceError.Kind, _ problem: String) -> TraceError {
        TraceError(kind: kind, source: source, line: line, problem: problem)
    }

    /// A token count: a non-negative integer. An integral decimal such as `472.0` is accepted because
    /// pandas writes integer columns that way as soon as the column once held a missing value.
    func tokenCount(_ field: Substring, named name: String) throws(TraceError) -> Int {
        let text = field.trimmingWhitespace()
        if let value = Int(text), value >= 0 {
            return value
        }
        return try tokenCount(Double(text), named: name, found: String(text))
    }

    /// A token count given as an already-decoded number (JSON); `found` is what the error shows.
    func tokenCount(_ value: Double?, named name: String, found: String) throws(TraceError) -> Int {
        // The upper bound keeps the conversion to Int exact and rejects obviously corrupt values.
        guard let value, value.isFinite, value >= 0, value.rounded() == value, value <= Double(TraceRequest.mostTokens) else {
            throw error(.invalidValue, "expected a whole number of tokens from 0 to \(TraceRequest.mostTokens) for \"\(name)\", found \"\(found)\"")
        }
        return Int(value)
    }

    /// A time offset: a finite, non-negative decimal number.
    func nonNegativeTime(_ field: Substring, named name: String) throws(TraceError) -> Double {
        let text = field.trimmingWhitespace()
        return try nonNegativeTime(Double(text), named: name, found: String(text))
    }

    /// A time offset given as an already-decoded number (JSON); `found` is what the error shows.
    func nonNegativeTime(_ value: Double?, named name: String, found: String) throws(TraceError) -> Double {
        // `Double(String)` also accepts "nan" and "inf"; neither is a plausible arrival time.
        guard let value, value.isFinite, value >= 0 else {
            throw error(.invalidValue, "expected a non-negative number for \"\(name)\", found \"\(found)\"")
        }
        return value
    }

    /// The fields of a CSV row, checked against the number of columns in `header`.
    func csvFields(_ line: Substring, header: CSVHeader) throws(TraceError) -> [Substring] {
        let fields = CSVLine.fields(of: line)
        guard fields.count == header.fieldCount else {
            throw error(.malformedRow, "expected \(header.fieldCount) comma-separated fields \"\(header.text)\", found \(fields.count)")
        }
        return fields
    }
}

/// A format's header line and its column count, computed once per file rather than once per row.
struct CSVHeader {
    let text: String
    let fieldCount: Int

    init(_ format: TraceFormat) {
        text = format.expectedHeader
        fieldCount = text.split(separator: ",").count
    }
}
