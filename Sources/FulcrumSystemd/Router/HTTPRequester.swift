import AsyncHTTPClient
import Foundation
import FulcrumCore
import NIOCore
import NIOHTTP1

/// One HTTP request with a timeout, failing on any non-2xx status.
///
/// On AsyncHTTPClient, the HTTP client fulcrumd already scrapes with: URLSession would pull
/// corelibs' FoundationNetworking and libcurl into the daemon for two router calls, and keep it
/// from linking statically without libcurl's development files.
struct HTTPRequester: Sendable {
    /// One client for every router call, alive as long as the process (as `HTTPClient.shared`
    /// is). It fails a call as soon as the router refuses the connection rather than retrying
    /// until the call's timeout: a router that is down is reported at once, not ten seconds
    /// later for each worker started or drained.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
    /// The most of an error body quoted back to the operator.
    static let quotedBodyBytes = 200

    var timeout: Duration

    func send(_ method: String, _ url: URL, json: Data? = nil, what: String) async throws {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        if let json {
            request.body = .bytes(ByteBuffer(bytes: json))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        let status: UInt
        let body: ByteBuffer
        do {
            let response = try await Self.client.execute(request, timeout: TimeAmount(timeout))
            status = response.status.code
            // Read only to be quoted if the status is an error: a 2xx whose body is too long (or
            // breaks off) is still a success.
            body = (try? await response.body.collect(upTo: 64 * 1024)) ?? ByteBuffer()
        } catch {
            throw ActuatorError(.routerHook, "\(what): \(method) \(url) failed (\(reason(error))); check that the router is up and its URL is right.")
        }
        guard (200..<300).contains(status) else {
            let text = String(decoding: body.readableBytesView.prefix(Self.quotedBodyBytes), as: UTF8.self)
            throw ActuatorError(.routerHook, "\(what): \(method) \(url) answered \(status) \(text); check the router's log.")
        }
    }

    /// What went wrong, in the operator's words: the system's text for a socket error
    /// ("Connection refused"), not NIO's description of its own error type.
    func reason(_ error: any Error) -> String {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        if let client = error as? HTTPClientError, client == .deadlineExceeded { return "no answer within \(timeout)" }
        return "\(error)"
    }
}
