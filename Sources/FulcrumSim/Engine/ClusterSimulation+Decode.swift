/// Decode workers: KV transfer in, continuous batching out.
extension ClusterSimulation {
    /// Starts moving a prefilled request's KV to a decode instance. Its receiving NICs carry
    /// one transfer at a time, so concurrent transfers to one instance queue behind each other.
    mutating func sendToDecode(_ request: Int, at index: Int) {
        let state = requests[request]
        requests[request].decodeInstance = index
        decodes[index].inboundTransfers += 1
        decodes[index].inboundContextTokens += state.admissionContextTokens
        let start = max(now, decodes[index].linkFreeAt)
        let end = start + profile.kvTransferSeconds(tokens: state.inputTokens)
        decodes[index].linkFreeAt = end
        schedule(.kvTransferDone(request: request, decodeInstance: index), at: end)
    }

    /// The KV has arrived: the first token reaches the client and the request joins the
    /// decode queue.
    mutating func receiveTransfer(_ request: Int, at index: Int) {
        let state = requests[request]
        decodes[index].inboundTransfers -= 1
        decodes[index].inboundContextTokens -= state.admissionContextTokens
        emitFirstToken(request)
        decodes[index].worker.promptTokens += Double(state.inputTokens)
        decodes[index].queue.append(request)
        decodes[index].queuedContextTokens += state.admissionContextTokens
        // A running step admits newcomers only at its end (continuous batching works at step
        // boundaries); an idle instance starts at once.
        if !decodes[index].stepInProgress {
            admitWaitingSequences(index)
            startDecodeStepIfNeeded(index)
        }
    }

    /// Admits queued requests in FIFO order while the batch limit and the KV cache allow.
    ///
    /// Admission reserves the prompt plus the whole output, so a running sequence can always
    /// grow to completion and is never preempted (vLLM would preempt and recompute instead; the
    /// reservation trades some batch size for not modelling recomputation). The KV actually
    /// held, which the kv-usage gauge reports, is prompt plus tokens generated so far.
    mutating func admitWaitingSequences(_ index: Int) {
        let capacity = profile.decode.kvCapacityTokens
        let maxBatch = profile.decode.maxBatch
        while let request = decodes[index].queue.first {
            let state = requests[request]
            guard decodes[index].runningCount < maxBatch,
                  decodes[index].reservedTokens + state.decodeReservationTokens <= capacity
            else { break }
            decodes[index].queue.popFirst()
            decodes[index].queuedContextTokens -= state.admissionContextTokens
            decodes[index].reservedTokens += state.decodeReservationTokens
            decodes[index].contextTokens += state.admissionContextTokens
            // The first token came from prefill; decode emits the other `output − 1`.
            let finishStep = decodes[index].stepsCompleted + state.outputTokens - 1
            decodes[index].running.insert(.init(finishStep: finishStep, request: request))
        }
    }

    mutating func startDecodeStepIfNeeded(_ index: Int) {
        guard !decodes[index].stepInProgress, decodes[index].runningCount > 0 else { return }
        let seconds = profile.decode.stepSeconds(batch: decodes[index].runningCount, contextTokens: decodes[index].contextTokens)
        decodes[index].stepInProgress = true
        decodes[index].currentStepSeconds = seconds
        schedule(.decodeStepDone(instance: index), at: now + seconds)
    }

    /// Every running sequence gains one token; those reaching their output length finish and
    /// free their KV; the queue refills the batch; the next step starts.
    mutating func finishDecodeStep(_ index: Int) {
        let batch = decodes[index].runningCount
        let seconds = decodes[index].currentStepSeconds
        decodes[index].stepInProgress = false
        decodes[index].stepsCompleted += 1
        decodes[index].worker.busySeconds += seconds
        decodes[index].worker.batchSizeSeconds += Double(batch) * seconds
        decodes[index].worker.generationTokens += Double(batch)
        decodes[index].interTokenLatency.observe(seconds, count: batch)
        decodes[index].contextTokens += batch

        while let next = decodes[index].running.min, next.finishStep <= decodes[index].stepsCompleted {
            decodes[index].running.popMin()
            let state = requests[next.request]
            decodes[index].contextTokens -= state.inputTokens + state.outputTokens
            decodes[index].reservedTokens -= state.decodeReservationTokens
            decodes[index].worker.requestsFinished += 1
            complete(next.request)
        }

        admitWaitingSequences(index)
        startDecodeStepIfNeeded(index)
        if decodes[index].worker.state == .draining, decodes[index].isEmpty {
            stopWorker(role: .decode, index: index)
        }
    }
}
