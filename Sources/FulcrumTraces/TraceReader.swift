import Foundation
import FulcrumFileInput

/// Reads request traces in any supported `TraceFormat` into `TraceRequest`s sorted by arrival.
///
/// All formats tolerate CRLF line endings, a missing final newline, blank lines and a UTF-8
/// byte-order mark. Negative or non-numeric values are errors that name the file and line; rows
/// that are well-formed but not replayable (BurstGPT failed requests) are listed in the report.
public enum TraceReader {
    /// Reads the trace at `path`. With `.auto`, the format is detected from the first non-blank line.
    public static func read(path: String, format: TraceFormat = .auto) throws(TraceError) -> TraceReadResult {
        let data: Data
        do {
            data = try InputFile.data(at: path)
        } catch {
            throw TraceError(kind: .unreadableFile, source: path, line: nil, problem: "the file cannot be read because \(error.reason)")
        }
        // Decoding with replacement never fails; stray invalid bytes then surface as field errors.
        return try parse(text: String(decoding: data, as: UTF8.self), sourceName: path, format: format)
    }

    /// Parses trace text held in memory; `sourceName` is used in place of a path in error messages.
    public static func parse(text: String, sourceName: String, format: TraceFormat = .auto) throws(TraceError) -> TraceReadResult {
        let lines = NumberedLines.nonBlank(in: text)
        guard let first = lines.first else {
            throw TraceError(kind: .emptyFile, source: sourceName, line: nil,
                             problem: "the file is empty; expected a first line of \(TraceFormat.supportedHeadersSentence)")
        }
        let resolved = try resolve(format, firstLine: first, source: sourceName)
        // Mooncake has no header line; every other format's first line is its header.
        let dataLines = resolved == .mooncake ? lines[...] : lines.dropFirst()
        let rows: ParsedRows
        switch resolved {
        case .azure: rows = try AzureTraceParser.parse(dataLines, source: sourceName)
        case .mooncake: rows = try MooncakeTraceParser.parse(dataLines, source: sourceName)
        case .burstgpt: rows = try BurstGPTTraceParser.parse(dataLines, source: sourceName)
        // `resolve` never returns `.auto`; it shares the CSV branch only to keep the switch exhaustive.
        case .csv, .auto: rows = try PlainCSVTraceParser.parse(dataLines, source: sourceName)
        case .csvPrefixes: rows = try PlainCSVTraceParser.parse(dataLines, source: sourceName, withPrefixes: true)
        }
        let requests = sortedByArrival(rows.requests)
        if let first = requests.first?.arrival, let last = requests.last?.arrival, last - first > longestSpanSeconds {
            throw TraceError(kind: .invalidValue, source: sourceName, line: nil, problem:
                "the requests span \(((last - first) / 86_400).rounded().compactText) days (the last arrives \((last - first).compactText) s after the first), more than the \(Int(longestSpanSeconds / 86_400)) days a replay takes; check the latest rows' times (a mistyped year?), or cut the trace first")
        }
        return TraceReadResult(requests: requests, format: resolved, report: TraceReadReport(skipped: rows.skipped))
    }

    /// Text as a terminal can show it: a binary file's first bytes become `?`, not escape codes.
    static func printable(_ text: Substring) -> String {
        String(text.unicodeScalars.map { $0.properties.generalCategory == .control || $0 == "\u{FFFD}" ? "?" : Character($0) })
    }

    /// The longest stretch a trace may cover: a replay ticks through idle time too, and a stray
    /// timestamp years out (a mistyped year) would otherwise keep it busy for hours.
    public static let longestSpanSeconds: Double = 31 * 86_400

    /// The concrete format to parse with: the detected one for `.auto`, otherwise the requested one
    /// after checking that the file really starts the way that format does.
    private static func resolve(_ format: TraceFormat, firstLine: NumberedLine, source: String) throws(TraceError) -> TraceFormat {
        let found = firstLine.text.trimmingWhitespace()
        switch format {
        case .auto:
            guard let detected = TraceFormat.detect(firstLine: found) else {
                throw TraceError(kind: .unrecognizedHeader, source: source, line: firstLine.number,
                                 problem: "unrecognized trace header \"\(printable(found.prefix(120)))\"; expected one of \(TraceFormat.supportedHeadersSentence)")
            }
            return detected
        case .mooncake:
            // A bad first JSON line is reported by the parser with a precise reason.
            return .mooncake
        case .azure, .burstgpt, .csv, .csvPrefixes:
            guard format.matchesHeader(found) else {
                throw TraceError(kind: .unrecognizedHeader, source: source, line: firstLine.number,
                                 problem: "expected the \(format.rawValue) header \"\(format.expectedHeader)\", found \"\(found.prefix(120))\"")
            }
            return format
        }
    }

    /// Stable sort by arrival: requests that arrive at the same instant keep their file order, so
    /// replays are reproducible regardless of the sort algorithm's stability guarantees.
    static func sortedByArrival(_ requests: [TraceRequest]) -> [TraceRequest] {
        let isSorted = zip(requests, requests.dropFirst()).allSatisfy { $0.arrival <= $1.arrival }
        if isSorted {
            return requests
        }
        return requests.indices
            .sorted { lhs, rhs in
                requests[lhs].arrival != requests[rhs].arrival ? requests[lhs].arrival < requests[rhs].arrival : lhs < rhs
            }
            .map { requests[$0] }
    }
}
