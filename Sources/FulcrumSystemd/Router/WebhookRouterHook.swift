import Foundation

/// A generic HTTP hook: `POST url` with `{"event": "register"|"deregister", "id", "role",
/// "node", "unit", "gpus", "url"}`.
public struct WebhookRouterHook: RouterHook {
    public let url: URL
    let http: HTTPRequester

    public init(url: URL, timeout: Duration = .seconds(10)) {
        self.url = url
        self.http = HTTPRequester(timeout: timeout)
    }

    public func register(_ worker: WorkerEndpoint) async throws { try await post("register", worker) }
    public func deregister(_ worker: WorkerEndpoint) async throws { try await post("deregister", worker) }

    private func post(_ event: String, _ worker: WorkerEndpoint) async throws {
        let body: [String: Any] = [
            "event": event, "id": worker.id.rawValue, "role": worker.role.rawValue, "node": worker.node,
            "unit": worker.unit, "gpus": worker.gpus, "url": worker.url,
        ]
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])
        try await http.send("POST", url, json: data, what: "Webhook \(event) of \(worker.id)")
    }
}
