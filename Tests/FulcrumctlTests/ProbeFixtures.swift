// Expositions written to temporary files (or served) for the end-to-end `probe` tests.

enum ProbeFixtures {
    static let vllm = """
        # HELP vllm:num_requests_running Number of requests in model execution batches.
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{engine="0",model_name="m"} 12.0
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting{engine="0",model_name="m"} 3.0
        # TYPE vllm:kv_cache_usage_perc gauge
        vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.25
        # TYPE vllm:prompt_tokens_total counter
        vllm:prompt_tokens_total{engine="0",model_name="m"} 1000.0
        # TYPE vllm:generation_tokens_total counter
        vllm:generation_tokens_total{engine="0",model_name="m"} 5000.0
        # TYPE vllm:request_success_total counter
        vllm:request_success_total{engine="0",finished_reason="stop",model_name="m"} 40.0
        vllm:request_success_total{engine="0",finished_reason="length",model_name="m"} 2.0
        # TYPE vllm:time_to_first_token_seconds histogram
        vllm:time_to_first_token_seconds_bucket{engine="0",le="0.5",model_name="m"} 30.0
        vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="m"} 43.0
        vllm:time_to_first_token_seconds_count{engine="0",model_name="m"} 43.0
        vllm:time_to_first_token_seconds_sum{engine="0",model_name="m"} 12.5
        # TYPE vllm:inter_token_latency_seconds histogram
        vllm:inter_token_latency_seconds_bucket{engine="0",le="0.025",model_name="m"} 4000.0
        vllm:inter_token_latency_seconds_bucket{engine="0",le="+Inf",model_name="m"} 4957.0
        vllm:inter_token_latency_seconds_count{engine="0",model_name="m"} 4957.0
        vllm:inter_token_latency_seconds_sum{engine="0",model_name="m"} 90.0
        # TYPE vllm:engine_sleep_state gauge
        vllm:engine_sleep_state{engine="0",model_name="m",sleep_state="awake"} 1.0

        """

    /// An SGLang prefill worker (`engine_type="prefill"`), without the optional finished counter.
    static let sglangPrefill = """
        # TYPE sglang:num_queue_reqs gauge
        sglang:num_queue_reqs{engine_type="prefill",model_name="m",tp_rank="0"} 4.0
        # TYPE sglang:num_running_reqs gauge
        sglang:num_running_reqs{engine_type="prefill",model_name="m",tp_rank="0"} 2.0
        # TYPE sglang:token_usage gauge
        sglang:token_usage{engine_type="prefill",model_name="m",tp_rank="0"} 0.5
        # TYPE sglang:prompt_tokens_total counter
        sglang:prompt_tokens_total{engine_type="prefill",model_name="m",tp_rank="0"} 700.0
        # TYPE sglang:generation_tokens_total counter
        sglang:generation_tokens_total{engine_type="prefill",model_name="m",tp_rank="0"} 7.0
        # TYPE sglang:time_to_first_token_seconds histogram
        sglang:time_to_first_token_seconds_sum{engine_type="prefill",model_name="m",tp_rank="0"} 1.5
        sglang:time_to_first_token_seconds_bucket{engine_type="prefill",le="1.0",model_name="m",tp_rank="0"} 3.0
        sglang:time_to_first_token_seconds_bucket{engine_type="prefill",le="+Inf",model_name="m",tp_rank="0"} 3.0
        sglang:time_to_first_token_seconds_count{engine_type="prefill",model_name="m",tp_rank="0"} 3.0
        # TYPE sglang:inter_token_latency_seconds histogram
        sglang:inter_token_latency_seconds_sum{engine_type="prefill",model_name="m",tp_rank="0"} 0.0
        sglang:inter_token_latency_seconds_bucket{engine_type="prefill",le="+Inf",model_name="m",tp_rank="0"} 0.0
        sglang:inter_token_latency_seconds_count{engine_type="prefill",model_name="m",tp_rank="0"} 0.0

        """

    /// TensorRT-LLM without iteration statistics: the scheduler gauges are absent.
    static let trtllmWithoutIterationStats = """
        # TYPE trtllm_prompt_tokens_total counter
        trtllm_prompt_tokens_total{model_name="m"} 10.0
        # TYPE trtllm_generation_tokens_total counter
        trtllm_generation_tokens_total{model_name="m"} 20.0
        # TYPE trtllm_request_success_total counter
        trtllm_request_success_total{model_name="m",finished_reason="stop"} 2.0
        # TYPE trtllm_time_to_first_token_seconds histogram
        trtllm_time_to_first_token_seconds_bucket{model_name="m",le="+Inf"} 2.0
        trtllm_time_to_first_token_seconds_count{model_name="m"} 2.0
        trtllm_time_to_first_token_seconds_sum{model_name="m"} 0.5
        # TYPE trtllm_time_per_output_token_seconds histogram
        trtllm_time_per_output_token_seconds_bucket{model_name="m",le="+Inf"} 2.0
        trtllm_time_per_output_token_seconds_count{model_name="m"} 2.0
        trtllm_time_per_output_token_seconds_sum{model_name="m"} 0.1

        """

    static let dynamoFrontend = """
        # TYPE dynamo_frontend_inflight_requests gauge
        dynamo_frontend_inflight_requests{model="m"} 3
        # TYPE dynamo_frontend_input_sequence_tokens histogram
        dynamo_frontend_input_sequence_tokens_bucket{model="m",le="+Inf"} 2
        dynamo_frontend_input_sequence_tokens_sum{model="m"} 233
        dynamo_frontend_input_sequence_tokens_count{model="m"} 2
        # TYPE dynamo_frontend_output_sequence_tokens histogram
        dynamo_frontend_output_sequence_tokens_bucket{model="m",le="+Inf"} 2
        dynamo_frontend_output_sequence_tokens_sum{model="m"} 600
        dynamo_frontend_output_sequence_tokens_count{model="m"} 2
        # TYPE dynamo_frontend_requests_total counter
        dynamo_frontend_requests_total{model="m",status="success"} 2

        """

    static let unrelated = """
        # TYPE process_cpu_seconds_total counter
        process_cpu_seconds_total 12.5

        """

    /// Broken on line 3, column 36: a label name without `=`.
    static let broken = """
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{engine="0"} 1
        vllm:num_requests_waiting{engine} 2

        """
}
