import Foundation
import FulcrumCore
import FulcrumSim

/// A whole fleet's `/metrics` from one process, for measuring fulcrumd (and a Prometheus beside
/// it) at fleet size without running an engine per worker: every port of the port scheme answers
/// with a vLLM worker's exposition whose counters grow by that worker's share of a fleet-wide
/// demand that swings between two levels.
///
/// The share divides each role's demand among the ports of that role scraped within the last
/// `activeWindowSeconds` — the workers that exist — so the demand fulcrumd sums over its workers
/// is the schedule's, whatever the number of workers (no feedback from scaling into demand).
/// Latencies sit below typical targets; queues are empty, so the controller sizes from demand
/// and its priors.
public actor SyntheticFleet {
    public struct Schedule: Sendable {
        /// Prompt and generated tokens per second across the fleet, at the trough and the peak.
        public var promptTokens: ClosedRange<Double>
        public var generatedTokens: ClosedRange<Double>
        /// Seconds from trough to trough (a cosine starting at the trough).
        public var periodSeconds: Double
        public var meanPromptTokens: Double
        public var timeToFirstTokenSeconds: Double
        public var interTokenLatencySeconds: Double

        public init(promptTokens: ClosedRange<Double>, generatedTokens: ClosedRange<Double>, periodSeconds: Double,
                    meanPromptTokens: Double = 1000, timeToFirstTokenSeconds: Double = 0.3, interTokenLatencySeconds: Double = 0.025) {
            self.promptTokens = promptTokens
            self.generatedTokens = generatedTokens
            self.periodSeconds = periodSeconds
            self.meanPromptTokens = meanPromptTokens
            self.timeToFirstTokenSeconds = timeToFirstTokenSeconds
            self.interTokenLatencySeconds = interTokenLatencySeconds
        }

        /// Where in the swing `t` seconds after the start lies: 0 at the trough, 1 at the peak.
        func level(at t: Double) -> Double { 0.5 - 0.5 * cos(2 * Double.pi * t / periodSeconds) }

        func rate(_ range: ClosedRange<Double>, at t: Double) -> Double {
            range.lowerBound + (range.upperBound - range.lowerBound) * level(at: t)
        }
    }

    private struct Endpoint {
        var statistics: EngineStatistics
        var lastScrape: Double?
        /// Fractional tokens and requests not yet counted.
        var promptCarry = 0.0
        var generatedCarry = 0.0
        var requestCarry = 0.0
    }

    private let schedule: Schedule
    private let activeWindowSeconds: Double
    private let model: String
    private var endpoints: [Int: Endpoint] = [:]

    public init(schedule: Schedule, activeWindowSeconds: Double, model: String = "fulcrum-emu") {
        self.schedule = schedule
        self.activeWindowSeconds = activeWindowSeconds
        self.model = model
    }

    /// The exposition of the worker on `port`, scraped at `t` seconds after the start.
    public func scrape(port: Int, role: Role, at t: Double) -> String {
        var endpoint = endpoints[port] ?? Endpoint(statistics: EngineStatistics(role: role))
        if let last = endpoint.lastScrape {
            // A worker that was away (stopped, restarted) gets no backlog for the gap.
            let elapsed = min(t - last, activeWindowSeconds)
            advance(&endpoint, role: role, seconds: max(0, elapsed), at: t)
        }
        endpoint.lastScrape = t
        endpoints[port] = endpoint
        let gauges = EngineGauges(waiting: 0, running: 0, kvCacheUsage: 0.3 * schedule.level(at: t))
        return WorkerExposition.render(EngineMetricsSnapshot(gauges: gauges, statistics: endpoint.statistics),
                                       flavor: .vllm, role: role, model: model, createdAt: 1.7e9)
    }

    /// Workers of `role` scraped lately, this one included.
    private func activeCount(_ role: Role, at t: Double) -> Int {
        max(1, endpoints.values.filter { $0.statistics.role == role && t - ($0.lastScrape ?? -.infinity) <= activeWindowSeconds }.count)
    }

    private func advance(_ endpoint: inout Endpoint, role: Role, seconds: Double, at t: Double) {
        let share = seconds / Double(activeCount(role, at: t))
        let requests = schedule.rate(schedule.promptTokens, at: t) / schedule.meanPromptTokens * share + endpoint.requestCarry
        let wholeRequests = Int(requests)
        endpoint.requestCarry = requests - Double(wholeRequests)
        switch role {
        case .prefill:
            let prompt = schedule.rate(schedule.promptTokens, at: t) * share + endpoint.promptCarry
            endpoint.promptCarry = prompt - prompt.rounded(.down)
            endpoint.statistics.record(.promptTokens(Int(prompt), at: t), arrival: nil)
            for id in 0..<wholeRequests {
                endpoint.statistics.record(.firstToken(id: UInt64(id), at: t), arrival: t - schedule.timeToFirstTokenSeconds)
                endpoint.statistics.record(.finished(id: UInt64(id), reason: .length, at: t), arrival: nil)
            }
        case .decode:
            let generated = schedule.rate(schedule.generatedTokens, at: t) * share + endpoint.generatedCarry
            endpoint.generatedCarry = generated - generated.rounded(.down)
            endpoint.statistics.record(.step(seconds: schedule.interTokenLatencySeconds, sequences: Int(generated), at: t), arrival: nil)
            for id in 0..<wholeRequests {
                endpoint.statistics.record(.finished(id: UInt64(id), reason: .length, at: t), arrival: nil)
            }
        }
    }
}
