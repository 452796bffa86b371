import FulcrumTraces

/// Prefill workers: FIFO, chunked-prefill batches up to the token budget.
extension ClusterSimulation {
    mutating func enqueuePrefill(_ request: Int, at index: Int) {
        requests[request].prefillEnqueuedAt = now
        requests[request].prefillInstance = index
        lookUpPrefix(request, at: index)
        prefills[index].queue.append(request)
        prefills[index].queuedTokens += requests[request].remainingPrefillTokens
        if !prefills[index].isBusy { startPrefillBatch(index) }
    }

    /// Fills a batch from the head of the queue up to the token budget. A prompt that does not
    /// fit is split: its first part runs now, the rest heads the next batch.
    mutating func startPrefillBatch(_ index: Int) {
        var budget = max(1, profile.prefill.maxBatchTokens)
        var tokens = 0
        var attention = 0.0
        var hostLoadSeconds = 0.0
        while budget > 0, let request = prefills[index].queue.first {
            let offset = requests[request].prefilledTokens
            hostLoadSeconds += takeHostLoad(request)
            let take = min(requests[request].remainingPrefillTokens, budget)
            attention += PrefillTimeModel.attentionWork(offset: offset, tokens: take)
            requests[request].prefilledTokens += take
            tokens += take
            budget -= take
            let completes = requests[request].remainingPrefillTokens == 0
            prefills[index].batch.append(.init(request: request, tokens: take, completesPrompt: completes))
            guard completes else { break }
            prefills[index].queue.popFirst()
        }
        guard tokens > 0 else { return }
        prefills[index].queuedTokens -= tokens
        prefills[index].batchTokens = tokens
        let seconds = profile.prefill.batchSeconds(tokens: tokens, attentionWork: attention) + hostLoadSeconds
        prefills[index].worker.busySeconds += seconds
        prefills[index].worker.batchSizeSeconds += Double(prefills[index].batch.count) * seconds
        schedule(.prefillBatchDone(instance: index), at: now + seconds)
    }

    /// Seconds to copy the request's host-cached prefix back to the GPU, charged once, to the
    /// batch that runs its first chunk: the engine waits for the copy before that forward pass.
    private mutating func takeHostLoad(_ request: Int) -> Double {
        let tokens = requests[request].hostLoadTokens
        guard tokens > 0, let host = input.hostKVCache else { return 0 }
        requests[request].hostLoadTokens = 0
        return host.loadSeconds(tokens: tokens, kvBytesPerToken: profile.kvBytesPerToken)
    }

    mutating func finishPrefillBatch(_ index: Int) {
        let batch = prefills[index].batch
        prefills[index].batch = []
        prefills[index].worker.promptTokens += Double(prefills[index].batchTokens)
        prefills[index].batchTokens = 0
        for chunk in batch where chunk.completesPrompt {
            rememberPrefix(chunk.request, at: index)
            // The prefill worker emits the first token and, as far as its own metrics go, is
            // done with the request.
            prefills[index].worker.generationTokens += 1
            prefills[index].worker.requestsFinished += 1
            prefills[index].ttft.observe(now - requests[chunk.request].prefillEnqueuedAt)
            finishPrefill(chunk.request)
        }
        if !prefills[index].queue.isEmpty {
            startPrefillBatch(index)
        } else if prefills[index].worker.state == .draining {
            stopWorker(role: .prefill, index: index)
        }
    }

    /// The prompt's cached leading blocks are not computed: prefill starts after them. Those
    /// found only in host memory are copied back first (see `startPrefillBatch`).
    private mutating func lookUpPrefix(_ request: Int, at index: Int) {
        guard tracksPrefixes else { return }
        let cached = Self.cachedPrefix(of: requests[request], in: prefills[index].prefixCache)
        prefills[index].prefixCache.use(requests[request].prefixBlocks.prefix(cached.match.blocks))
        requests[request].cachedTokens = cached.tokens
        requests[request].hostLoadTokens = cached.hostTokens
        requests[request].prefilledTokens = cached.tokens
        prefills[index].prefixQueries += Double(requests[request].inputTokens)
        prefills[index].prefixHits += Double(cached.tokens)
    }

    /// Newly placed prefill worker's caches: its GPU's KV capacity, and the host tier if any.
    func newPrefixCaches() -> PrefillPrefixCaches {
        let blockTokens = TraceRequest.prefixBlockTokens
        return PrefillPrefixCaches(
            gpuBlocks: profile.decode.kvCapacityTokens / blockTokens,
            hostBlocks: input.hostKVCache?.capacityBlocks(kvBytesPerToken: profile.kvBytesPerToken, blockTokens: blockTokens)
        )
    }

    /// A computed prompt's full blocks join the instance's cache; its prompt-token counter
    /// counts the cached part too, as vLLM's does (every prompt token, computed or not).
    private mutating func rememberPrefix(_ request: Int, at index: Int) {
        guard tracksPrefixes else { return }
        let state = requests[request]
        prefills[index].prefixCache.use(state.prefixBlocks.prefix(state.inputTokens / TraceRequest.prefixBlockTokens))
        prefills[index].worker.promptTokens += Double(state.cachedTokens)
    }

    /// A one-token request is done when its prefill is; any other goes to decode (or waits at
    /// the router for a decode instance), and reaches the client once its KV has moved.
    private mutating func finishPrefill(_ request: Int) {
        if requests[request].outputTokens == 1 {
            emitFirstToken(request)
            complete(request)
        } else {
            routeToDecode(request)
        }
    }
}
