import FulcrumCore
import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOPosix
import NIOSSL

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
    public let httpClient: ScrapeHTTPClient
    public let configuration: ScraperConfiguration

    public init(httpClient: ScrapeHTTPClient, configuration: ScraperConfiguration) {
        self.httpClient = httpClient
        self.configuration = configuration
    }

    /// GETs `url` and returns its body, or the reason it could not. Never throws anything but
    /// `ScrapeError`, so callers can keep per-target bookkeeping without casts.
    public func fetch(_ url: String) async throws(ScrapeError) -> FetchedExposition {
        guard let parsed = ScrapeURL(url) else { throw ScrapeError(url: url, reason: .invalidURL) }
        let budget = configuration.timeout
        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: ScraperConfiguration.acceptHeader)
        headers.add(name: "User-Agent", value: configuration.userAgent)
        // Prometheus sends this too, so that exporters can bound their own work.
        headers.add(name: "X-Prometheus-Scrape-Timeout-Seconds", value: "\(budget.inSeconds)")

        let response: ScrapeResponse
        do {
            response = try await httpClient.get(parsed, headers: headers, bodyLimit: configuration.maxBodyBytes,
                                                deadline: ContinuousClock.now + budget)
        } catch {
            throw ScrapeError(url: url, reason: Self.reason(for: error, budget: budget, limit: configuration.maxBodyBytes))
        }
        guard response.status == .ok else {
            throw ScrapeError(url: url, reason: .httpStatus(Int(response.status.code)))
        }
        let body = response.body
        // Plain text never starts with gzip's magic number: a server that compressed without
        // saying so in Content-Encoding would otherwise get a baffling parse error at column 1.
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

    static func reason(for failure: ConnectionFailure, budget: Duration, limit: Int) -> ScrapeError.Reason {
        switch failure {
        case .timedOut: .timedOut(after: budget)
        case .cancelled: .cancelled
        case .bodyTooLarge: .bodyTooLarge(limit: limit)
        case .closed: .brokenResponse("it closed the connection before the response was complete")
        case .transport(let error): transportReason(error)
        }
    }

    /// What a transport error means for the user: the worker answered badly, its host name is
    /// unknown, or it could not be reached (the errno text, "connection refused", rather than
    /// NIO's debug dump).
    static func transportReason(_ error: any Error) -> ScrapeError.Reason {
        if error is HTTPParserError {
            return .brokenResponse("its response is not valid HTTP (\(error)), for example a body shorter than its Content-Length")
        }
        if error is NIOHTTPDecompression.DecompressionError || error is NIOHTTPDecompression.ExtraDecompressionError {
            return .brokenResponse("its body does not decompress as its Content-Encoding says")
        }
        if let connection = error as? NIOConnectionError, connection.dnsAError != nil || connection.dnsAAAAError != nil {
            return .unknownHost
        }
        return .connectionFailed(TransportProblem.describe(error))
    }
}
