import FulcrumCore
import FulcrumSim

/// The cumulative counters and histograms an engine exports, folded from its events.
///
/// Generation tokens follow the simulator: a prefill worker counts the first token it makes; a
/// decode worker counts the tokens of its steps, not the first token it relays on KV arrival.
public struct EngineStatistics: Sendable, Hashable {
    public let role: Role
    public private(set) var promptTokens = 0.0
    public private(set) var generationTokens = 0.0
    public private(set) var finished: [FinishReason: Double] = [:]
    /// Arrival at this worker → first token sent, seconds of wall time.
    public private(set) var timeToFirstToken = LatencyHistogram(bounds: VLLMHistogramBounds.timeToFirstToken)
    /// One observation per token a step produced: the step's duration.
    public private(set) var interTokenLatency = LatencyHistogram(bounds: VLLMHistogramBounds.interTokenLatency)

    public init(role: Role) {
        self.role = role
    }

    public var requestsFinished: Double { finished.values.reduce(0, +) }

    /// `arrival` is the request's arrival time, needed for `firstToken` events.
    public mutating func record(_ event: EngineEvent, arrival: Double?) {
        switch event {
        case .firstToken(_, let at):
            if role == .prefill { generationTokens += 1 }
            if let arrival { timeToFirstToken.observe(max(0, at - arrival)) }
        case .token:
            break
        case .finished(_, let reason, _):
            finished[reason, default: 0] += 1
        case .promptTokens(let tokens, _):
            promptTokens += Double(tokens)
        case .step(let seconds, let sequences, _):
            generationTokens += Double(sequences)
            interTokenLatency.observe(seconds, count: sequences)
        }
    }
}
