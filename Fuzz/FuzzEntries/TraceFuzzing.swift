import FulcrumTraces

/// The trace readers: the same text read as every format, and detected automatically.
public func fuzzTraceReaders(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    for format in TraceFormat.allCases {
        _ = try? TraceReader.parse(text: text, sourceName: "fuzz", format: format)
    }
}
