import FulcrumCore

/// The per-worker signals the controller reads (the fields of `FulcrumCore.WorkerTelemetry`).
public enum WorkerSignal: String, Sendable, Hashable, Codable, CaseIterable, CodingKeyRepresentable {
    case requestsWaiting
    case requestsRunning
    case kvCacheUsage
    case timeToFirstToken
    case interTokenLatency
    case promptTokens
    case generationTokens
    case requestsFinished
    case prefixCacheQueries
    case prefixCacheHits
    case prefixCacheHitRate
    case kvTransferSeconds
    case kvTransfers
    case kvTransferSecondsTotal

    /// How the series of a data-parallel endpoint (label `engine`, `dp_rank`...) combine.
    public var aggregation: Aggregation {
        switch self {
        case .requestsWaiting, .requestsRunning, .promptTokens, .generationTokens, .requestsFinished,
             .prefixCacheQueries, .prefixCacheHits, .kvTransfers, .kvTransferSecondsTotal: return .sum
        case .kvCacheUsage, .prefixCacheHitRate, .kvTransferSeconds: return .mean
        case .timeToFirstToken, .interTokenLatency: return .histogram
        }
    }

    /// The values a reading can take; one outside is an exposition fault, refused with an
    /// issue rather than handed to the controller (a KV use of 42 is a percentage misread).
    var admissible: ClosedRange<Double> {
        switch self {
        case .kvCacheUsage, .prefixCacheHitRate: 0...1
        default: 0...Double.greatestFiniteMagnitude
        }
    }
}

/// The cluster-level signals read from a router / frontend (`FulcrumCore.FrontendTelemetry`).
public enum FrontendSignal: String, Sendable, Hashable, Codable, CaseIterable, CodingKeyRepresentable {
    case requestsArrived
    case inputTokens
    case outputTokens
    case requestsCompleted
    case timeToFirstToken
    case interTokenLatency

    public var aggregation: Aggregation {
        switch self {
        case .requestsArrived, .inputTokens, .outputTokens, .requestsCompleted: return .sum
        case .timeToFirstToken, .interTokenLatency: return .histogram
        }
    }

    /// Every frontend scalar is a counter: never negative.
    var admissible: ClosedRange<Double> { 0...Double.greatestFiniteMagnitude }
}

/// How several series of one signal combine.
public enum Aggregation: String, Sendable, Hashable, Codable {
    /// Gauges and counters: add the series.
    case sum
    /// Fractions such as KV-cache use: average the series.
    case mean
    /// Histograms: add bucket by bucket (the series must share bounds).
    case histogram
}

/// Where one signal comes from: a metric name, optional label equality matchers, a scale factor.
///
/// `metric` is the sample name for gauges and counters (`vllm:prompt_tokens_total`; the
/// OpenMetrics spelling without `_total` is found too), or a histogram's `_sum` / `_count`
/// sample for a scalar taken from a histogram, or the histogram's base name for histogram
/// signals. `plus` names further metrics added to the first (same matchers and scale).
public struct SignalSource: Sendable, Hashable, Codable, CustomStringConvertible {
    public var metric: String
    public var labels: [String: String]
    public var scale: Double
    public var plus: [String]

    public init(_ metric: String, labels: [String: String] = [:], scale: Double = 1, plus: [String] = []) {
        self.metric = metric
        self.labels = labels
        self.scale = scale
        self.plus = plus
    }

    enum CodingKeys: String, CodingKey { case metric, labels, scale, plus }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metric = try container.decode(String.self, forKey: .metric)
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        scale = try container.decodeIfPresent(Double.self, forKey: .scale) ?? 1
        plus = try container.decodeIfPresent([String].self, forKey: .plus) ?? []
    }

    public var description: String {
        var text = ([metric] + plus).joined(separator: " + ")
        if !labels.isEmpty {
            text += "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.debugDescription)" }.joined(separator: ",") + "}"
        }
        if scale != 1 { text += " × \(scale)" }
        return text
    }

    var metricNames: [String] { [metric] + plus }
}

/// Reads a worker's role from a label, e.g. SGLang's `engine_type="prefill"`.
public struct RoleHintRule: Sendable, Hashable, Codable {
    public var label: String
    public var prefillValues: [String]
    public var decodeValues: [String]

    public init(label: String, prefillValues: [String], decodeValues: [String]) {
        self.label = label
        self.prefillValues = prefillValues
        self.decodeValues = decodeValues
    }
}

/// An engine's metric names, mapped onto the worker signals.
///
/// Each signal has candidate sources in priority order: the first whose family is present in
/// the scrape is used (so V1 names come before the V0 names they replaced). A family that is
/// declared but has no samples yet (a labelled Python metric before its first observation)
/// counts as present: scalars read 0, histograms `nil`.
public struct EnginePreset: Sendable, Hashable, Codable, CustomStringConvertible {
    public var name: String
    /// Family-name prefixes that identify the engine for auto-detection.
    public var detectionPrefixes: [String]
    public var signals: [WorkerSignal: [SignalSource]]
    /// Signals without which no `WorkerTelemetry` is produced.
    public var required: Set<WorkerSignal>
    public var roleHint: RoleHintRule?

    public init(
        name: String,
        detectionPrefixes: [String],
        signals: [WorkerSignal: [SignalSource]],
        required: Set<WorkerSignal>,
        roleHint: RoleHintRule? = nil
    ) {
        self.name = name
        self.detectionPrefixes = detectionPrefixes
        self.signals = signals
        self.required = required
        self.roleHint = roleHint
    }

    public var description: String { name }

    /// Every metric name the preset may read: the interest set to parse with.
    public var metricNames: Set<String> {
        Set(signals.values.flatMap { $0.flatMap(\.metricNames) })
    }

    /// This preset with `custom`'s signals replacing (or adding) candidates.
    public func applying(_ custom: CustomMapping) -> EnginePreset {
        var preset = self
        if let name = custom.name { preset.name = name }
        if let prefixes = custom.detectionPrefixes { preset.detectionPrefixes = prefixes }
        for (signal, sources) in custom.signals { preset.signals[signal] = sources }
        if let required = custom.required { preset.required = required }
        if let roleHint = custom.roleHint { preset.roleHint = roleHint }
        return preset
    }

    // MARK: Built-in presets

    /// vLLM V1 (`vllm/v1/metrics/loggers.py`), with V0 fallbacks. Data-parallel engines are
    /// series labelled `engine="0"`, `engine="1"`...
    ///
    /// Prefix caching: queries and hits count tokens; hits found by a KV connector (LMCache,
    /// `external_prefix_cache_hits`) are not computed either, so they add to the local hits.
    /// KV hand-off: the NIXL connector's transfer-time histogram, when it is configured.
    public static let vllm = EnginePreset(
        name: "vllm",
        detectionPrefixes: ["vllm:"],
        signals: [
            .requestsWaiting: [SignalSource("vllm:num_requests_waiting")],
            .requestsRunning: [SignalSource("vllm:num_requests_running")],
            .kvCacheUsage: [SignalSource("vllm:kv_cache_usage_perc"), SignalSource("vllm:gpu_cache_usage_perc")],
            .timeToFirstToken: [SignalSource("vllm:time_to_first_token_seconds")],
            .interTokenLatency: [SignalSource("vllm:inter_token_latency_seconds"), SignalSource("vllm:time_per_output_token_seconds")],
            .promptTokens: [SignalSource("vllm:prompt_tokens_total")],
            .generationTokens: [SignalSource("vllm:generation_tokens_total")],
            .requestsFinished: [SignalSource("vllm:request_success_total")],
            .prefixCacheQueries: [SignalSource("vllm:prefix_cache_queries_total"), SignalSource("vllm:gpu_prefix_cache_queries_total")],
            .prefixCacheHits: [
                SignalSource("vllm:prefix_cache_hits_total", plus: ["vllm:external_prefix_cache_hits_total"]),
                SignalSource("vllm:prefix_cache_hits_total"),
                SignalSource("vllm:gpu_prefix_cache_hits_total"),
            ],
            .prefixCacheHitRate: [SignalSource("dynamo_component_kvstats_gpu_prefix_cache_hit_rate")],
            .kvTransfers: [SignalSource("vllm:nixl_xfer_time_seconds_count")],
            .kvTransferSecondsTotal: [SignalSource("vllm:nixl_xfer_time_seconds_sum")],
        ],
        required: [.requestsWaiting, .requestsRunning, .kvCacheUsage, .timeToFirstToken, .interTokenLatency,
                   .promptTokens, .generationTokens, .requestsFinished]
    )

    /// SGLang (`python/sglang/srt/metrics/collector.py`). Data-parallel ranks are series
    /// labelled `dp_rank`; `engine_type` is `unified`, `prefill` or `decode`.
    ///
    /// Prefix caching: `realtime_tokens_total{mode="prefill_cache"}` counts the prompt tokens
    /// found in the radix cache. `cache_hit_rate` is only the last prefill batch's rate (and
    /// reads 0 after a decode log), so it is the last resort. KV hand-off (prefill workers in
    /// PD mode): `kv_transfer_latency_ms`, a histogram in newer versions, a gauge before.
    public static let sglang = EnginePreset(
        name: "sglang",
        detectionPrefixes: ["sglang:"],
        signals: [
            .requestsWaiting: [SignalSource("sglang:num_queue_reqs")],
            .requestsRunning: [SignalSource("sglang:num_running_reqs")],
            .kvCacheUsage: [SignalSource("sglang:token_usage")],
            .timeToFirstToken: [SignalSource("sglang:time_to_first_token_seconds")],
            .interTokenLatency: [SignalSource("sglang:inter_token_latency_seconds"), SignalSource("sglang:time_per_output_token_seconds")],
            .promptTokens: [SignalSource("sglang:prompt_tokens_total")],
            .generationTokens: [SignalSource("sglang:generation_tokens_total")],
            .requestsFinished: [SignalSource("sglang:num_requests_total")],
            .prefixCacheQueries: [SignalSource("sglang:prompt_tokens_total")],
            .prefixCacheHits: [SignalSource("sglang:realtime_tokens_total", labels: ["mode": "prefill_cache"])],
            .prefixCacheHitRate: [SignalSource("sglang:cache_hit_rate"), SignalSource("dynamo_component_kvstats_gpu_prefix_cache_hit_rate")],
            .kvTransferSeconds: [SignalSource("sglang:kv_transfer_latency_ms", scale: 0.001)],
            .kvTransfers: [SignalSource("sglang:kv_transfer_latency_ms_count")],
            .kvTransferSecondsTotal: [SignalSource("sglang:kv_transfer_latency_ms_sum", scale: 0.001)],
        ],
        required: [.requestsWaiting, .requestsRunning, .kvCacheUsage, .timeToFirstToken, .interTokenLatency, .promptTokens, .generationTokens],
        roleHint: RoleHintRule(label: "engine_type", prefillValues: ["prefill"], decodeValues: ["decode"])
    )

    /// TensorRT-LLM (`tensorrt_llm/metrics/collector.py`), served by `trtllm-serve` at
    /// `/prometheus/metrics` or through Dynamo (`python -m dynamo.trtllm`, which passes the
    /// `trtllm_*` families through beside its own `dynamo_component_*` ones).
    ///
    /// The iteration-level gauges (waiting, running, KV use) and the token counters exist only
    /// with iteration statistics enabled (`enable_iter_perf_stats`); without them Dynamo's
    /// work-handler families stand in: `inflight_requests` (queued and running together) for
    /// running, `kvstats_gpu_cache_usage_percent` (a 0–1 fraction despite its name) for KV use,
    /// `requests_total` for finished requests. Such a worker counts no tokens: prompt lengths
    /// then come from the frontend and capacity from the profile (see docs/metrics-presets.md).
    public static let trtllm = EnginePreset(
        name: "trtllm",
        detectionPrefixes: ["trtllm_"],
        signals: [
            .requestsWaiting: [SignalSource("trtllm_num_requests_waiting")],
            .requestsRunning: [
                SignalSource("trtllm_num_requests_running"),
                SignalSource("dynamo_component_inflight_requests", labels: ["dynamo_endpoint": "generate"]),
            ],
            .kvCacheUsage: [SignalSource("trtllm_kv_cache_utilization"), SignalSource("dynamo_component_kvstats_gpu_cache_usage_percent")],
            .timeToFirstToken: [SignalSource("trtllm_time_to_first_token_seconds")],
            .interTokenLatency: [SignalSource("trtllm_time_per_output_token_seconds")],
            .promptTokens: [SignalSource("trtllm_prompt_tokens_total")],
            .generationTokens: [SignalSource("trtllm_generation_tokens_total")],
            .requestsFinished: [
                SignalSource("trtllm_request_success_total"),
                SignalSource("dynamo_component_requests_total", labels: ["dynamo_endpoint": "generate"]),
            ],
            .prefixCacheQueries: [SignalSource("trtllm_prompt_tokens_total")],
            .prefixCacheHits: [SignalSource("trtllm_prompt_cached_tokens_total")],
            .prefixCacheHitRate: [SignalSource("dynamo_component_kvstats_gpu_prefix_cache_hit_rate")],
            .kvTransfers: [SignalSource("trtllm_kv_transfer_latency_seconds_count")],
            .kvTransferSecondsTotal: [SignalSource("trtllm_kv_transfer_latency_seconds_sum")],
        ],
        required: [.requestsRunning, .timeToFirstToken, .interTokenLatency, .requestsFinished]
    )

    /// Hugging Face TGI (`router/src/server.rs`, exported by metrics-exporter-prometheus:
    /// counters without `_total`, no `_created`, 35-bucket duration histograms). TGI has no
    /// KV-use, prefix-cache or time-to-first-token metric: TTFT comes from a frontend when one
    /// is scraped; inter-token latency is `mean_time_per_token_duration`, which includes the
    /// request's share of prefill. Token counts are the sums of the input-length and
    /// generated-tokens histograms.
    public static let tgi = EnginePreset(
        name: "tgi",
        detectionPrefixes: ["tgi_"],
        signals: [
            .requestsWaiting: [SignalSource("tgi_queue_size")],
            .requestsRunning: [SignalSource("tgi_batch_current_size")],
            .interTokenLatency: [SignalSource("tgi_request_mean_time_per_token_duration")],
            .promptTokens: [SignalSource("tgi_request_input_length_sum")],
            .generationTokens: [SignalSource("tgi_request_generated_tokens_sum")],
            .requestsFinished: [SignalSource("tgi_request_success")],
        ],
        required: [.requestsWaiting, .requestsRunning, .interTokenLatency, .promptTokens, .generationTokens, .requestsFinished]
    )

    public static let builtIn: [EnginePreset] = [.vllm, .sglang, .trtllm, .tgi]

    /// The built-in (or given) preset whose detection prefixes match the most families in the
    /// scrape; `nil` if none matches. Dynamo workers expose `dynamo_component_*` families next to
    /// the engine's own, so they are detected as their engine.
    public static func detect(in exposition: Exposition, among presets: [EnginePreset] = builtIn) -> EnginePreset? {
        var best: (preset: EnginePreset, hits: Int)? = nil
        for preset in presets {
            let hits = exposition.allFamilies.filter { family in
                preset.detectionPrefixes.contains { family.name.hasPrefix($0) }
            }.count
            if hits > 0, hits > (best?.hits ?? 0) { best = (preset, hits) }
        }
        return best?.preset
    }

    public static func named(_ name: String, among presets: [EnginePreset] = builtIn) -> EnginePreset? {
        presets.first { $0.name == name }
    }
}

/// A user mapping that overrides or extends a preset, typically decoded from JSON or YAML:
///
///     { "base": "vllm",
///       "signals": { "kvCacheUsage": [ { "metric": "my_kv_used_percent", "scale": 0.01 } ] } }
///
/// Signals listed replace the base preset's candidates for that signal; the others are kept.
/// Without `base` the mapping stands alone (give `name`, `detectionPrefixes` and `required`).
public struct CustomMapping: Sendable, Hashable, Codable {
    public var base: String?
    public var name: String?
    public var detectionPrefixes: [String]?
    public var signals: [WorkerSignal: [SignalSource]]
    public var required: Set<WorkerSignal>?
    public var roleHint: RoleHintRule?

    public init(
        base: String? = nil,
        name: String? = nil,
        detectionPrefixes: [String]? = nil,
        signals: [WorkerSignal: [SignalSource]] = [:],
        required: Set<WorkerSignal>? = nil,
        roleHint: RoleHintRule? = nil
    ) {
        self.base = base
        self.name = name
        self.detectionPrefixes = detectionPrefixes
        self.signals = signals
        self.required = required
        self.roleHint = roleHint
    }

    enum CodingKeys: String, CodingKey { case base, name, detectionPrefixes, signals, required, roleHint }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        base = try container.decodeIfPresent(String.self, forKey: .base)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        detectionPrefixes = try container.decodeIfPresent([String].self, forKey: .detectionPrefixes)
        signals = try container.decodeIfPresent([WorkerSignal: [SignalSource]].self, forKey: .signals) ?? [:]
        required = try container.decodeIfPresent(Set<WorkerSignal>.self, forKey: .required)
        roleHint = try container.decodeIfPresent(RoleHintRule.self, forKey: .roleHint)
    }

    public enum ResolutionError: Error, Sendable, Equatable, CustomStringConvertible {
        case unknownBase(String)
        public var description: String {
            switch self {
            case .unknownBase(let name): return "custom mapping names unknown base preset \(name.debugDescription)"
            }
        }
    }

    /// The preset this mapping describes.
    public func resolve(among presets: [EnginePreset] = EnginePreset.builtIn) throws(ResolutionError) -> EnginePreset {
        let start: EnginePreset
        if let base {
            guard let found = EnginePreset.named(base, among: presets) else { throw .unknownBase(base) }
            start = found
        } else {
            start = EnginePreset(name: name ?? "custom", detectionPrefixes: [], signals: [:], required: [])
        }
        return start.applying(self)
    }
}

/// A frontend's metric names, mapped onto the frontend signals.
public struct FrontendPreset: Sendable, Hashable, Codable {
    public var name: String
    public var detectionPrefixes: [String]
    public var signals: [FrontendSignal: [SignalSource]]
    public var required: Set<FrontendSignal>

    public init(name: String, detectionPrefixes: [String], signals: [FrontendSignal: [SignalSource]], required: Set<FrontendSignal>) {
        self.name = name
        self.detectionPrefixes = detectionPrefixes
        self.signals = signals
        self.required = required
    }

    public var metricNames: Set<String> {
        Set(signals.values.flatMap { $0.flatMap(\.metricNames) })
    }

    /// The presets by the name `frontend.preset` takes in a configuration file.
    public static let byConfigurationName: [String: FrontendPreset] = ["dynamo": .dynamo]

    /// NVIDIA Dynamo's HTTP frontend (`lib/llm/src/http/service/metrics.rs`, names from
    /// `lib/runtime/src/metrics/prometheus_names.rs`).
    ///
    /// Arrivals: `dynamo_frontend_requests_started_total` where the frontend has it, otherwise
    /// completed requests (`requests_total`, every status) plus those in flight. Token counts
    /// are the sums of the input / output sequence-length histograms, and completions the
    /// output histogram's count, so that output tokens / completions is the mean output length.
    public static let dynamo = FrontendPreset(
        name: "dynamo-frontend",
        detectionPrefixes: ["dynamo_frontend_"],
        signals: [
            .requestsArrived: [
                SignalSource("dynamo_frontend_requests_started_total"),
                SignalSource("dynamo_frontend_requests_total", plus: ["dynamo_frontend_inflight_requests"]),
            ],
            .inputTokens: [SignalSource("dynamo_frontend_input_sequence_tokens_sum")],
            .outputTokens: [SignalSource("dynamo_frontend_output_sequence_tokens_sum")],
            .requestsCompleted: [SignalSource("dynamo_frontend_output_sequence_tokens_count")],
            .timeToFirstToken: [SignalSource("dynamo_frontend_time_to_first_token_seconds")],
            .interTokenLatency: [SignalSource("dynamo_frontend_inter_token_latency_seconds")],
        ],
        required: [.requestsArrived, .inputTokens, .outputTokens, .requestsCompleted]
    )
}
