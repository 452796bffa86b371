/// One request of a replayable trace, normalised from whatever format it was read from.
///
/// `arrival` is seconds from the start of the trace (the first request of a trace read from an
/// absolute-timestamp format arrives at 0), so every consumer (simulator, load generator) can
/// replay it without knowing where it came from.
public struct TraceRequest: Sendable, Hashable, Codable {
    public var arrival: Double
    public var inputTokens: Int
    public var outputTokens: Int

    public init(arrival: Double, inputTokens: Int, outputTokens: Int) {
        self.arrival = arrival
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}
