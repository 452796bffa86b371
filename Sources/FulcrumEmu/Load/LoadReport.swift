import Foundation

/// How one replayed request ended.
public struct RequestOutcome: Sendable, Hashable {
    public enum Failure: Sendable, Hashable, CustomStringConvertible {
        /// The server answered with this status instead of 200.
        case http(Int)
        /// No answer: refused, reset or timed out before the response head.
        case connection(String)
        /// The stream ended without `data: [DONE]` (the connection broke mid-stream).
        case truncated(tokens: Int)
        /// `[DONE]` came after fewer tokens than `max_tokens`.
        case short(tokens: Int, expected: Int)
        /// In flight when the replay was stopped (Ctrl-C): cut by the load generator itself.
        case interrupted(tokens: Int)

        /// The key under which `LoadReport.failures` counts it.
        public var kind: String {
            switch self {
            case .http(let status): "http_\(status)"
            case .connection: "connection"
            case .truncated: "truncated"
            case .short: "short"
            case .interrupted: "interrupted"
            }
        }

        public var description: String {
            switch self {
            case .http(let status): "HTTP \(status)"
            case .connection(let problem): "connection failed: \(problem)"
            case .truncated(let tokens): "stream ended without [DONE] after \(tokens) tokens"
            case .short(let tokens, let expected): "\(tokens) of \(expected) tokens"
            case .interrupted(let tokens): "cut after \(tokens) tokens when the replay was stopped"
            }
        }
    }

    /// Position in the replayed trace.
    public var index: Int
    /// Seconds from the start of the replay at which the request was due.
    public var scheduledAt: Double
    public var expectedTokens: Int
    public var tokens: Int
    /// Due time → first token, so queueing behind the concurrency bound counts.
    public var timeToFirstToken: Double?
    /// (last token − first token) / (tokens − 1).
    public var timePerOutputToken: Double?
    public var failure: Failure?

    public var succeeded: Bool { failure == nil }
}

/// p50 / p90 / p99 by nearest rank.
public struct Percentiles: Sendable, Hashable, Codable {
    public var p50: Double
    public var p90: Double
    public var p99: Double

    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        func rank(_ q: Double) -> Double {
            let index = Int((q * Double(sorted.count)).rounded(.up)) - 1
            return sorted[min(sorted.count - 1, max(0, index))]
        }
        p50 = rank(0.5)
        p90 = rank(0.9)
        p99 = rank(0.99)
    }
}

/// What a replay did. Every request sent is either succeeded or failed; nothing is dropped.
public struct LoadReport: Sendable, Codable {
    public var target: String
    public var sent: Int
    public var succeeded: Int
    public var failed: Int
    /// Failed requests by kind: `http_503`, `connection`, `truncated`, `short`…
    public var failures: [String: Int]
    /// Over succeeded requests, seconds; absent when none succeeded.
    public var ttft: Percentiles?
    public var tpot: Percentiles?
    public var outputTokens: Int
    /// Requests of the trace never sent because the replay was stopped (Ctrl-C); 0 otherwise.
    public var notSent: Int
    /// Whether the replay was stopped before its end.
    public var interrupted: Bool
    public var durationSeconds: Double
    /// Every request, in trace order (not in the JSON).
    public var outcomes: [RequestOutcome] = []

    enum CodingKeys: String, CodingKey {
        case target, sent, succeeded, failed, failures
        case ttft = "ttft_s"
        case tpot = "tpot_s"
        case outputTokens = "output_tokens"
        case durationSeconds = "duration_s"
        case notSent = "not_sent"
        case interrupted
    }

    public init(target: String, outcomes: [RequestOutcome], notSent: Int = 0, durationSeconds: Double) {
        self.target = target
        self.notSent = notSent
        self.outcomes = outcomes
        self.durationSeconds = durationSeconds
        sent = outcomes.count
        let good = outcomes.filter(\.succeeded)
        succeeded = good.count
        failed = sent - succeeded
        failures = outcomes.compactMap(\.failure).reduce(into: [:]) { $0[$1.kind, default: 0] += 1 }
        ttft = Percentiles(good.compactMap(\.timeToFirstToken))
        tpot = Percentiles(good.compactMap(\.timePerOutputToken))
        outputTokens = outcomes.reduce(0) { $0 + $1.tokens }
        interrupted = notSent > 0 || failures["interrupted", default: 0] > 0
    }

    /// The human summary; its last line is the closing line.
    public var text: String {
        func row(_ name: String, _ values: Percentiles?) -> String {
            guard let values else { return "  \(name)  (no successful request)" }
            return "  \(name)  p50 \(ms(values.p50))  p90 \(ms(values.p90))  p99 \(ms(values.p99))"
        }
        var lines = ["replayed \(sent) requests against \(target) in \(String(format: "%.2f", durationSeconds)) s, \(outputTokens) output tokens"]
        lines.append(row("TTFT", ttft))
        lines.append(row("TPOT", tpot))
        if !failures.isEmpty {
            lines.append("  failures: " + failures.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if interrupted {
            lines.append("  stopped before the end of the trace: \(notSent) requests not sent, \(failures["interrupted", default: 0]) cut in flight")
        }
        lines.append("fulcrum-emu load: \(sent) sent, \(succeeded) succeeded, \(failed) failed" + (interrupted ? ", \(notSent) not sent (interrupted)" : ""))
        return lines.joined(separator: "\n")
    }

    private func ms(_ seconds: Double) -> String {
        String(format: "%.1f ms", seconds * 1000)
    }
}
