/// A request while it moves through the simulated cluster.
struct RequestState {
    enum Status {
        case pending, completed, unservable, unfinished
    }

    let traceIndex: Int
    let arrival: Double
    /// At least one token: an empty prompt still costs a forward pass.
    let inputTokens: Int
    /// At least one token: the prefill always emits the first token.
    let outputTokens: Int
    /// The prompt's prefix-block hashes (empty when the trace has none).
    let prefixBlocks: [Int]
    /// Prompt tokens the prefill instance found in its prefix cache and did not compute.
    var cachedTokens = 0
    /// Of `cachedTokens`, those found only in host memory and not yet copied back to the GPU.
    var hostLoadTokens = 0
    var status: Status = .pending
    /// When the prefill worker received it (its own TTFT clock starts here).
    var prefillEnqueuedAt = 0.0
    /// Prompt tokens prefilled so far (chunked prefill continues from here).
    var prefilledTokens = 0
    var prefillInstance: Int?
    var decodeInstance: Int?
    var firstTokenAt: Double?
    var completedAt: Double?
    var resolvedAt: Double?

    var remainingPrefillTokens: Int { inputTokens - prefilledTokens }
    /// KV a decode instance must reserve so the request can never be preempted.
    var decodeReservationTokens: Int { inputTokens + outputTokens }
    /// KV held when decode admits it: the prompt plus the first token.
    var admissionContextTokens: Int { inputTokens + 1 }
}
