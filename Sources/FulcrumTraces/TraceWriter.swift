import Foundation
import FulcrumFileInput

/// Writes traces in Fulcrum's plain CSV format, `arrival_s,input_tokens,output_tokens`.
///
/// Arrivals have exactly three decimals (millisecond resolution) and lines end in LF, so the same
/// trace always produces the same bytes on every platform and files diff cleanly under git.
public enum TraceWriter {
    /// The CSV text (header included, final newline included), in the given request order.
    /// Requests with prefix blocks make the `csv-prefixes` variant (a `hash_ids` column).
    public static func csvText(_ requests: [TraceRequest]) throws(TraceError) -> String {
        let withPrefixes = requests.contains { !$0.prefixBlocks.isEmpty }
        var text = (withPrefixes ? TraceFormat.csvPrefixes : .csv).expectedHeader + "\n"
        text.reserveCapacity(requests.count * 20 + text.utf8.count)
        for (index, request) in requests.enumerated() {
            // Line numbers match what the reader would report for the written file.
            let location = RowLocation(source: "CSV output", line: index + 2)
            guard request.arrival.isFinite, request.arrival >= 0 else {
                throw location.error(.invalidValue, "expected a non-negative arrival_s, found \(request.arrival.compactText)")
            }
            guard request.inputTokens >= 0, request.outputTokens >= 0 else {
                throw location.error(.invalidValue, "expected non-negative token counts, found \(request.inputTokens) input and \(request.outputTokens) output")
            }
            text += millisecondText(request.arrival)
            text += ",\(request.inputTokens),\(request.outputTokens)"
            if withPrefixes { text += "," + request.prefixBlocks.map(String.init).joined(separator: " ") }
            text += "\n"
        }
        return text
    }

    /// Writes the CSV text to `path`, replacing any existing file.
    public static func write(_ requests: [TraceRequest], toPath path: String) throws(TraceError) {
        let text = try csvText(requests)
        do {
            try OutputFile.write(Data(text.utf8), to: path)
        } catch {
            throw TraceError(kind: .unwritableFile, source: path, line: nil, problem: "the file cannot be written: \(error.reason)")
        }
    }

    /// `12.3456` → `"12.346"`, built from integer milliseconds rather than `String(format:)` so the
    /// output cannot depend on the C locale's decimal separator.
    static func millisecondText(_ seconds: Double) -> String {
        let milliseconds = Int64((seconds * 1000).rounded())
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
