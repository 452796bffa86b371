import AsyncHTTPClient
import Foundation
import FulcrumCore
import FulcrumTelemetry
import FulcrumTraces
import NIOCore

/// Replays a trace as streaming `POST /v1/completions` requests at their arrival times, at most
/// `concurrency` at once (later ones queue, and their queueing counts in their TTFT).
public struct LoadGenerator: Sendable {
    public var target: String
    public var requests: [TraceRequest]
    public var concurrency: Int
    /// Sent as `model`; omitted when `nil`.
    public var model: String?
    public var requestTimeout: Duration

    public init(target: String, requests: [TraceRequest], concurrency: Int = 256, model: String? = nil, requestTimeout: Duration = .seconds(600)) {
        self.target = target
        self.requests = requests.sorted { $0.arrival < $1.arrival }
        self.concurrency = concurrency
        self.model = model
        self.requestTimeout = requestTimeout
    }

    /// The completions URL for a target given as a base URL or as the endpoint itself.
    public static func completionsURL(_ target: String) throws(UsageError) -> String {
        var base = target
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), let scheme = url.scheme, scheme == "http" || scheme == "https", url.host != nil,
              (url.port ?? 80) <= 65535
        else {
            throw UsageError("--target \(target) is not an http:// URL with a port up to 65535; pass the router or worker base URL, e.g. http://127.0.0.1:8000")
        }
        return base.hasSuffix("/completions") ? base : base + "/v1/completions"
    }

    /// Fails at once, with a sentence naming the target, when nothing answers HTTP there:
    /// otherwise every request of the trace would wait out its own connection attempts.
    /// Any HTTP answer (a 404 included) means the target is up.
    public func checkReachable(client: HTTPClient, timeout: Duration = .seconds(10)) async throws(UsageError) {
        let url = try Self.completionsURL(target)
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        do {
            let response = try await client.execute(request, timeout: TimeAmount(timeout))
            _ = try? await response.body.collect(upTo: 1 << 20)
        } catch {
            throw UsageError("nothing answers HTTP at --target \(target) (\(TransportProblem.describe(error))); start the router or worker first, or check the URL.")
        }
    }

    /// Runs the replay with `client` (which the caller shuts down) and reports every request.
    /// Cancelled (Ctrl-C), it sends nothing more, cuts the requests in flight (counted as
    /// `interrupted`) and reports what was done, with the requests never sent.
    public func run(client: HTTPClient) async throws(UsageError) -> LoadReport {
        let url = try Self.completionsURL(target)
        let semaphore = AsyncSemaphore(permits: max(1, concurrency))
        let start = ContinuousClock.now
        let outcomes = await withTaskGroup(of: RequestOutcome.self) { group in
            for (index, request) in requests.enumerated() {
                let due = start.advanced(by: .seconds(request.arrival))
                try? await Task.sleep(until: due, clock: .continuous)
                if Task.isCancelled { break }
                await semaphore.acquire()
                if Task.isCancelled {
                    await semaphore.release()
                    break
                }
                group.addTask {
                    let outcome = await send(request, index: index, url: url, due: due, start: start, client: client)
                    await semaphore.release()
                    return outcome
                }
            }
            var outcomes: [RequestOutcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes.sorted { $0.index < $1.index }
        }
        return LoadReport(target: target, outcomes: outcomes, notSent: requests.count - outcomes.count,
                          durationSeconds: start.duration(to: .now).inSeconds)
    }

    private func send(_ trace: TraceRequest, index: Int, url: String, due: ContinuousClock.Instant, start: ContinuousClock.Instant, client: HTTPClient) async -> RequestOutcome {
        // A trace row with no output still asks for one token: the prefill always makes one.
        let maxTokens = max(1, trace.outputTokens)
        var outcome = RequestOutcome(index: index, scheduledAt: start.duration(to: due).inSeconds, expectedTokens: maxTokens, tokens: 0)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body(promptTokens: max(1, trace.inputTokens), maxTokens: maxTokens)))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: TimeAmount(requestTimeout))
        } catch {
            outcome.failure = Task.isCancelled ? .interrupted(tokens: 0) : .connection(TransportProblem.describe(error))
            return outcome
        }
        guard response.status == .ok else {
            _ = try? await response.body.collect(upTo: 1 << 20)
            outcome.failure = .http(Int(response.status.code))
            return outcome
        }
        await Self.readStream(response.body, due: due, maxTokens: maxTokens, into: &outcome)
        return outcome
    }

    /// Reads the completion's event stream: counts its token events, times the first and the
    /// last, and records how it ended (cut off, interrupted, short of `maxTokens`).
    private static func readStream(_ body: HTTPClientResponse.Body, due: ContinuousClock.Instant, maxTokens: Int,
                                   into outcome: inout RequestOutcome) async {
        var decoder = SSEDecoder()
        var done = false
        var first: ContinuousClock.Instant?
        var last: ContinuousClock.Instant?
        do {
            for try await buffer in body {
                for payload in decoder.feed(buffer.readableBytesView) {
                    if payload == "[DONE]" {
                        done = true
                    } else if payload.contains("\"choices\":[{") {
                        let now = ContinuousClock.now
                        if first == nil { first = now }
                        last = now
                        outcome.tokens += 1
                    }
                }
            }
        } catch {
            // Reported below as truncated: the stream broke before [DONE].
        }
        if let first {
            outcome.timeToFirstToken = due.duration(to: first).inSeconds
            if let last, outcome.tokens > 1 {
                outcome.timePerOutputToken = first.duration(to: last).inSeconds / Double(outcome.tokens - 1)
            }
        }
        if !done, Task.isCancelled {
            outcome.failure = .interrupted(tokens: outcome.tokens)
        } else if !done {
            outcome.failure = .truncated(tokens: outcome.tokens)
        } else if outcome.tokens < maxTokens {
            outcome.failure = .short(tokens: outcome.tokens, expected: maxTokens)
        }
    }

    /// A prompt of token ids, so that any OpenAI-compatible server counts the same length;
    /// `ignore_eos` makes a real vLLM produce all `max_tokens` too.
    private func body(promptTokens: Int, maxTokens: Int) -> String {
        var prompt = "["
        prompt.reserveCapacity(promptTokens * 4 + 2)
        for index in 0..<promptTokens {
            if index > 0 { prompt += "," }
            prompt += String(100 + index % 900)
        }
        prompt += "]"
        let modelField = model.map { "\"model\":\(CompletionEncoding.jsonString($0))," } ?? ""
        return "{\(modelField)\"prompt\":\(prompt),\"max_tokens\":\(maxTokens),\"stream\":true,\"ignore_eos\":true}"
    }
}
