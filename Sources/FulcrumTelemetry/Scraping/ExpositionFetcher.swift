import AsyncHTTPClient
import FulcrumCore
import NIOCore
import NIOHTTP1
import NIOHTTPCompression

/// One `/metrics` body, read within the scrape budget and the size limit.
public struct FetchedExposition: Sendable {
    public var url: String
    /// The decompressed body.
    public var body: ByteBuffer
    public var contentType: String?
    /// The `Content-Encoding` the server used (the body is already decompressed).
    public var contentEncoding: String?
    /// The format named by `Content-Type`, or `.auto` (decide by `# EOF`) when it names none.
    public var format: FormatChoice

    public var byteCount: Int { body.readableBytes }
}

/// Fetches expositions over HTTP. Shared by the scraper and `fulcrumctl probe` so that both
/// negotiate, decompress and bound bodies the same way.
public struct ExpositionFetcher: Sendable {
    public let httpClient: HTTPClient
    public let configuration: ScraperConfiguration
    let clock: MonotonicClock

    public init(httpClient: HTTPClient, configuration: ScraperConfiguration, clock: MonotonicClock = .continuous) {
        self.httpClient = httpClient
        self.configuration = configuration
        self.clock = clock
    }

    /// GETs `url` and returns its body, or the reason it could not. Never throws anything but
    /// `ScrapeError`, so callers can keep per-target bookkeeping without casts.
    public func fetch(_ url: String) async throws(ScrapeError) -> FetchedExposition {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ScrapeError(url: url, reason: .invalidURL)
        }
        let budget = configuration.timeout
        // AsyncHTTPClient's deadline stops at the response head; the body gets the rest of the
        // budget below, so a server that trickles bytes cannot hold a slot forever.
        let bodyDeadline = clock.elapsed() + budget
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: ScraperConfiguration.acceptHeader)
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        if !configuration.reusesConnections { request.headers.add(name: "Connection", value: "close") }
        // Prometheus sends this too, so that exporters can bound their own work.
        request.headers.add(name: "X-Prometheus-Scrape-Timeout-Seconds", value: "\(budget.inSeconds)")

        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, deadline: .now() + .nanoseconds(budget.nanosecondsClamped))
        } catch {
            throw ScrapeError(url: url, reason: Self.reason(for: error, budget: budget, limit: configuration.maxBodyBytes))
        }
        guard response.status == .ok else {
            throw ScrapeError(url: url, reason: .httpStatus(Int(response.status.code)))
        }
        let limit = configuration.maxBodyBytes
        let clock = self.clock
        let body: ByteBuffer
        do {
            body = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                group.addTask { try await response.body.collect(upTo: limit) }
                group.addTask {
                    try await clock.sleepUntil(bodyDeadline)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let buffer = first else {
                    throw HTTPClientError.deadlineExceeded
                }
                return buffer
            }
        } catch {
            throw ScrapeError(url: url, reason: Self.reason(for: error, budget: budget, limit: configuration.maxBodyBytes))
        }
        // Plain text never starts with gzip's magic number; a client without decompression
        // would otherwise report a baffling parse error at column 1.
        if body.readableBytes >= 2, body.getInteger(at: body.readerIndex, endianness: .big, as: UInt16.self) == 0x1f8b {
            throw ScrapeError(url: url, reason: .compressedBody)
        }
        let contentType = response.headers.first(name: "Content-Type")
        return FetchedExposition(
            url: url,
            body: body,
            contentType: contentType,
            contentEncoding: response.headers.first(name: "Content-Encoding"),
            format: contentType.flatMap(ExpositionFormat.init(contentType:)).map(FormatChoice.exactly) ?? .auto
        )
    }

    static func reason(for error: any Error, budget: Duration, limit: Int) -> ScrapeError.Reason {
        if error is CancellationError { return .cancelled }
        if error is NIOTooManyBytesError { return .bodyTooLarge(limit: limit) }
        if let error = error as? NIOHTTPDecompression.DecompressionError {
            return error == .limit ? .bodyTooLarge(limit: limit) : .connectionFailed("invalid compressed body")
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .connectTimeout, .readTimeout, .getConnectionFromPoolTimeout:
                return .timedOut(after: budget)
            case .invalidURL, .emptyHost, .emptyScheme:
                return .invalidURL
            case .cancelled:
                return .cancelled
            case .remoteConnectionClosed:
                return .connectionFailed("the connection was closed before the response was complete")
            default:
                return .connectionFailed(error.description)
            }
        }
        return .connectionFailed(Self.transportMessage(error))
    }

    /// The errno text of a socket error ("connection refused") rather than NIO's debug dump.
    static func transportMessage(_ error: any Error) -> String {
        let text = String(describing: error)
        for known in ["Connection refused", "No route to host", "Network is unreachable", "Connection reset by peer", "Host is down"]
        where text.contains(known) {
            return known.lowercased()
        }
        if let error = error as? IOError { return error.description }
        return text
    }
}
