/// Whose metric names, labels and exposition quirks a worker copies on `/metrics`.
public enum EngineFlavor: String, Sendable, Hashable, CaseIterable, Codable {
    /// vLLM V1 through `prometheus_client`: `vllm:` names, labels `model_name` and `engine`,
    /// `_created` companions as separate gauge families.
    case vllm
    /// SGLang: `sglang:` names, `engine_type` prefill/decode, sorted labels, `_sum` before the
    /// buckets, no `_created` (multiprocess mode).
    case sglang
}
