import ArgumentParser
import Foundation
import FulcrumControlAPI
import NIOHTTP1

/// Options every daemon command shares. Declared on `fulcrumctl` itself and on each verb, so
/// they may stand before the verb (`fulcrumctl --socket S status`, as `systemctl --user status`)
/// or after it.
struct DaemonOptions: ParsableArguments {
    @Option(help: "fulcrumd's control socket (default: $FULCRUM_SOCKET or /run/fulcrum/control.sock).")
    var socket: String = ProcessInfo.processInfo.environment["FULCRUM_SOCKET"] ?? "/run/fulcrum/control.sock"

    @Flag(help: "Print the daemon's JSON instead of tables.")
    var json = false

    @Option(help: "Seconds to wait for fulcrumd's answer (probe: for the URL); default 30 (probe: 10).")
    var timeout: Double?

    func validate() throws {
        if let timeout, !(timeout > 0 && timeout <= Self.longestTimeout) {
            throw ValidationError("--timeout \(timeout) is not a number of seconds from above 0 to \(Int(Self.longestTimeout)) (a day); give e.g. --timeout 30.")
        }
    }

    /// A day: longer waits are a mistake, and far longer ones overflow the client's deadline.
    static let longestTimeout = 86_400.0

    var client: DaemonClient { DaemonClient(socket: socket, timeoutSeconds: timeout ?? 30) }
}

/// A decoded reply and the bytes it came from (printed as they are for `--json`).
struct Reply<View: Decodable> {
    var view: View
    var json: Data
}

/// One request to fulcrumd's control API over its Unix socket, answered in the shared wire
/// types of FulcrumControlAPI.
struct DaemonClient {
    let socket: String
    let timeoutSeconds: Double

    func get<View: Decodable>(_ path: String, as view: View.Type) async throws -> Reply<View> {
        try await call(.GET, path, body: nil, as: view)
    }

    func change(_ method: HTTPMethod, _ path: String, body: (any Encodable)? = nil) async throws -> Reply<ChangeView> {
        try await call(method, path, body: body, as: ChangeView.self)
    }

    private func call<View: Decodable>(_ method: HTTPMethod, _ path: String, body: (any Encodable)?, as view: View.Type) async throws -> Reply<View> {
        let (status, data) = try await exchange(method, path, body: body)
        let endpoint = "\(method.rawValue) \(path)"
        let decoder = JSONDecoder()
        guard let header = try? decoder.decode(SchemaHeader.self, from: data) else {
            throw CleanExit.message("fulcrumctl: fulcrumd's reply to \(endpoint) (HTTP \(status)) is not a JSON object; is \(socket) fulcrumd's socket?", code: 1)
        }
        if let problem = ControlSchema.incompatibility(found: header.schema, endpoint: endpoint) {
            throw CleanExit.message("fulcrumctl: \(problem).", code: 1)
        }
        guard status < 300 else {
            let message = (try? decoder.decode(ErrorView.self, from: data))?.error ?? "HTTP \(status)"
            throw CleanExit.message("fulcrumctl: fulcrumd refused: \(message)", code: 1)
        }
        do {
            return Reply(view: try decoder.decode(View.self, from: data), json: data)
        } catch {
            throw CleanExit.message("fulcrumctl: fulcrumd's reply to \(endpoint) does not match control API \(ControlSchema.version) (\(describeDecodingError(error))); use the fulcrumctl installed with that fulcrumd.", code: 1)
        }
    }

    private func exchange(_ method: HTTPMethod, _ path: String, body: (any Encodable)?) async throws -> (UInt, Data) {
        guard access(socket, F_OK) == 0 else {
            throw CleanExit.message("fulcrumctl: no control socket at \(socket); is fulcrumd running? (systemctl status fulcrumd; --socket to use another path)", code: 69)
        }
        guard access(socket, R_OK | W_OK) == 0 else {
            throw CleanExit.message("fulcrumctl: permission denied on \(socket); run as a member of the socket's group (see control.group) or with sudo.", code: 77)
        }
        let payload = try body.map { Array(try JSONEncoder().encode($0)) }
        let exchange = UnixSocketExchange(socketPath: socket, timeoutSeconds: timeoutSeconds)
        do {
            let reply = try exchange.perform(method: method.rawValue, target: path, body: payload)
            return (reply.status, Data(reply.body))
        } catch {
            throw failure(error, method, path)
        }
    }

    /// What a failed exchange means to the operator, in one sentence and an exit status.
    private func failure(_ error: UnixSocketExchange.Failure, _ method: HTTPMethod, _ path: String) -> ExitCode {
        switch error {
        case .pathTooLong:
            return CleanExit.message("fulcrumctl: \(socket) is longer than a Unix socket path may be (107 bytes); give a shorter --socket.", code: 64)
        case .unreachable:
            return CleanExit.message("fulcrumctl: cannot reach fulcrumd at \(socket); is it running? (systemctl status fulcrumd; a socket file left by a stopped daemon looks the same)", code: 69)
        case .timedOut:
            // The request may have arrived: a change may have been made. Saying "unreachable"
            // would invite a blind retry.
            return CleanExit.message("fulcrumctl: fulcrumd did not answer \(method) \(path) within \(String(format: "%g", timeoutSeconds)) s, so a change may still have been made; check `fulcrumctl status` before retrying, or wait longer with --timeout.", code: 75)
        case .closedEarly:
            return CleanExit.message("fulcrumctl: fulcrumd closed the connection before answering \(method) \(path), so a change may still have been made; check `fulcrumctl status` before retrying.", code: 75)
        case .malformed(let what):
            return CleanExit.message("fulcrumctl: \(socket) did not answer \(method) \(path) in HTTP (\(what)); is it fulcrumd's control socket?", code: 1)
        }
    }
}

/// A decoding error as the field path and what was wrong, e.g. `workers.0.state: not a known
/// value`, rather than Swift's dump of its context.
func describeDecodingError(_ error: any Error) -> String {
    func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
    switch error as? DecodingError {
    case let .keyNotFound(key, context)?: return "\(path(context.codingPath + [key])) is missing"
    case let .typeMismatch(_, context)?: return "\(path(context.codingPath)) has the wrong type"
    case let .valueNotFound(_, context)?: return "\(path(context.codingPath)) is null"
    case let .dataCorrupted(context)?: return "\(path(context.codingPath)): \(context.debugDescription)"
    default: return "\(error)"
    }
}

enum CleanExit {
    /// A one-sentence error on stderr and an exit status, without ArgumentParser's usage text.
    static func message(_ text: String, code: Int32) -> ExitCode {
        FileHandle.standardError.write(Data((text + "\n").utf8))
        return ExitCode(code)
    }
}

/// Prints the daemon's JSON for scripts: sorted keys, indented.
func printJSON(_ data: Data) {
    guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
          let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed])
    else { return print(String(decoding: data, as: UTF8.self)) }
    print(String(decoding: pretty, as: UTF8.self))
}

/// An aligned table like systemctl's: header in upper case, two spaces between columns.
func printTable(_ header: [String], _ rows: [[String]]) {
    let widths = header.indices.map { column in ([header[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0 }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
            .trimmingCharacters(in: .whitespaces)
    }
    print(line(header.map { $0.uppercased() }))
    rows.forEach { print(line($0)) }
}
