import FulcrumCore

/// Consecutive failures per GPU set, and when that set may be started again.
///
/// Keyed by node and GPU set, not by unit name, so a crash loop of a prefill unit also holds
/// back a decode unit on the same GPUs (they share whatever is broken: a GPU, a driver).
struct FailureLedger: Sendable {
    struct Key: Hashable, Sendable {
        var node: String
        var gpus: GPUSet
    }

    struct Record: Sendable {
        var failures: Int
        var notBefore: Timestamp
    }

    private(set) var records: [Key: Record] = [:]
    let backoff: Backoff

    init(backoff: Backoff) { self.backoff = backoff }

    /// Counts a failure; returns the delay before the next start.
    mutating func recordFailure(_ key: Key, at now: Timestamp) -> Duration {
        let failures = (records[key]?.failures ?? 0) + 1
        let delay = backoff.delay(attempt: failures)
        records[key] = Record(failures: failures, notBefore: now + delay.inSeconds)
        return delay
    }

    /// Seconds left before `key` may start, or nil when it may start now.
    func waitRemaining(_ key: Key, at now: Timestamp) -> Double? {
        guard let record = records[key], record.notBefore > now else { return nil }
        return record.notBefore - now
    }

    func failures(_ key: Key) -> Int { records[key]?.failures ?? 0 }

    /// The GPUs of every set still waiting out its backoff at `now`, by node.
    func backingOff(at now: Timestamp) -> [String: Set<Int>] {
        records.reduce(into: [:]) { result, entry in
            if entry.value.notBefore > now { result[entry.key.node, default: []].formUnion(entry.key.gpus.indices) }
        }
    }

    mutating func reset(_ key: Key) { records[key] = nil }
}


