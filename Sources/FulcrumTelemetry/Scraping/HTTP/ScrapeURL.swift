import NIOCore

/// A scrape target's `http://` or `https://` URL, split into what a connection needs.
///
/// Hand-parsed rather than through Foundation's `URL` so that the scraping library stays free
/// of Foundation, and because only this much of a URL is ever needed: no user info, no
/// percent-decoding (the path and query go to the server as written).
public struct ScrapeURL: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: String, Sendable, Hashable {
        case http
        case https

        var defaultPort: Int { self == .http ? 80 : 443 }
    }

    /// Where a connection goes: requests to one endpoint may share connections.
    public struct Endpoint: Sendable, Hashable {
        public var scheme: Scheme
        /// The host as written, without the brackets of an IPv6 literal.
        public var host: String
        public var port: Int

        /// The socket address when the host is an IP address; nil for a name to resolve.
        var address: SocketAddress? { try? SocketAddress(ipAddress: host, port: port) }
    }

    public var endpoint: Endpoint
    /// The path and query, at least `/`.
    public var target: String
    public let description: String

    /// Nil unless `text` is `http://` or `https://`, a host, an optional port in 1–65535 and
    /// an optional path.
    public init?(_ text: String) {
        let scheme: Scheme
        let rest: Substring
        if text.hasPrefix("http://") {
            (scheme, rest) = (.http, text.dropFirst(7))
        } else if text.hasPrefix("https://") {
            (scheme, rest) = (.https, text.dropFirst(8))
        } else {
            return nil
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        guard let (host, port) = Self.hostAndPort(rest[..<authorityEnd], defaultPort: scheme.defaultPort) else { return nil }
        var target = String(rest[authorityEnd...].prefix { $0 != "#" })
        if target.isEmpty || target.first == "?" { target = "/" + target }
        self.endpoint = Endpoint(scheme: scheme, host: host, port: port)
        self.target = target
        self.description = text
    }

    /// The `Host` header: the host, and the port unless it is the scheme's own.
    public var hostHeader: String {
        let host = endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
        return endpoint.port == endpoint.scheme.defaultPort ? host : "\(host):\(endpoint.port)"
    }

    private static func hostAndPort(_ authority: Substring, defaultPort: Int) -> (String, Int)? {
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        let host: Substring
        let portText: Substring?
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.first == ":" else { return nil }
            portText = after.isEmpty ? nil : after.dropFirst()
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
            guard !host.contains(":") else { return nil }
        } else {
            (host, portText) = (authority, nil)
        }
        guard !host.isEmpty else { return nil }
        guard let portText else { return (String(host), defaultPort) }
        guard !portText.isEmpty, portText.allSatisfy(\.isASCIIDigit), portText.count <= 5,
              let port = Int(portText), (1...65535).contains(port)
        else { return nil }
        return (String(host), port)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
