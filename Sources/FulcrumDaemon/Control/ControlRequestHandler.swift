import Foundation
import FulcrumControlAPI
import FulcrumCore
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore

/// Turns one HTTP request into a command, runs it against the daemon, writes JSON back.
/// Every failure a client can cause is a 4xx with `{"error": "...", "status": N}`; nothing a
/// client sends can crash the daemon.
package struct ControlRequestHandler: Sendable {
    let core: DaemonCore
    let logger: Logger
    let now: @Sendable () -> Timestamp
    /// Re-reads the configuration file; returns a one-line result or throws a readable error.
    let reload: @Sendable (Requester?) async throws -> String
    static let maxBody = 64 * 1024

    package init(core: DaemonCore, logger: Logger, now: @escaping @Sendable () -> Timestamp, reload: @escaping @Sendable (Requester?) async throws -> String) {
        self.core = core
        self.logger = logger
        self.now = now
        self.reload = reload
    }

    func respond(to request: Request, writer: consuming ResponseWriter, channel: any Channel) async throws {
        var request = request
        let requester = await peerCredentials(of: channel)
        let (status, body) = await handle(request: &request, requester: requester)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.contentLength] = String(body.readableBytes)
        try await writer.write(response: HTTPResponse(status: .init(code: status), headerFields: headers), body: .init(byteBuffer: body))
    }

    func handle(request: inout Request, requester: Requester?) async -> (Int, ByteBuffer) {
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maxBody)
        } catch {
            return encode(ErrorView(error: "the request body is larger than \(Self.maxBody) bytes", status: 413), status: 413)
        }
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        do {
            let command = try ControlRequestParser.parse(
                method: request.method.rawValue, path: request.uri.path, query: query, body: Data(buffer: body)
            )
            return try await execute(command, requester: requester)
        } catch let error as ControlError {
            logger.notice("control request refused", metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "status": "\(error.status)",
                "error": "\(error.message)", "peer": "\(requester.map(\.description) ?? "unknown")",
            ])
            return encode(ErrorView(error: error.message, status: error.status), status: error.status)
        } catch {
            return encode(ErrorView(error: "\(error)", status: 500), status: 500)
        }
    }

    func execute(_ command: ControlCommand, requester: Requester?) async throws -> (Int, ByteBuffer) {
        let time = now()
        switch command {
        case .status:
            return encode(await core.statusView(now: time))
        case .workers:
            return encode(await core.workersView(now: time))
        case .explain:
            guard let view = await core.explainView(now: time) else {
                throw ControlError(status: 503, "no decision yet; the first tick has not run")
            }
            return encode(view)
        case let .setOverride(request, ttl, reason):
            let entry = await core.apply(request, ttlSeconds: ttl, reason: reason, requester: requester, now: time)
            logger.notice("override changed", metadata: [
                "change": "\(entry.action)", "reason": "\(reason ?? "")", "peer": "\(requester.map(\.description) ?? "unknown")",
            ])
            return encode(ChangeView(ok: true, change: entry.action, overrides: OverridesView(await core.overrides)))
        case let .drain(worker, reason):
            let outcome = try await core.drain(worker, reason: reason, requester: requester, now: time)
            logger.notice("drain requested", metadata: ["worker": "\(worker)", "peer": "\(requester.map(\.description) ?? "unknown")"])
            return encode(ChangeView(ok: outcome.result != .failed && outcome.result != .refused, change: "drain \(worker)",
                                     outcome: ChangeView.Outcome(outcome)))
        case .reconcile:
            await core.reconcile(requester: requester, now: time)
            return encode(ChangeView(ok: true, change: "reconcile"))
        case .reload:
            do {
                let result = try await reload(requester)
                return encode(ChangeView(ok: true, change: result))
            } catch {
                throw ControlError(status: 422, "\(error)")
            }
        }
    }

    func encode<T: Encodable>(_ value: T, status: Int = 200) -> (Int, ByteBuffer) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":"response could not be encoded","status":500}"#.utf8)
        var buffer = ByteBuffer()
        buffer.writeBytes(data)
        buffer.writeString("\n")
        return (status, buffer)
    }
}
