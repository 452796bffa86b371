// Expositions served by the test servers. The vLLM text follows a real vLLM V1 scrape
// (Python prometheus_client: counters typed under their `_total` name, `_created` as separate
// gauge families, `le="1.0"`); values are parameters so rounds can be told apart.

enum ScrapeFixtures {
    static func vllm(waiting: Int = 3, running: Int = 12, kv: Double = 0.25, promptTokens: Int = 1000) -> String {
        """
        # HELP vllm:num_requests_running Number of requests in model execution batches.
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{engine="0",model_name="Qwen/Qwen3-0.6B"} \(running).0
        # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting{engine="0",model_name="Qwen/Qwen3-0.6B"} \(waiting).0
        # HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
        # TYPE vllm:kv_cache_usage_perc gauge
        vllm:kv_cache_usage_perc{engine="0",model_name="Qwen/Qwen3-0.6B"} \(kv)
        # HELP vllm:prompt_tokens_total Number of prefill tokens processed.
        # TYPE vllm:prompt_tokens_total counter
        vllm:prompt_tokens_total{engine="0",model_name="Qwen/Qwen3-0.6B"} \(promptTokens).0
        # HELP vllm:prompt_tokens_created Number of prefill tokens processed.
        # TYPE vllm:prompt_tokens_created gauge
        vllm:prompt_tokens_created{engine="0",model_name="Qwen/Qwen3-0.6B"} 1.768264339889982e+09
        # HELP vllm:generation_tokens_total Number of generation tokens processed.
        # TYPE vllm:generation_tokens_total counter
        vllm:generation_tokens_total{engine="0",model_name="Qwen/Qwen3-0.6B"} 5000.0
        # HELP vllm:request_success_total Count of successfully processed requests.
        # TYPE vllm:request_success_total counter
        vllm:request_success_total{engine="0",finished_reason="stop",model_name="Qwen/Qwen3-0.6B"} 40.0
        vllm:request_success_total{engine="0",finished_reason="length",model_name="Qwen/Qwen3-0.6B"} 2.0
        # HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
        # TYPE vllm:time_to_first_token_seconds histogram
        vllm:time_to_first_token_seconds_bucket{engine="0",le="0.1",model_name="Qwen/Qwen3-0.6B"} 10.0
        vllm:time_to_first_token_seconds_bucket{engine="0",le="0.5",model_name="Qwen/Qwen3-0.6B"} 30.0
        vllm:time_to_first_token_seconds_bucket{engine="0",le="1.0",model_name="Qwen/Qwen3-0.6B"} 42.0
        vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="Qwen/Qwen3-0.6B"} 43.0
        vllm:time_to_first_token_seconds_count{engine="0",model_name="Qwen/Qwen3-0.6B"} 43.0
        vllm:time_to_first_token_seconds_sum{engine="0",model_name="Qwen/Qwen3-0.6B"} 12.5
        # HELP vllm:inter_token_latency_seconds Histogram of inter-token latency in seconds.
        # TYPE vllm:inter_token_latency_seconds histogram
        vllm:inter_token_latency_seconds_bucket{engine="0",le="0.01",model_name="Qwen/Qwen3-0.6B"} 100.0
        vllm:inter_token_latency_seconds_bucket{engine="0",le="0.025",model_name="Qwen/Qwen3-0.6B"} 4000.0
        vllm:inter_token_latency_seconds_bucket{engine="0",le="+Inf",model_name="Qwen/Qwen3-0.6B"} 4957.0
        vllm:inter_token_latency_seconds_count{engine="0",model_name="Qwen/Qwen3-0.6B"} 4957.0
        vllm:inter_token_latency_seconds_sum{engine="0",model_name="Qwen/Qwen3-0.6B"} 90.0

        """
    }

    /// The same worker as the Python client writes OpenMetrics: counters typed without
    /// `_total`, `_created` inside the family, `# EOF`.
    static let vllmOpenMetrics = """
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{engine="0"} 7.0
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting{engine="0"} 2.0
        # TYPE vllm:kv_cache_usage_perc gauge
        vllm:kv_cache_usage_perc{engine="0"} 0.5
        # TYPE vllm:prompt_tokens counter
        vllm:prompt_tokens_total{engine="0"} 321.0
        vllm:prompt_tokens_created{engine="0"} 1.7682643398899820e+09
        # TYPE vllm:generation_tokens counter
        vllm:generation_tokens_total{engine="0"} 654.0
        # TYPE vllm:request_success counter
        vllm:request_success_total{engine="0",finished_reason="stop"} 9.0
        # TYPE vllm:time_to_first_token_seconds histogram
        vllm:time_to_first_token_seconds_bucket{engine="0",le="0.5"} 8.0
        vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf"} 9.0
        vllm:time_to_first_token_seconds_count{engine="0"} 9.0
        vllm:time_to_first_token_seconds_sum{engine="0"} 2.25
        # TYPE vllm:inter_token_latency_seconds histogram
        vllm:inter_token_latency_seconds_bucket{engine="0",le="0.025"} 600.0
        vllm:inter_token_latency_seconds_bucket{engine="0",le="+Inf"} 645.0
        vllm:inter_token_latency_seconds_count{engine="0"} 645.0
        vllm:inter_token_latency_seconds_sum{engine="0"} 12.9
        # EOF

        """

    /// TensorRT-LLM without iteration statistics: the scheduler gauges are absent.
    static let trtllmWithoutIterationStats = """
        # TYPE trtllm_prompt_tokens_total counter
        trtllm_prompt_tokens_total{model_name="m"} 10.0
        # TYPE trtllm_generation_tokens_total counter
        trtllm_generation_tokens_total{model_name="m"} 20.0
        # TYPE trtllm_request_success_total counter
        trtllm_request_success_total{model_name="m",finished_reason="stop"} 2.0

        """

    /// Dynamo's frontend (Rust prometheus crate).
    static let dynamoFrontend = """
        # TYPE dynamo_frontend_inflight_requests gauge
        dynamo_frontend_inflight_requests{model="qwen/qwen3-0.6b"} 3
        # TYPE dynamo_frontend_input_sequence_tokens histogram
        dynamo_frontend_input_sequence_tokens_bucket{model="qwen/qwen3-0.6b",le="100"} 1
        dynamo_frontend_input_sequence_tokens_bucket{model="qwen/qwen3-0.6b",le="+Inf"} 2
        dynamo_frontend_input_sequence_tokens_sum{model="qwen/qwen3-0.6b"} 233
        dynamo_frontend_input_sequence_tokens_count{model="qwen/qwen3-0.6b"} 2
        # TYPE dynamo_frontend_output_sequence_tokens histogram
        dynamo_frontend_output_sequence_tokens_bucket{model="qwen/qwen3-0.6b",le="430"} 2
        dynamo_frontend_output_sequence_tokens_bucket{model="qwen/qwen3-0.6b",le="+Inf"} 2
        dynamo_frontend_output_sequence_tokens_sum{model="qwen/qwen3-0.6b"} 600
        dynamo_frontend_output_sequence_tokens_count{model="qwen/qwen3-0.6b"} 2
        # TYPE dynamo_frontend_requests_total counter
        dynamo_frontend_requests_total{model="qwen/qwen3-0.6b",status="success"} 2
        dynamo_frontend_requests_total{model="qwen/qwen3-0.6b",status="error"} 1

        """

    /// Metrics of something that is not an inference engine.
    static let unrelated = """
        # TYPE process_cpu_seconds_total counter
        process_cpu_seconds_total 12.5

        """

    /// Broken on line 3: a label without `=`.
    static let broken = """
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{engine="0"} 1
        vllm:num_requests_waiting{engine} 2

        """
}
