import AsyncHTTPClient
import FulcrumCore

/// Passes a decode worker's token stream on, timing it for the frontend metrics, and gives the
/// worker's lease back at the end however the stream ends.
struct TokenRelay: Sendable {
    struct Outcome: Sendable {
        var tokens: Int
        /// `[DONE]` arrived after all `max_tokens` tokens.
        var complete: Bool
    }

    let metrics: FrontendMetrics
    let registry: WorkerRegistry
    let lease: WorkerLease
    let response: HTTPClientResponse
    let parsed: CompletionRequest
    let arrival: ContinuousClock.Instant

    /// Calls `forward` with every event payload (token chunks, usage, `[DONE]`).
    @discardableResult
    func run(_ forward: (String) async throws -> Void) async throws -> Outcome {
        var decoder = SSEDecoder()
        var tokens = 0
        var done = false
        var lastToken: ContinuousClock.Instant?
        var failure: (any Error)?
        do {
            for try await buffer in response.body {
                for payload in decoder.feed(buffer.readableBytesView) {
                    if payload == "[DONE]" {
                        done = true
                    } else if payload.contains("\"choices\":[{") {
                        let now = ContinuousClock.now
                        tokens += 1
                        if let lastToken {
                            await metrics.token(gap: lastToken.duration(to: now).inSeconds)
                        } else {
                            await metrics.firstToken(after: arrival.secondsSince)
                        }
                        lastToken = now
                    }
                    try await forward(payload)
                }
            }
        } catch {
            failure = error
        }
        await registry.release(lease)
        await metrics.tokensStreamed(tokens)
        let complete = done && tokens >= parsed.maxTokens
        await metrics.finished(stream: parsed.stream, success: complete, outputTokens: tokens, seconds: arrival.secondsSince)
        if let failure { throw failure }
        return Outcome(tokens: tokens, complete: complete)
    }
}
