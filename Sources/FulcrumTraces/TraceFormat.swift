/// The request-trace file formats Fulcrum can read.
///
/// `auto` picks the format from the first non-blank line (the header, or a JSON object for Mooncake).
public enum TraceFormat: String, Sendable, Hashable, CaseIterable, Codable {
    case auto
    /// Azure LLM inference trace 2023/2024: `TIMESTAMP,ContextTokens,GeneratedTokens`, absolute UTC timestamps.
    case azure
    /// Mooncake JSON Lines: `{"timestamp": <ms>, "input_length": N, "output_length": M, ...}`.
    case mooncake
    /// BurstGPT: `Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type`, seconds from start.
    case burstgpt
    /// Fulcrum's own plain CSV: `arrival_s,input_tokens,output_tokens`.
    case csv
    /// The same with the prompt's prefix-block hashes, space-separated: `...,hash_ids`.
    case csvPrefixes = "csv-prefixes"

    /// The header line a file of this format starts with (Mooncake has none; it gets a shape description).
    var expectedHeader: String {
        switch self {
        case .auto: "one of the supported headers"
        case .azure: "TIMESTAMP,ContextTokens,GeneratedTokens"
        case .mooncake: #"{"timestamp": <ms>, "input_length": N, "output_length": M}"#
        case .burstgpt: "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type"
        case .csv: "arrival_s,input_tokens,output_tokens"
        case .csvPrefixes: "arrival_s,input_tokens,output_tokens,hash_ids"
        }
    }

    /// The concrete formats, in the order they are listed to users.
    static let concreteFormats: [TraceFormat] = [.azure, .mooncake, .burstgpt, .csv, .csvPrefixes]

    /// Human-readable list of every supported first line, for the "unknown header" error.
    static var supportedHeadersSentence: String {
        concreteFormats
            .map { format in format == .mooncake ? "a JSON object per line \(format.expectedHeader) (mooncake)" : "\"\(format.expectedHeader)\" (\(format.rawValue))" }
            .joined(separator: ", ")
    }

    /// Recognises a format from the first non-blank line of a file, or returns nil.
    ///
    /// Header names are compared ignoring case and whitespace around fields because hand-edited
    /// and re-exported CSVs commonly change either.
    static func detect(firstLine: Substring) -> TraceFormat? {
        let trimmed = firstLine.trimmingWhitespace()
        if trimmed.hasPrefix("{") {
            return .mooncake
        }
        let fields = CSVLine.fields(of: trimmed).map { $0.trimmingWhitespace().lowercased() }
        for format in [TraceFormat.azure, .burstgpt, .csv, .csvPrefixes] where format.headerFields == fields {
            return format
        }
        return nil
    }

    /// Whether `line` is this format's header (same tolerance as `detect`).
    func matchesHeader(_ line: Substring) -> Bool {
        CSVLine.fields(of: line).map { $0.trimmingWhitespace().lowercased() } == headerFields
    }

    private var headerFields: [String] {
        expectedHeader.split(separator: ",").map { $0.lowercased() }
    }
}
