import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Options every daemon command shares.
struct DaemonOptions: ParsableArguments {
    @Option(help: "fulcrumd's control socket (default: $FULCRUM_SOCKET or /run/fulcrum/control.sock).")
    var socket: String = ProcessInfo.processInfo.environment["FULCRUM_SOCKET"] ?? "/run/fulcrum/control.sock"

    @Flag(help: "Print the daemon's JSON instead of tables.")
    var json = false
}

/// One request to fulcrumd's control API over its Unix socket.
struct DaemonClient {
    let socket: String

    func call(_ method: HTTPMethod, _ path: String, body: [String: Any]? = nil) async throws -> Any {
        guard FileManager.default.fileExists(atPath: socket) else {
            throw CleanExit.message("fulcrumctl: no control socket at \(socket); is fulcrumd running? (systemctl status fulcrumd; --socket to use another path)", code: 69)
        }
        guard access(socket, R_OK | W_OK) == 0 else {
            throw CleanExit.message("fulcrumctl: permission denied on \(socket); run as a member of the socket's group (see control.group) or with sudo.", code: 77)
        }
        guard let url = URL(httpURLWithSocketPath: socket, uri: path) else {
            throw CleanExit.message("fulcrumctl: \(socket) cannot be used as a socket path.", code: 64)
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        if let body {
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = client.shutdown() }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(30))
        } catch {
            throw CleanExit.message("fulcrumctl: cannot reach fulcrumd at \(socket) (\(error)); is it running? (systemctl status fulcrumd)", code: 69)
        }
        let bytes = try await response.body.collect(upTo: 16 << 20)
        let object = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView), options: [.fragmentsAllowed])
        guard response.status.code < 300 else {
            let message = (object as? [String: Any])?["error"] as? String ?? "HTTP \(response.status.code)"
            throw CleanExit.message("fulcrumctl: fulcrumd refused: \(message)", code: 1)
        }
        return object
    }
}

enum CleanExit {
    /// A one-sentence error on stderr and an exit status, without ArgumentParser's usage text.
    static func message(_ text: String, code: Int32) -> ExitCode {
        FileHandle.standardError.write(Data((text + "\n").utf8))
        return ExitCode(code)
    }
}

/// Prints JSON for scripts: sorted keys, indented.
func printJSON(_ object: Any) {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed])) ?? Data()
    print(String(decoding: data, as: UTF8.self))
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
