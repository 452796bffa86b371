import FulcrumCore
import FulcrumTelemetry

/// Renders an engine's state as the Prometheus text a real vLLM or SGLang worker serves, via the
/// project's `ExpositionFormatter`.
public enum WorkerExposition {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// `createdAt` is the Unix time the worker started (the `_created` series' value).
    public static func render(
        _ snapshot: EngineMetricsSnapshot,
        flavor: EngineFlavor,
        role: Role,
        model: String,
        createdAt: Double
    ) -> String {
        switch flavor {
        case .vllm: vllm(snapshot, model: model, createdAt: createdAt)
        case .sglang: sglang(snapshot, role: role, model: model)
        }
    }

    static func vllm(_ snapshot: EngineMetricsSnapshot, model: String, createdAt: Double) -> String {
        let labels = [Label("model_name", model), Label("engine", "0")]
        let stats = snapshot.statistics
        var families: [MetricFamily] = []
        families.append(gauge("vllm:num_requests_running", "Number of requests in model execution batches.", labels, Double(snapshot.gauges.running)))
        families.append(gauge("vllm:num_requests_waiting", "Number of requests waiting to be processed.", labels, Double(snapshot.gauges.waiting)))
        families.append(gauge("vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", labels, snapshot.gauges.kvCacheUsage))
        families += counter("vllm:prompt_tokens", "Number of prefill tokens processed.", labels, stats.promptTokens, createdAt: createdAt)
        families += counter("vllm:generation_tokens", "Number of generation tokens processed.", labels, stats.generationTokens, createdAt: createdAt)
        let reasons = FinishReason.allCases.map { reason in
            (labels + [Label("finished_reason", reason.rawValue)], stats.finished[reason] ?? 0)
        }
        families += counter("vllm:request_success", "Count of successfully processed requests.", series: reasons, createdAt: createdAt)
        families += histogram("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", labels, stats.timeToFirstToken, sumFirst: false, createdAt: createdAt)
        families += histogram("vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", labels, stats.interTokenLatency, sumFirst: false, createdAt: createdAt)
        return ExpositionFormatter.format(families, as: .prometheusText)
    }

    static func sglang(_ snapshot: EngineMetricsSnapshot, role: Role, model: String) -> String {
        // SGLang's multiprocess collector writes labels sorted by name.
        let labels = [Label("engine_type", role.rawValue), Label("model_name", model), Label("pp_rank", "0"), Label("tp_rank", "0")]
        let stats = snapshot.statistics
        var families: [MetricFamily] = []
        families += counter("sglang:prompt_tokens", "Number of prefill tokens processed.", labels, stats.promptTokens, createdAt: nil)
        families += counter("sglang:generation_tokens", "Number of generation tokens processed.", labels, stats.generationTokens, createdAt: nil)
        families += counter("sglang:num_requests", "The number of processed requests.", labels, stats.requestsFinished, createdAt: nil)
        families.append(gauge("sglang:num_running_reqs", "The number of running requests.", labels, Double(snapshot.gauges.running)))
        families.append(gauge("sglang:num_queue_reqs", "The number of requests in the waiting queue.", labels, Double(snapshot.gauges.waiting)))
        families.append(gauge("sglang:token_usage", "The token usage.", labels, snapshot.gauges.kvCacheUsage))
        families += histogram("sglang:time_to_first_token_seconds", "Histogram of time to first token in seconds.", labels, stats.timeToFirstToken, sumFirst: true, sortLabels: true, createdAt: nil)
        families += histogram("sglang:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", labels, stats.interTokenLatency, sumFirst: true, sortLabels: true, createdAt: nil)
        return ExpositionFormatter.format(families, as: .prometheusText)
    }

    // MARK: Family builders, shared with the router's exposition

    static func gauge(_ name: String, _ help: String, _ labels: [Label], _ value: Double) -> MetricFamily {
        MetricFamily(name: name, type: .gauge, help: help, samples: [Sample(name: name, labels: labels, value: value)])
    }

    static func counter(_ base: String, _ help: String, _ labels: [Label], _ value: Double, createdAt: Double?) -> [MetricFamily] {
        counter(base, help, series: [(labels, value)], createdAt: createdAt)
    }

    /// A counter as `prometheus_client` writes it in the text format: the family named with
    /// `_total`, and (when `createdAt` is given) a `_created` gauge family after it.
    static func counter(_ base: String, _ help: String, series: [([Label], Double)], createdAt: Double?) -> [MetricFamily] {
        var families = [MetricFamily(
            name: base + "_total", type: .counter, help: help,
            samples: series.map { Sample(name: base + "_total", labels: $0.0, value: $0.1) }
        )]
        if let createdAt {
            families.append(MetricFamily(
                name: base + "_created", type: .gauge, help: help,
                samples: series.map { Sample(name: base + "_created", labels: $0.0, value: createdAt) }
            ))
        }
        return families
    }

    static func histogram(
        _ name: String, _ help: String, _ labels: [Label], _ histogram: LatencyHistogram,
        sumFirst: Bool, sortLabels: Bool = false, createdAt: Double?
    ) -> [MetricFamily] {
        let cumulative = histogram.cumulativeCounts
        let bounds = histogram.bounds.map(ExpositionFormatter.formatValue) + ["+Inf"]
        var buckets: [Sample] = []
        for (bound, count) in zip(bounds, cumulative) {
            var bucketLabels = labels + [Label("le", bound)]
            if sortLabels { bucketLabels.sort { $0.name < $1.name } }
            buckets.append(Sample(name: name + "_bucket", labels: bucketLabels, value: count))
        }
        let sum = Sample(name: name + "_sum", labels: labels, value: histogram.sum)
        let count = Sample(name: name + "_count", labels: labels, value: histogram.count)
        let samples = sumFirst ? [sum] + buckets + [count] : buckets + [count, sum]
        var families = [MetricFamily(name: name, type: .histogram, help: help, samples: samples)]
        if let createdAt {
            families.append(MetricFamily(
                name: name + "_created", type: .gauge, help: help,
                samples: [Sample(name: name + "_created", labels: labels, value: createdAt)]
            ))
        }
        return families
    }
}
