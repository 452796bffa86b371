/// A `HOST:PORT` to listen on; port 0 asks the system for a free one.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` (`[::1]:8000` for IPv6).
    public init(parsing text: String) throws(UsageError) {
        var hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else {
                throw UsageError("--listen \(text) has no port; write HOST:PORT, e.g. 127.0.0.1:8000")
            }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw UsageError("--listen \(text) has no port; write HOST:PORT, e.g. 127.0.0.1:8000")
            }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard let port = Int(portPart), (0...65535).contains(port) else {
            throw UsageError("--listen \(text) has port \"\(portPart)\", not a number from 0 to 65535; write HOST:PORT, e.g. 127.0.0.1:8000")
        }
        if hostPart.isEmpty { hostPart = "0.0.0.0" }
        self.init(host: String(hostPart), port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// A command-line input the emulator cannot use; the message says which and what to do.
public struct UsageError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
