import Foundation

/// The SGLang model gateway's worker API: `POST /workers` with
/// `{"url": ..., "worker_type": "prefill"|"decode"}`, and `DELETE /workers/{url-encoded url}`.
public struct SGLangRouterHook: RouterHook {
    public let baseURL: URL
    let http: HTTPRequester

    public init(baseURL: URL, timeout: Duration = .seconds(10)) {
        self.baseURL = baseURL
        self.http = HTTPRequester(timeout: timeout)
    }

    public func register(_ worker: WorkerEndpoint) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["url": worker.url, "worker_type": worker.role.rawValue], options: [.sortedKeys, .withoutEscapingSlashes])
        try await http.send("POST", baseURL.appendingPathComponent("workers"), json: body, what: "Registering \(worker.id) with the SGLang router")
    }

    public func deregister(_ worker: WorkerEndpoint) async throws {
        // Every reserved character encoded: the URL is a single path segment.
        let encoded = worker.url.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? worker.url
        guard let url = URL(string: baseURL.absoluteString.trimmingSuffix("/") + "/workers/" + encoded) else {
            throw ActuatorError(.routerHook, "The router URL \(baseURL) cannot take the worker URL \(worker.url); check the router base URL.")
        }
        try await http.send("DELETE", url, what: "Deregistering \(worker.id) from the SGLang router")
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
