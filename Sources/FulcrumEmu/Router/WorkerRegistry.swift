import Foundation
import FulcrumCore

/// A registered worker as `GET /workers` lists it.
public struct WorkerInfo: Sendable, Hashable, Codable {
    public var url: String
    public var workerType: Role
    /// Requests the router has on it now.
    public var inFlight: Int
    /// The router's load measure: prompt tokens (prefill) or prompt + max_tokens (decode) in flight.
    public var outstandingTokens: Int

    enum CodingKeys: String, CodingKey {
        case url
        case workerType = "worker_type"
        case inFlight = "in_flight"
        case outstandingTokens = "outstanding_tokens"
    }
}

/// A claim on one worker for one request; give it back with `WorkerRegistry.release`.
public struct WorkerLease: Sendable, Hashable {
    public var url: String
    public var role: Role
    public var cost: Int
    /// Which registration of `url` the lease counts against: a worker removed and added again
    /// must not be charged for requests sent before.
    var registration: UInt64
}

/// The router's workers and the work it has sent to each. A removed worker keeps serving what
/// it has (its leases just stop counting); only new requests avoid it.
public actor WorkerRegistry {
    private struct Entry {
        var role: Role
        var registration: UInt64
        var inFlight = 0
        var outstanding = 0
    }

    private var entries: [String: Entry] = [:]
    private var registrations: UInt64 = 0

    public init() {}

    /// Checks and normalises a worker URL (`http://host:port`, no trailing slash).
    public static func normalise(_ url: String) throws(RequestError) -> String {
        var text = url.trimmingCharacters(in: .whitespaces)
        while text.hasSuffix("/") { text.removeLast() }
        // A port beyond 65535 parses as a URL and traps in the HTTP client later.
        guard let parsed = URL(string: text), let scheme = parsed.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = parsed.host, !host.isEmpty, (parsed.port ?? 80) <= 65535
        else {
            throw RequestError("worker url \"\(url)\" is not an http:// URL; register it as e.g. http://127.0.0.1:8001")
        }
        return text
    }

    /// Registers `url` (or changes its type); `true` if it was not registered before.
    @discardableResult
    public func add(url: String, role: Role) throws(RequestError) -> Bool {
        let key = try Self.normalise(url)
        if var existing = entries[key] {
            if existing.role != role {
                registrations += 1
                existing = Entry(role: role, registration: registrations)
                entries[key] = existing
            }
            return false
        }
        registrations += 1
        entries[key] = Entry(role: role, registration: registrations)
        return true
    }

    /// Forgets `url`; `false` if it was not registered.
    public func remove(url: String) -> Bool {
        guard let key = try? Self.normalise(url) else { return false }
        return entries.removeValue(forKey: key) != nil
    }

    public func list() -> [WorkerInfo] {
        entries
            .sorted { $0.value.registration < $1.value.registration }
            .map { WorkerInfo(url: $0.key, workerType: $0.value.role, inFlight: $0.value.inFlight, outstandingTokens: $0.value.outstanding) }
    }

    public func count(_ role: Role) -> Int {
        entries.values.filter { $0.role == role }.count
    }

    /// Claims the worker of `role` with the least outstanding work (then fewest requests, then
    /// oldest registration), skipping `excluded`; `nil` if there is none.
    public func lease(_ role: Role, cost: Int, excluding excluded: Set<String> = []) -> WorkerLease? {
        let candidates = entries.filter { $0.value.role == role && !excluded.contains($0.key) }
        guard let (url, entry) = candidates.min(by: { a, b in
            (a.value.outstanding, a.value.inFlight, a.value.registration) < (b.value.outstanding, b.value.inFlight, b.value.registration)
        }) else { return nil }
        entries[url]?.outstanding += cost
        entries[url]?.inFlight += 1
        return WorkerLease(url: url, role: role, cost: cost, registration: entry.registration)
    }

    public func release(_ lease: WorkerLease) {
        guard var entry = entries[lease.url], entry.registration == lease.registration else { return }
        entry.outstanding -= lease.cost
        entry.inFlight -= 1
        entries[lease.url] = entry
    }
}
