import Foundation

/// Mooncake trace, JSON Lines: `{"timestamp": <ms>, "input_length": N, "output_length": M, "hash_ids": [...]}`.
///
/// Timestamps are milliseconds from the start of the trace and may repeat; keys may come in any
/// order; `hash_ids` (one hash per 512-token block of the prompt) becomes the request's prefix
/// blocks; other keys are ignored.
enum MooncakeTraceParser: TraceRowsParser {
    static func parse(_ lines: ArraySlice<NumberedLine>, source: String) throws(TraceError) -> ParsedRows {
        let decoder = JSONDecoder()
        var rows = ParsedRows()
        rows.requests.reserveCapacity(lines.count)
        for line in lines {
            let location = RowLocation(source: source, line: line.number)
            let row: MooncakeRow
            do {
                row = try decoder.decode(MooncakeRow.self, from: Data(line.text.utf8))
            } catch let error as DecodingError {
                throw location.error(error.isMissingKey ? .malformedRow : .invalidValue, describe(error))
            } catch {
                throw location.error(.malformedRow, "expected a JSON object \(TraceFormat.mooncake.expectedHeader), found unreadable JSON")
            }
            let arrivalMilliseconds = try location.nonNegativeTime(row.timestamp, named: "timestamp", found: row.timestamp.compactText)
            let input = try location.tokenCount(row.input_length, named: "input_length", found: row.input_length.compactText)
            let output = try location.tokenCount(row.output_length, named: "output_length", found: row.output_length.compactText)
            // Read as numbers and checked here, so a bad hash is named rather than called bad JSON.
            if let bad = row.hash_ids?.first(where: { !($0 >= 0 && $0 < 9e15 && $0.rounded() == $0) }) {
                throw location.error(.invalidValue, "expected whole non-negative numbers below 9e15 in \"hash_ids\", found \(bad.compactText)")
            }
            rows.requests.append(TraceRequest(arrival: arrivalMilliseconds / 1000, inputTokens: input, outputTokens: output,
                                              prefixBlocks: row.hash_ids?.map { Int($0) } ?? []))
        }
        return rows
    }

    private static func describe(_ error: DecodingError) -> String {
        let expected = "expected a JSON object \(TraceFormat.mooncake.expectedHeader)"
        switch error {
        case .keyNotFound(let key, _):
            return "\(expected), found no \"\(key.stringValue)\" key"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            guard let key = context.codingPath.last?.stringValue else {
                return "\(expected), found a JSON value that is not an object"
            }
            return "expected a number for \"\(key)\", found a non-numeric value"
        case .dataCorrupted:
            return "\(expected), found invalid JSON"
        @unknown default:
            return "\(expected), found unreadable JSON"
        }
    }
}

/// The three fields Fulcrum needs; numbers are decoded as `Double` and validated afterwards so the
/// error can say exactly which value is wrong (fractional token counts, negative times).
private struct MooncakeRow: Decodable {
    let timestamp: Double
    let input_length: Double
    let output_length: Double
    let hash_ids: [Double]?
}

private extension DecodingError {
    var isMissingKey: Bool {
        if case .keyNotFound = self { return true }
        return false
    }
}
