import FulcrumCore

/// Why one scrape produced no telemetry. `description` is one sentence that names the URL and
/// says what to check, e.g. `scrape of http://10.0.0.7:8000/metrics timed out after 5.0 s;
/// check that the worker is alive or raise the scrape timeout`.
public struct ScrapeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Error, Sendable, Equatable {
        /// How a `connectionFailed` message from a failed TLS handshake begins.
        public static let tlsPrefix = "TLS: "

        /// The URL is not an `http://` or `https://` URL with a host.
        case invalidURL
        /// No answer (connect, head or complete body) within the budget.
        case timedOut(after: Duration)
        /// The connection could not be made or broke; the text is the transport's own message,
        /// after `tlsPrefix` when the TLS handshake failed.
        case connectionFailed(String)
        /// The target answered, but not with a usable HTTP response (broken framing, a body that
        /// does not decompress); the text says what was wrong, as a clause about "it".
        case brokenResponse(String)
        /// The URL's host name does not resolve.
        case unknownHost
        /// A status other than 200.
        case httpStatus(Int)
        /// The (decompressed) body is larger than the limit.
        case bodyTooLarge(limit: Int)
        /// The body is gzip-compressed but the response does not say so (`Content-Encoding`).
        case compressedBody
        /// The body is not a valid exposition.
        case parse(ExpositionParseError)
        /// No built-in engine's metric families are in the scrape.
        case noEngineDetected
        /// The configured preset does not exist.
        case unknownPreset(String)
        /// The preset's required signals are absent in the scrape.
        case missingSignals([String])
        /// Signals are there but their values cannot be used (negative, not a number, a series
        /// given twice); the issues say which.
        case unusableValues([String])
        /// The scrape was cancelled (shutdown), not failed.
        case cancelled
    }

    public var url: String
    public var reason: Reason

    public init(url: String, reason: Reason) {
        self.url = url
        self.reason = reason
    }

    private static var engineNames: String { EnginePreset.builtIn.map(\.name).joined(separator: ", ") }

    public var description: String {
        switch reason {
        case .invalidURL:
            return "\(url) is not an http:// or https:// URL with a host; fix the target's address"
        case .timedOut(let after):
            let seconds = after.inSeconds
            return "scrape of \(url) timed out after \(seconds.formatted1) s; check that the worker is alive or raise the scrape timeout"
        case .connectionFailed(let message) where message.hasPrefix(Reason.tlsPrefix):
            return "cannot reach \(url) (\(message)); check the worker's certificate against the system's trusted CAs"
        case .connectionFailed(let message):
            return "cannot reach \(url) (\(message)); check that the worker is running and listening on that port"
        case .brokenResponse(let problem):
            return "\(url) answered, but \(problem); check the worker's metrics server or the proxy in front of it"
        case .unknownHost:
            return "the host of \(url) does not resolve; check the node's host in the configuration and the head node's DNS or /etc/hosts"
        case .httpStatus(let status):
            return "\(url) answered HTTP \(status) instead of 200; check the metrics path and the worker's logs"
        case .bodyTooLarge(let limit):
            return "\(url) sent more than \(limit >> 20) MiB of metrics, more than any engine's exposition; check that the URL serves the engine's metrics and not a dump"
        case .compressedBody:
            return "\(url) sent a gzip-compressed body without saying so in Content-Encoding; fix the worker's metrics server or the proxy in front of it"
        case .parse(let error):
            return "\(url) is not a valid Prometheus exposition (\(error)); check that the URL serves metrics"
        case .noEngineDetected:
            return "\(url) exposes the metrics of none of the engines Fulcrum knows (\(Self.engineNames)); name a preset or a custom mapping for it"
        case .unknownPreset(let name):
            return "the preset \(name.debugDescription) for \(url) is unknown; use \(Self.engineNames) or a custom mapping with a known base"
        case .missingSignals(let signals):
            return "\(url) lacks the required signals \(signals.joined(separator: ", ")); check the engine version or use a custom mapping"
        case .unusableValues(let issues):
            return "\(url) gives values that cannot be used (\(issues.joined(separator: "; "))); fix the engine's metrics or the custom mapping, the last good reading stands meanwhile"
        case .cancelled:
            return "scrape of \(url) was cancelled before it finished; it is retried on the next round"
        }
    }
}

extension Double {
    var formatted1: String {
        let tenths = (self * 10).rounded()
        return "\(Int(tenths) / 10).\(abs(Int(tenths) % 10))"
    }
}
