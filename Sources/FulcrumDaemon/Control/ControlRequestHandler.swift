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
    let metrics: DaemonMetrics?
    let now: @Sendable () -> Timestamp
    /// Re-reads the configuration file; returns a one-line result or throws a readable error.
    let reload: @Sendable (Requester?) async throws -> String
    let refusals: RefusalLog
    static let maxBody = 64 * 1024

    package init(core: DaemonCore, logger: Logger, metrics: DaemonMetrics? = nil, now: @escaping @Sendable () -> Timestamp,
                 reload: @escaping @Sendable (Requester?) async throws -> String) {
        self.core = core
        self.logger = logger
        self.metrics = metrics
        self.now = now
        self.reload = reload
        refusals = RefusalLog(logger: logger)
    }

    /// `connection` says who is on the other end (read when the connection was accepted) and
    /// whether it is still there to hear the answer. Returns whether to close the connection.
    func respond(to request: Request, writer: consuming ResponseWriter, connection: ControlConnection) async throws -> Bool {
        var request = request
        let (status, body) = await handle(request: &request, connection: connection)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.contentLength] = String(body.readableBytes)
        // After a refusal the connection is closed: a client that sent something wrong (or too
        // much, or too little) gets its answer and nothing more to wait for.
        let closeAfter = status >= 400
        if closeAfter { headers[.connection] = "close" }
        try await writer.write(response: HTTPResponse(status: .init(code: status), headerFields: headers), body: .init(byteBuffer: body))
        return closeAfter
    }

    package func handle(request: inout Request, connection: ControlConnection) async -> (Int, ByteBuffer) {
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        do {
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: Self.maxBody)
            } catch {
                throw ControlError(status: 413, "the request body is larger than \(Self.maxBody) bytes; send at most \(Self.maxBody / 1024) KiB")
            }
            let command = try ControlRequestParser.parse(
                method: request.method.rawValue, path: request.uri.path, query: query, body: Data(buffer: body)
            )
            try await admit(command, connection: connection, method: request.method.rawValue, path: request.uri.path)
            return try await execute(command, requester: connection.requester)
        } catch let error as ControlError {
            metrics?.recordControlRefusal(status: error.status)
            // The message often quotes the path; the path itself is logged only there, escaped and capped.
            refusals.refused("control request refused", metadata: [
                "method": "\(ClientText.loggable(request.method.rawValue, limit: 16))", "status": "\(error.status)",
                "error": "\(ClientText.loggable(error.message, limit: 300))", "peer": "\(connection.requester.map(\.description) ?? "unknown")",
            ])
            return encode(ErrorView(error: error.message, status: error.status), status: error.status)
        } catch {
            return encode(ErrorView(error: "\(error)", status: 500), status: 500)
        }
    }

    /// A change is made only for a requester the audit trail can name, and only while the
    /// client is still connected to hear the answer; a refusal is audited too.
    func admit(_ command: ControlCommand, connection: ControlConnection, method: String, path: String) async throws(ControlError) {
        guard command.changesState else { return }
        let what = "\(ClientText.loggable(method, limit: 16)) \(ClientText.loggable(path, limit: 120))"
        guard let requester = connection.requester else {
            await core.record(AuditEntry(time: now(), requester: nil, action: "refused \(what): peer credentials unreadable", reason: nil))
            throw ControlError(status: 403, "fulcrumd could not read this connection's peer credentials (SO_PEERCRED), and every change must name who made it; connect over the Unix socket directly")
        }
        guard connection.isOpen() else {
            await core.record(AuditEntry(time: now(), requester: requester, action: "refused \(what): the client left before the answer", reason: nil))
            throw ControlError(status: 499, "the client closed the connection before fulcrumd could answer; nothing was changed")
        }
    }

    func execute(_ command: ControlCommand, requester: Requester?) async throws -> (Int, ByteBuffer) {
        let time = now()
        switch command {
        case let .status(maxWorkers):
            return encode(await core.statusView(now: time, maxWorkers: maxWorkers))
        case .workers:
            return encode(await core.workersView(now: time))
        case .explain:
            guard let view = await core.explainView(now: time) else {
                throw ControlError(status: 503, "no decision yet; the first tick has not run")
            }
            return encode(view)
        case let .setOverride(request, ttl, reason):
            if let refusal = await core.notLeading { throw refusal }
            if let refusal = await core.refusal(of: request) { throw refusal }
            let entry = await core.apply(request, ttlSeconds: ttl, reason: reason, requester: requester, now: time)
            logger.notice("override changed", metadata: [
                "change": "\(ClientText.loggable(entry.action))", "reason": "\(ClientText.loggable(reason ?? ""))",
                "peer": "\(requester.map(\.description) ?? "unknown")",
            ])
            return encode(ChangeView(ok: true, change: entry.action, overrides: OverridesView(await core.overrides)))
        case let .drain(worker, reason):
            if let refusal = await core.notLeading { throw refusal }
            let outcome = try await core.drain(worker, reason: reason, requester: requester, now: time)
            logger.notice("drain requested", metadata: ["worker": "\(ClientText.loggable(worker.rawValue))", "peer": "\(requester.map(\.description) ?? "unknown")"])
            return encode(ChangeView(ok: outcome.result != .failed && outcome.result != .refused, change: "drain \(worker)",
                                     outcome: ChangeView.Outcome(outcome)))
        case let .takeOver(reason):
            if let refusal = await core.notLeading { throw refusal }
            let entry = await core.takeOverRunningFleet(reason: reason, requester: requester, now: time)
            logger.notice("fleet taken over forgotten", metadata: [
                "change": "\(ClientText.loggable(entry.action))", "reason": "\(ClientText.loggable(reason ?? ""))",
                "peer": "\(requester.map(\.description) ?? "unknown")",
            ])
            return encode(ChangeView(ok: true, change: entry.action))
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
        var status = status
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            // Telemetry is checked before it is stored, so this is a bug; say so with a 500
            // (a 200 here made fulcrumctl blame a version mismatch).
            status = 500
            let failure = ErrorView(error: "fulcrumd could not write its answer as JSON (\(error)); please report this with the log of the scrape before it", status: 500)
            data = (try? encoder.encode(failure)) ?? Data(#"{"error":"fulcrumd could not write its answer as JSON","status":500}"#.utf8)
        }
        var buffer = ByteBuffer()
        buffer.writeBytes(data)
        buffer.writeString("\n")
        return (status, buffer)
    }
}

/// One control-socket connection as the handler sees it.
package struct ControlConnection: Sendable {
    /// The peer's credentials, read when the connection was accepted; nil if they could not be.
    package var requester: Requester?
    /// Whether the client is still connected.
    package var isOpen: @Sendable () -> Bool

    package init(requester: Requester?, isOpen: @escaping @Sendable () -> Bool) {
        self.requester = requester
        self.isOpen = isOpen
    }
}
