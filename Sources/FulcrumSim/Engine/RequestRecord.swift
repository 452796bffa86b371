/// What happened to one request of the trace.
public struct RequestRecord: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case completed
        /// Could never be served: prompt plus output exceed one decode instance's KV cache.
        case unservable
        /// Still in the system when the simulation gave up (see `maxDrainSeconds`).
        case unfinished
    }

    /// Position in the trace as given.
    public var index: Int
    public var arrival: Double
    public var inputTokens: Int
    public var outputTokens: Int
    public var status: Status
    /// Arrival → first token at the client (after prefill and the KV transfer), seconds.
    public var ttft: Double?
    /// Mean seconds per output token after the first; `nil` for one-token outputs.
    public var tpot: Double?
    /// When the last token was emitted.
    public var completedAt: Double?
    /// When it was resolved: completed, or found unservable, or given up on.
    public var resolvedAt: Double
    public var meetsSLO: Bool
    public var prefillWorker: String?
    public var decodeWorker: String?
}
