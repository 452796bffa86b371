import AsyncHTTPClient
import Foundation
import FulcrumCore
import NIOCore

/// Sending one phase of a request to a worker, with retries on other workers.
struct UpstreamCall: Sendable {
    enum Outcome: Sendable {
        /// A worker answered (any status but 503); its lease is held until the answer is read.
        case answered(WorkerLease, HTTPClientResponse)
        /// No worker of the phase took it: the message explains, for a 503 to the client.
        case unavailable(String)
    }

    let client: HTTPClient
    let registry: WorkerRegistry
    let metrics: FrontendMetrics
    let workerWait: Duration
    let maxAttempts: Int

    /// Sends `body` to the least-loaded worker of `role`; on a 503 (draining) or a refused or
    /// reset connection, tries another one.
    func send(_ body: Data, role: Role, cost: Int) async -> Outcome {
        var excluded: Set<String> = []
        var problems: [String] = []
        for _ in 0..<max(1, maxAttempts) {
            guard let lease = await waitForLease(role, cost: cost, excluding: excluded) else { break }
            await metrics.routed(to: lease.url, role: role)
            var request = HTTPClientRequest(url: lease.url + "/v1/completions")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
            do {
                let response = try await client.execute(request, timeout: .hours(6))
                guard response.status != .serviceUnavailable else {
                    _ = try? await response.body.collect(upTo: 1 << 20)
                    throw RequestError("\(lease.url) answered 503")
                }
                return .answered(lease, response)
            } catch {
                await registry.release(lease)
                await metrics.retried(role)
                excluded.insert(lease.url)
                problems.append(error is RequestError ? "\(error)" : "\(lease.url) failed: \(error)")
            }
        }
        let tried = problems.isEmpty ? "none is registered" : problems.joined(separator: "; ")
        return .unavailable("no \(role) worker took the request within \(workerWait) (\(tried)); register one with POST /workers or retry later")
    }

    /// A lease on a worker of `role`, waiting up to `workerWait` for one to be registered.
    private func waitForLease(_ role: Role, cost: Int, excluding excluded: Set<String>) async -> WorkerLease? {
        if let lease = await registry.lease(role, cost: cost, excluding: excluded) { return lease }
        await metrics.waitingForWorker(1)
        let deadline = ContinuousClock.now.advanced(by: workerWait)
        var lease: WorkerLease?
        // Registrations are rare and the wait is bounded, so polling is simpler than signalling.
        while lease == nil, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
            lease = await registry.lease(role, cost: cost, excluding: excluded)
        }
        await metrics.waitingForWorker(-1)
        return lease
    }
}
