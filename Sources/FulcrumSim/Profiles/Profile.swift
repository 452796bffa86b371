import FulcrumCore

/// How one model behaves on one kind of hardware: the simulator's ground truth for service
/// times, memory limits, KV transfer and start-up.
///
/// YAML schema (all keys required unless marked optional; times in seconds, sizes in bytes):
///
/// ```yaml
/// name: llama3-8b-h100                  # profile name, used on the command line
/// model: meta-llama/Llama-3.1-8B        # model served
/// gpus_per_instance: {prefill: 1, decode: 1}
/// prefill:                              # one batch takes overhead + per_token·T + attention·Σ(chunk attention)
///   batch_overhead_s: 0.006
///   per_token_s: 3.25e-5
///   attention_per_token_squared_s: 5.3e-10
///   max_batch_tokens: 8192              # chunked-prefill token budget per batch
/// decode:                               # one step takes a + b·batch + c·Σcontext
///   step_base_s: 0.007                  # a
///   step_per_sequence_s: 6.0e-5         # b
///   step_per_context_token_s: 4.9e-8    # c
///   kv_capacity_tokens: 396000          # KV cache of one decode instance, tokens
///   max_batch: 256                      # engine's max running sequences
/// kv_bytes_per_token: 131072
/// kv_transfer_bytes_per_s: 4.0e10       # prefill → decode link, per receiving instance
/// startup_s: 120                        # start → ready (load weights, warm up)
/// ```
///
/// Older profiles may carry `typical_prompt_tokens`; it is accepted and ignored, because the
/// priors now carry the attention term and so hold at every prompt length.
public struct Profile: Sendable, Hashable, Codable {
    public var name: String
    public var model: String
    public var gpusPerInstance: PerRole<Int>
    public var prefill: PrefillTimeModel
    public var decode: DecodeStepModel
    /// Bytes of KV cache one token occupies (all layers, K and V): what a transfer moves.
    public var kvBytesPerToken: Double
    /// Bandwidth of the prefill → decode KV transfer into one decode instance, bytes/s.
    public var kvTransferBytesPerSecond: Double
    /// Seconds from `start` until the worker serves (weights loaded, graphs captured).
    public var startupSeconds: Double

    public init(
        name: String,
        model: String,
        gpusPerInstance: PerRole<Int>,
        prefill: PrefillTimeModel,
        decode: DecodeStepModel,
        kvBytesPerToken: Double,
        kvTransferBytesPerSecond: Double,
        startupSeconds: Double
    ) {
        self.name = name
        self.model = model
        self.gpusPerInstance = gpusPerInstance
        self.prefill = prefill
        self.decode = decode
        self.kvBytesPerToken = kvBytesPerToken
        self.kvTransferBytesPerSecond = kvTransferBytesPerSecond
        self.startupSeconds = startupSeconds
    }

    /// Seconds to move the KV cache of `tokens` prompt tokens to a decode instance on an idle link.
    public func kvTransferSeconds(tokens: Int) -> Double {
        Double(tokens) * kvBytesPerToken / kvTransferBytesPerSecond
    }

    enum CodingKeys: String, CodingKey {
        case name, model, prefill, decode
        case gpusPerInstance = "gpus_per_instance"
        case kvBytesPerToken = "kv_bytes_per_token"
        case kvTransferBytesPerSecond = "kv_transfer_bytes_per_s"
        case startupSeconds = "startup_s"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        model = try container.decode(String.self, forKey: .model)
        gpusPerInstance = try container.decode(PerRole<Int>.self, forKey: .gpusPerInstance)
        prefill = try container.decode(PrefillTimeModel.self, forKey: .prefill)
        decode = try container.decode(DecodeStepModel.self, forKey: .decode)
        kvBytesPerToken = try container.decode(Double.self, forKey: .kvBytesPerToken)
        kvTransferBytesPerSecond = try container.decode(Double.self, forKey: .kvTransferBytesPerSecond)
        startupSeconds = try container.decode(Double.self, forKey: .startupSeconds)
    }
}
