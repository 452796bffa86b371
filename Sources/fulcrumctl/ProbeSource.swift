import Foundation
import FulcrumTelemetry
import NIOCore

/// The bytes to probe and where they came from.
struct LoadedExposition {
    var bytes: [UInt8]
    var format: FormatChoice
    var contentType: String?
    var contentEncoding: String?
}

struct ProbeLoadError: Error {
    /// One sentence naming the input.
    var message: String
}

enum ProbeSource {
    /// Fetches a URL with the scraper's own negotiation, decompression and limits, or reads a
    /// file (`-` is standard input).
    static func load(_ input: String, timeout: Double) async -> Result<LoadedExposition, ProbeLoadError> {
        if input.hasPrefix("http://") || input.hasPrefix("https://") {
            return await fetch(input, timeout: timeout)
        }
        let data: Data?
        if input == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            data = FileManager.default.contents(atPath: input)
        }
        guard let data else {
            let hint = input.contains("://") ? "only http:// and https:// URLs are fetched" : "check the path, or give an http:// URL"
            return .failure(ProbeLoadError(message: "cannot read \(input); \(hint)."))
        }
        return .success(LoadedExposition(bytes: [UInt8](data), format: .auto, contentType: nil, contentEncoding: nil))
    }

    private static func fetch(_ url: String, timeout: Double) async -> Result<LoadedExposition, ProbeLoadError> {
        let configuration = ScraperConfiguration(concurrency: 1, timeout: .milliseconds(Int64(timeout * 1000)))
        let client = ScrapeHTTPClient(configuration: configuration)
        let result: Result<LoadedExposition, ProbeLoadError>
        do throws(ScrapeError) {
            let fetched = try await ExpositionFetcher(httpClient: client, configuration: configuration).fetch(url)
            result = .success(LoadedExposition(
                bytes: Array(fetched.body.readableBytesView),
                format: fetched.format,
                contentType: fetched.contentType,
                contentEncoding: fetched.contentEncoding
            ))
        } catch {
            // fulcrumd's advice names its scrape timeout; here the user's lever is --timeout.
            let message = if case .timedOut = error.reason {
                "\(url) did not answer within \(timeout) s; check that the worker is alive, or give it longer with --timeout"
            } else {
                error.description
            }
            result = .failure(ProbeLoadError(message: message + "."))
        }
        await client.shutdown()
        return result
    }
}
