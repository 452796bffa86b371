import Foundation

/// The parts of an OpenAI `POST /v1/completions` body the emulator uses.
///
/// The prompt's length in tokens is counted from the prompt itself, since there is no
/// tokenizer: a token-id array counts its elements, a string its whitespace-separated words.
public struct CompletionRequest: Sendable, Hashable {
    public var model: String?
    public var promptTokens: Int
    /// `max_tokens`, or 16 (OpenAI's default) when absent.
    public var maxTokens: Int
    public var stream: Bool
    public var includeUsage: Bool

    public static let defaultMaxTokens = 16

    public init(model: String? = nil, promptTokens: Int, maxTokens: Int, stream: Bool, includeUsage: Bool = false) {
        self.model = model
        self.promptTokens = promptTokens
        self.maxTokens = maxTokens
        self.stream = stream
        self.includeUsage = includeUsage
    }

    /// Parses a request body; the error message says which field is wrong and how to fix it.
    public static func parse(_ body: Data) throws(RequestError) -> CompletionRequest {
        let fields: Fields
        do {
            fields = try JSONDecoder().decode(Fields.self, from: body)
        } catch let error as RequestError {
            throw error
        } catch {
            throw RequestError("the request body is not a JSON object; send {\"prompt\": ..., \"max_tokens\": N}")
        }
        guard let promptTokens = fields.promptTokens else {
            throw RequestError("the request has no prompt; send \"prompt\" as a string or an array of token ids")
        }
        guard promptTokens > 0 else {
            throw RequestError("the prompt is empty; send at least one word or token id")
        }
        return CompletionRequest(
            model: fields.model,
            promptTokens: promptTokens,
            maxTokens: fields.maxTokens ?? defaultMaxTokens,
            stream: fields.stream ?? false,
            includeUsage: fields.includeUsage
        )
    }

    /// The body's fields, each checked with a message that names it.
    private struct Fields: Decodable {
        var model: String?
        var promptTokens: Int?
        var maxTokens: Int?
        var stream: Bool?
        var includeUsage = false

        enum Key: String, CodingKey {
            case model, prompt, stream
            case maxTokens = "max_tokens"
            case streamOptions = "stream_options"
            case includeUsage = "include_usage"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            model = try? container.decodeIfPresent(String.self, forKey: .model)
            if container.contains(.prompt), !((try? container.decodeNil(forKey: .prompt)) ?? false) {
                if let text = try? container.decode(String.self, forKey: .prompt) {
                    promptTokens = text.split(whereSeparator: { $0.isWhitespace }).count
                } else if let tokens = try? container.decode([Int].self, forKey: .prompt) {
                    promptTokens = tokens.count
                } else if (try? container.decode([String].self, forKey: .prompt)) != nil
                            || (try? container.decode([[Int]].self, forKey: .prompt)) != nil {
                    throw RequestError("prompt must be one string or one array of token ids (batched prompts are not supported); send one prompt per request")
                } else {
                    throw RequestError("prompt must be a string or an array of integer token ids; send one of those")
                }
            }
            if container.contains(.maxTokens), !((try? container.decodeNil(forKey: .maxTokens)) ?? false) {
                // The upper bound keeps token arithmetic exact; no model writes a billion tokens.
                guard let value = try? container.decode(Int.self, forKey: .maxTokens), (1...1_000_000_000).contains(value) else {
                    throw RequestError("max_tokens must be a whole number from 1 to 1000000000; send one in that range")
                }
                maxTokens = value
            }
            if container.contains(.stream), !((try? container.decodeNil(forKey: .stream)) ?? false) {
                guard let value = try? container.decode(Bool.self, forKey: .stream) else {
                    throw RequestError("stream must be true or false; send a JSON boolean")
                }
                stream = value
            }
            if let options = try? container.nestedContainer(keyedBy: Key.self, forKey: .streamOptions) {
                includeUsage = (try? options.decodeIfPresent(Bool.self, forKey: .includeUsage)) ?? false
            }
        }
    }
}

/// A client error in a request, phrased for the client.
public struct RequestError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
