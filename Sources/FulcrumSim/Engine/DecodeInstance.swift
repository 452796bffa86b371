/// One decode worker: continuous batching bounded by `maxBatch` and its KV cache.
struct DecodeInstance {
    /// A running sequence, ordered by the step at which it emits its last token, so a step
    /// touches only the sequences that finish instead of every sequence in the batch.
    struct RunningSequence: Comparable {
        var finishStep: Int
        var request: Int

        static func < (lhs: RunningSequence, rhs: RunningSequence) -> Bool {
            lhs.finishStep != rhs.finishStep ? lhs.finishStep < rhs.finishStep : lhs.request < rhs.request
        }
    }

    var worker: WorkerBookkeeping
    /// Requests whose KV has arrived, waiting for admission, oldest first.
    var queue = FIFOQueue<Int>()
    var queuedContextTokens = 0
    /// KV transfers on their way here: already this instance's work, so the router counts them.
    var inboundTransfers = 0
    var inboundContextTokens = 0
    /// The receiving NICs carry one transfer at a time at full rate: transfers queue here.
    var linkFreeAt = 0.0
    var running = BinaryHeap<RunningSequence>()
    /// Σ context (prompt + tokens generated so far) of the running sequences: the `Σcontext`
    /// of the step model and the KV actually held.
    var contextTokens = 0
    /// Σ (prompt + full output) of the running sequences: the KV promised to them.
    var reservedTokens = 0
    /// Steps completed since the worker started; finish steps are counted on this clock.
    var stepsCompleted = 0
    var stepInProgress = false
    var currentStepSeconds = 0.0
    var interTokenLatency = HistogramAccumulator(bounds: VLLMHistogramBounds.interTokenLatency)

    var runningCount: Int { running.count }
    var isEmpty: Bool { running.isEmpty && queue.isEmpty && inboundTransfers == 0 }
    /// The router's load measure: context tokens running, queued and on their way.
    var outstandingTokens: Int { contextTokens + queuedContextTokens + inboundContextTokens }
}
