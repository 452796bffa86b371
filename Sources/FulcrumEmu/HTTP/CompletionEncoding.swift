import Foundation

/// Writes completion responses as vLLM's OpenAI server does: one `text_completion` chunk per
/// token as a Server-Sent Event, the last carrying `finish_reason`, then `data: [DONE]`; or
/// one JSON object with `usage`. Token text is a placeholder word: only the count is real.
public struct CompletionEncoding: Sendable {
    public static let tokenText = " tok"

    private let prefix: String

    public init(requestID: UInt64, model: String, created: Int) {
        prefix = "{\"id\":\"cmpl-emu-\(requestID)\",\"object\":\"text_completion\",\"created\":\(created),\"model\":\(Self.jsonString(model)),"
    }

    /// One streamed token as an SSE event.
    public func tokenEvent(finishReason: FinishReason?) -> String {
        let reason = finishReason.map { "\"\($0.rawValue)\"" } ?? "null"
        return "data: \(prefix)\"choices\":[{\"index\":0,\"text\":\"\(Self.tokenText)\",\"logprobs\":null,\"finish_reason\":\(reason),\"stop_reason\":null}]}\n\n"
    }

    /// The usage chunk sent before `[DONE]` when `stream_options.include_usage` is set.
    public func usageEvent(promptTokens: Int, completionTokens: Int) -> String {
        "data: \(prefix)\"choices\":[],\"usage\":\(Self.usage(promptTokens, completionTokens))}\n\n"
    }

    public static let doneEvent = "data: [DONE]\n\n"

    /// The whole response of a non-streaming request.
    public func completion(tokens: Int, finishReason: FinishReason, promptTokens: Int) -> String {
        let text = String(repeating: Self.tokenText, count: tokens)
        return "\(prefix)\"choices\":[{\"index\":0,\"text\":\"\(text)\",\"logprobs\":null,\"finish_reason\":\"\(finishReason.rawValue)\",\"stop_reason\":null}],\"usage\":\(Self.usage(promptTokens, tokens))}"
    }

    static func usage(_ prompt: Int, _ completion: Int) -> String {
        "{\"prompt_tokens\":\(prompt),\"total_tokens\":\(prompt + completion),\"completion_tokens\":\(completion)}"
    }

    /// vLLM's error body: `{"object":"error","message":...,"type":...,"param":null,"code":N}`.
    public static func error(_ message: String, type: String, code: Int) -> String {
        "{\"object\":\"error\",\"message\":\(jsonString(message)),\"type\":\(jsonString(type)),\"param\":null,\"code\":\(code)}"
    }

    static func jsonString(_ string: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = (try? encoder.encode(string)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
