/// One prefill worker: a FIFO queue served in chunked-prefill batches.
struct PrefillInstance {
    /// A slice of one prompt in the running batch.
    struct Chunk {
        var request: Int
        var tokens: Int
        /// This chunk is the prompt's last: the request's prefill ends with the batch.
        var completesPrompt: Bool
    }

    var worker: WorkerBookkeeping
    /// Requests not yet fully prefilled, oldest first; a partly prefilled prompt stays at the head.
    var queue = FIFOQueue<Int>()
    /// Prompt tokens in `queue` not yet given to a batch.
    var queuedTokens = 0
    var batch: [Chunk] = []
    var batchTokens = 0
    var ttft = HistogramAccumulator(bounds: VLLMHistogramBounds.timeToFirstToken)
    var prefixCache: PrefillPrefixCaches
    /// Cumulative prompt tokens looked up in the prefix cache and found (vLLM's counters).
    var prefixQueries = 0.0
    var prefixHits = 0.0

    var isBusy: Bool { !batch.isEmpty }
    var isEmpty: Bool { queue.isEmpty && batch.isEmpty }
    /// The router's load measure: prompt tokens this instance still has to process.
    var outstandingTokens: Int { queuedTokens + batchTokens }

    /// Requests with a chunk in the running batch (vLLM's `num_requests_running`).
    var requestsRunning: Int { batch.count }

    /// Requests waiting for a batch: the queue minus a head whose chunk is running.
    var requestsWaiting: Int {
        let partialHeadRunning = batch.last.map { !$0.completesPrompt } ?? false
        return queue.count - (partialHeadRunning ? 1 : 0)
    }
}
