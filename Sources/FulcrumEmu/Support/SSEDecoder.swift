/// Splits a Server-Sent Events byte stream into the `data` payloads of its events, however the
/// bytes are cut into network reads.
public struct SSEDecoder: Sendable {
    private var buffer: [UInt8] = []

    public init() {}

    /// Appends `bytes` and returns the payloads of the events they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [String] {
        buffer.append(contentsOf: bytes)
        var payloads: [String] = []
        var lineStart = 0
        var dataLines: [String] = []
        var consumed = 0
        var index = 0
        while index < buffer.count {
            guard buffer[index] == UInt8(ascii: "\n") else { index += 1; continue }
            var lineEnd = index
            if lineEnd > lineStart, buffer[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            let line = buffer[lineStart..<lineEnd]
            if line.isEmpty {
                // A blank line ends the event.
                if !dataLines.isEmpty { payloads.append(dataLines.joined(separator: "\n")) }
                dataLines = []
                consumed = index + 1
            } else if line.starts(with: Array("data:".utf8)) {
                var value = line.dropFirst(5)
                if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
                dataLines.append(String(decoding: value, as: UTF8.self))
            }
            lineStart = index + 1
            index += 1
        }
        buffer.removeFirst(consumed)
        return payloads
    }
}
