import Foundation
import FulcrumCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP request with a timeout, failing on any non-2xx status.
struct HTTPRequester: Sendable {
    var timeout: Duration

    func send(_ method: String, _ url: URL, json: Data? = nil, what: String) async throws {
        var request = URLRequest(url: url, timeoutInterval: timeout.inSeconds)
        request.httpMethod = method
        if let json {
            request.httpBody = json
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        // The completion-handler API: corelibs Foundation's async data(for:) has hung here.
        let (body, status): (Data, Int) = try await withCheckedThrowingContinuation { continuation in
            let task = URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: ActuatorError(.routerHook, "\(what): \(method) \(url) failed (\(error.localizedDescription)); check that the router is up and its URL is right."))
                } else {
                    continuation.resume(returning: (data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0))
                }
            }
            task.resume()
        }
        guard (200..<300).contains(status) else {
            let text = String(decoding: body.prefix(200), as: UTF8.self)
            throw ActuatorError(.routerHook, "\(what): \(method) \(url) answered \(status) \(text); check the router's log.")
        }
    }
}
