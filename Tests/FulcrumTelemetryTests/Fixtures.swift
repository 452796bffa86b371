// Fixture expositions in each engine's exact format, as string literals.
//
// Shapes are taken from real scrapes: ai-dynamo/dynamo docs/observability/metrics_examples/
// {vllm,sglang,trtllm,fe}.log (vLLM V1, SGLang and TensorRT-LLM behind Dynamo, Dynamo
// frontend), i.e. Python prometheus_client text output (counters typed with their `_total`
// name, `_created` written as separate gauge families, `le="1.0"`, `_count` before `_sum`),
// SGLang's label order (`le` sorted among the others, `_sum` before the buckets) and the Rust
// prometheus crate's output. Bucket lists are shortened; numbers are chosen so totals are easy
// to check by hand.

enum Fixtures {
    /// vLLM V1, one endpoint with 2 data-parallel engines (`engine="0"`, `engine="1"`), served
    /// through Dynamo (its `dynamo_component_*` families come first).
    static let vllmTwoEngines = #"""
    # HELP dynamo_component_inflight_requests Number of requests currently being processed by work handler
    # TYPE dynamo_component_inflight_requests gauge
    dynamo_component_inflight_requests{dynamo_component="backend",dynamo_endpoint="generate",dynamo_namespace="dynamo",model="Qwen/Qwen3-0.6B"} 22
    # HELP dynamo_component_uptime_seconds Total uptime of the DistributedRuntime in seconds
    # TYPE dynamo_component_uptime_seconds gauge
    dynamo_component_uptime_seconds 69.555781023
    # HELP vllm:num_requests_running Number of requests in model execution batches.
    # TYPE vllm:num_requests_running gauge
    vllm:num_requests_running{engine="0",model_name="Qwen/Qwen3-0.6B"} 12.0
    vllm:num_requests_running{engine="1",model_name="Qwen/Qwen3-0.6B"} 10.0
    # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
    # TYPE vllm:num_requests_waiting gauge
    vllm:num_requests_waiting{engine="0",model_name="Qwen/Qwen3-0.6B"} 3.0
    vllm:num_requests_waiting{engine="1",model_name="Qwen/Qwen3-0.6B"} 1.0
    # HELP vllm:engine_sleep_state Engine sleep state; awake = 0 means engine is sleeping; awake = 1 means engine is awake; weights_offloaded = 1 means sleep level 1; discard_all = 1 means sleep level 2.
    # TYPE vllm:engine_sleep_state gauge
    vllm:engine_sleep_state{engine="0",model_name="Qwen/Qwen3-0.6B",sleep_state="awake"} 1.0
    vllm:engine_sleep_state{engine="1",model_name="Qwen/Qwen3-0.6B",sleep_state="awake"} 1.0
    # HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
    # TYPE vllm:kv_cache_usage_perc gauge
    vllm:kv_cache_usage_perc{engine="0",model_name="Qwen/Qwen3-0.6B"} 0.25
    vllm:kv_cache_usage_perc{engine="1",model_name="Qwen/Qwen3-0.6B"} 0.75
    # HELP vllm:prompt_tokens_total Number of prefill tokens processed.
    # TYPE vllm:prompt_tokens_total counter
    vllm:prompt_tokens_total{engine="0",model_name="Qwen/Qwen3-0.6B"} 1000.0
    vllm:prompt_tokens_total{engine="1",model_name="Qwen/Qwen3-0.6B"} 500.0
    # HELP vllm:prompt_tokens_created Number of prefill tokens processed.
    # TYPE vllm:prompt_tokens_created gauge
    vllm:prompt_tokens_created{engine="0",model_name="Qwen/Qwen3-0.6B"} 1.768264339889982e+09
    vllm:prompt_tokens_created{engine="1",model_name="Qwen/Qwen3-0.6B"} 1.7682643398899854e+09
    # HELP vllm:generation_tokens_total Number of generation tokens processed.
    # TYPE vllm:generation_tokens_total counter
    vllm:generation_tokens_total{engine="0",model_name="Qwen/Qwen3-0.6B"} 5000.0
    vllm:generation_tokens_total{engine="1",model_name="Qwen/Qwen3-0.6B"} 3000.0
    # HELP vllm:generation_tokens_created Number of generation tokens processed.
    # TYPE vllm:generation_tokens_created gauge
    vllm:generation_tokens_created{engine="0",model_name="Qwen/Qwen3-0.6B"} 1.7682643398899963e+09
    vllm:generation_tokens_created{engine="1",model_name="Qwen/Qwen3-0.6B"} 1.7682643398899999e+09
    # HELP vllm:request_success_total Count of successfully processed requests.
    # TYPE vllm:request_success_total counter
    vllm:request_success_total{engine="0",finished_reason="stop",model_name="Qwen/Qwen3-0.6B"} 40.0
    vllm:request_success_total{engine="0",finished_reason="length",model_name="Qwen/Qwen3-0.6B"} 2.0
    vllm:request_success_total{engine="0",finished_reason="abort",model_name="Qwen/Qwen3-0.6B"} 1.0
    vllm:request_success_total{engine="0",finished_reason="error",model_name="Qwen/Qwen3-0.6B"} 0.0
    vllm:request_success_total{engine="1",finished_reason="stop",model_name="Qwen/Qwen3-0.6B"} 20.0
    vllm:request_success_total{engine="1",finished_reason="length",model_name="Qwen/Qwen3-0.6B"} 3.0
    vllm:request_success_total{engine="1",finished_reason="abort",model_name="Qwen/Qwen3-0.6B"} 0.0
    vllm:request_success_total{engine="1",finished_reason="error",model_name="Qwen/Qwen3-0.6B"} 1.0
    # HELP vllm:request_success_created Count of successfully processed requests.
    # TYPE vllm:request_success_created gauge
    vllm:request_success_created{engine="0",finished_reason="stop",model_name="Qwen/Qwen3-0.6B"} 1.7682643398900213e+09
    # HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
    # TYPE vllm:time_to_first_token_seconds histogram
    vllm:time_to_first_token_seconds_bucket{engine="0",le="0.1",model_name="Qwen/Qwen3-0.6B"} 10.0
    vllm:time_to_first_token_seconds_bucket{engine="0",le="0.5",model_name="Qwen/Qwen3-0.6B"} 30.0
    vllm:time_to_first_token_seconds_bucket{engine="0",le="1.0",model_name="Qwen/Qwen3-0.6B"} 42.0
    vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="Qwen/Qwen3-0.6B"} 43.0
    vllm:time_to_first_token_seconds_count{engine="0",model_name="Qwen/Qwen3-0.6B"} 43.0
    vllm:time_to_first_token_seconds_sum{engine="0",model_name="Qwen/Qwen3-0.6B"} 12.5
    vllm:time_to_first_token_seconds_bucket{engine="1",le="0.1",model_name="Qwen/Qwen3-0.6B"} 5.0
    vllm:time_to_first_token_seconds_bucket{engine="1",le="0.5",model_name="Qwen/Qwen3-0.6B"} 20.0
    vllm:time_to_first_token_seconds_bucket{engine="1",le="1.0",model_name="Qwen/Qwen3-0.6B"} 24.0
    vllm:time_to_first_token_seconds_bucket{engine="1",le="+Inf",model_name="Qwen/Qwen3-0.6B"} 24.0
    vllm:time_to_first_token_seconds_count{engine="1",model_name="Qwen/Qwen3-0.6B"} 24.0
    vllm:time_to_first_token_seconds_sum{engine="1",model_name="Qwen/Qwen3-0.6B"} 7.5
    # HELP vllm:time_to_first_token_seconds_created Histogram of time to first token in seconds.
    # TYPE vllm:time_to_first_token_seconds_created gauge
    vllm:time_to_first_token_seconds_created{engine="0",model_name="Qwen/Qwen3-0.6B"} 1.7682643398902264e+09
    vllm:time_to_first_token_seconds_created{engine="1",model_name="Qwen/Qwen3-0.6B"} 1.7682643398902264e+09
    # HELP vllm:time_per_output_token_seconds Histogram of time per output token in seconds.DEPRECATED: Use vllm:inter_token_latency_seconds instead.
    # TYPE vllm:time_per_output_token_seconds histogram
    vllm:time_per_output_token_seconds_bucket{engine="0",le="0.01",model_name="Qwen/Qwen3-0.6B"} 1.0
    vllm:time_per_output_token_seconds_bucket{engine="0",le="+Inf",model_name="Qwen/Qwen3-0.6B"} 1.0
    vllm:time_per_output_token_seconds_count{engine="0",model_name="Qwen/Qwen3-0.6B"} 1.0
    vllm:time_per_output_token_seconds_sum{engine="0",model_name="Qwen/Qwen3-0.6B"} 0.005
    # HELP vllm:inter_token_latency_seconds Histogram of inter-token latency in seconds.
    # TYPE vllm:inter_token_latency_seconds histogram
    vllm:inter_token_latency_seconds_bucket{engine="0",le="0.01",model_name="Qwen/Qwen3-0.6B"} 100.0
    vllm:inter_token_latency_seconds_bucket{engine="0",le="0.025",model_name="Qwen/Qwen3-0.6B"} 4000.0
    vllm:inter_token_latency_seconds_bucket{engine="0",le="0.05",model_name="Qwen/Qwen3-0.6B"} 4900.0
    vllm:inter_token_latency_seconds_bucket{engine="0",le="+Inf",model_name="Qwen/Qwen3-0.6B"} 4957.0
    vllm:inter_token_latency_seconds_count{engine="0",model_name="Qwen/Qwen3-0.6B"} 4957.0
    vllm:inter_token_latency_seconds_sum{engine="0",model_name="Qwen/Qwen3-0.6B"} 90.0
    vllm:inter_token_latency_seconds_bucket{engine="1",le="0.01",model_name="Qwen/Qwen3-0.6B"} 50.0
    vllm:inter_token_latency_seconds_bucket{engine="1",le="0.025",model_name="Qwen/Qwen3-0.6B"} 2500.0
    vllm:inter_token_latency_seconds_bucket{engine="1",le="0.05",model_name="Qwen/Qwen3-0.6B"} 2950.0
    vllm:inter_token_latency_seconds_bucket{engine="1",le="+Inf",model_name="Qwen/Qwen3-0.6B"} 2976.0
    vllm:inter_token_latency_seconds_count{engine="1",model_name="Qwen/Qwen3-0.6B"} 2976.0
    vllm:inter_token_latency_seconds_sum{engine="1",model_name="Qwen/Qwen3-0.6B"} 60.0
    # HELP vllm:num_preemptions_total Cumulative number of preemption from the engine.
    # TYPE vllm:num_preemptions_total counter
    vllm:num_preemptions_total{engine="0",model_name="Qwen/Qwen3-0.6B"} 0.0
    vllm:num_preemptions_total{engine="1",model_name="Qwen/Qwen3-0.6B"} 0.0

    """#

    /// vLLM as the Python client writes OpenMetrics (`Accept: application/openmetrics-text`):
    /// counters typed without `_total`, `_created` inside the family, exemplar, `# EOF`.
    static let vllmOpenMetrics = #"""
    # HELP vllm:num_requests_running Number of requests in model execution batches.
    # TYPE vllm:num_requests_running gauge
    vllm:num_requests_running{engine="0",model_name="m"} 7.0
    # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
    # TYPE vllm:num_requests_waiting gauge
    vllm:num_requests_waiting{engine="0",model_name="m"} 2.0
    # HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
    # TYPE vllm:kv_cache_usage_perc gauge
    vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.5
    # HELP vllm:prompt_tokens Number of prefill tokens processed.
    # TYPE vllm:prompt_tokens counter
    vllm:prompt_tokens_total{engine="0",model_name="m"} 321.0
    vllm:prompt_tokens_created{engine="0",model_name="m"} 1.7682643398899820e+09
    # HELP vllm:generation_tokens Number of generation tokens processed.
    # TYPE vllm:generation_tokens counter
    vllm:generation_tokens_total{engine="0",model_name="m"} 654.0 # {trace_id="abc"} 1.0 1.7682643e+09
    vllm:generation_tokens_created{engine="0",model_name="m"} 1.7682643398899963e+09
    # HELP vllm:request_success Count of successfully processed requests.
    # TYPE vllm:request_success counter
    vllm:request_success_total{engine="0",finished_reason="stop",model_name="m"} 9.0
    vllm:request_success_created{engine="0",finished_reason="stop",model_name="m"} 1.7682643398900213e+09
    # HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
    # TYPE vllm:time_to_first_token_seconds histogram
    vllm:time_to_first_token_seconds_bucket{engine="0",le="0.5",model_name="m"} 8.0 # {trace_id="t1"} 0.4
    vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="m"} 9.0
    vllm:time_to_first_token_seconds_count{engine="0",model_name="m"} 9.0
    vllm:time_to_first_token_seconds_sum{engine="0",model_name="m"} 2.25
    vllm:time_to_first_token_seconds_created{engine="0",model_name="m"} 1.7682643398902264e+09
    # HELP vllm:inter_token_latency_seconds Histogram of inter-token latency in seconds.
    # TYPE vllm:inter_token_latency_seconds histogram
    vllm:inter_token_latency_seconds_bucket{engine="0",le="0.025",model_name="m"} 600.0
    vllm:inter_token_latency_seconds_bucket{engine="0",le="+Inf",model_name="m"} 645.0
    vllm:inter_token_latency_seconds_count{engine="0",model_name="m"} 645.0
    vllm:inter_token_latency_seconds_sum{engine="0",model_name="m"} 12.9
    vllm:inter_token_latency_seconds_created{engine="0",model_name="m"} 1.7682643398902264e+09
    # EOF

    """#

    /// A vLLM V0 server: `gpu_cache_usage_perc` and `time_per_output_token_seconds` only.
    static let vllmV0 = #"""
    # HELP vllm:num_requests_running Number of requests currently running on GPU.
    # TYPE vllm:num_requests_running gauge
    vllm:num_requests_running{model_name="m"} 4.0
    # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
    # TYPE vllm:num_requests_waiting gauge
    vllm:num_requests_waiting{model_name="m"} 0.0
    # HELP vllm:gpu_cache_usage_perc GPU KV-cache usage. 1 means 100 percent usage.
    # TYPE vllm:gpu_cache_usage_perc gauge
    vllm:gpu_cache_usage_perc{model_name="m"} 0.125
    # HELP vllm:prompt_tokens_total Number of prefill tokens processed.
    # TYPE vllm:prompt_tokens_total counter
    vllm:prompt_tokens_total{model_name="m"} 10.0
    # HELP vllm:generation_tokens_total Number of generation tokens processed.
    # TYPE vllm:generation_tokens_total counter
    vllm:generation_tokens_total{model_name="m"} 20.0
    # HELP vllm:request_success_total Count of successfully processed requests.
    # TYPE vllm:request_success_total counter
    vllm:request_success_total{finished_reason="stop",model_name="m"} 2.0
    # HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
    # TYPE vllm:time_to_first_token_seconds histogram
    vllm:time_to_first_token_seconds_bucket{le="1.0",model_name="m"} 2.0
    vllm:time_to_first_token_seconds_bucket{le="+Inf",model_name="m"} 2.0
    vllm:time_to_first_token_seconds_count{model_name="m"} 2.0
    vllm:time_to_first_token_seconds_sum{model_name="m"} 0.5
    # HELP vllm:time_per_output_token_seconds Histogram of time per output token in seconds.
    # TYPE vllm:time_per_output_token_seconds histogram
    vllm:time_per_output_token_seconds_bucket{le="0.025",model_name="m"} 15.0
    vllm:time_per_output_token_seconds_bucket{le="+Inf",model_name="m"} 18.0
    vllm:time_per_output_token_seconds_count{model_name="m"} 18.0
    vllm:time_per_output_token_seconds_sum{model_name="m"} 0.36

    """#

    /// SGLang prefill server with 2 data-parallel ranks: `engine_type="prefill"`, `dp_rank`,
    /// labels sorted with `le` among them, `_sum` before the buckets, no `_created`.
    static let sglangPrefillDP = #"""
    # HELP sglang:num_running_reqs The number of running requests.
    # TYPE sglang:num_running_reqs gauge
    sglang:num_running_reqs{dp_rank="0",engine_type="prefill",model_name="Qwen/Qwen3-0.6B",moe_ep_rank="0",pp_rank="0",tp_rank="0"} 3.0
    sglang:num_running_reqs{dp_rank="1",engine_type="prefill",model_name="Qwen/Qwen3-0.6B",moe_ep_rank="0",pp_rank="0",tp_rank="0"} 5.0
    # HELP sglang:num_used_tokens The number of used tokens.
    # TYPE sglang:num_used_tokens gauge
    sglang:num_used_tokens{dp_rank="0",engine_type="prefill",model_name="Qwen/Qwen3-0.6B",moe_ep_rank="0",pp_rank="0",tp_rank="0"} 4096.0
    sglang:num_used_tokens{dp_rank="1",engine_type="prefill",model_name="Qwen/Qwen3-0.6B",moe_ep_rank="0",pp_rank="0",tp_rank="0"} 8192.0
    # HELP sglang:token_usage The token usage.
    # TYPE sglang:token_usage gauge
    sglang:token_usage{dp_rank="0",engine_type="prefill",model_name="Qwen/Qwen3-0.6B",moe_ep_rank="0",pp_rank="0",tp_rank="0"} 0.1
    sglang:token_usage{dp_rank="1",engine_type="prefill",model_name="Qwen/Qwen3-0.6B",moe_ep_rank="0",pp_rank="0",tp_rank="0"} 0.3
    # HELP sglang:num_queue_reqs The number of requests in the waiting queue.
    # TYPE sglang:num_queue_reqs gauge
    sglang:num_queue_reqs{dp_rank="0",engine_type="prefill",model_name="Qwen/Qwen3-0.6B",moe_ep_rank="0",pp_rank="0",tp_rank="0"} 6.0
    sglang:num_queue_reqs{dp_rank="1",engine_type="prefill",model_name="Qwen/Qwen3-0.6B",moe_ep_rank="0",pp_rank="0",tp_rank="0"} 0.0
    # HELP sglang:time_to_first_token_seconds Histogram of time to first token in seconds.
    # TYPE sglang:time_to_first_token_seconds histogram
    sglang:time_to_first_token_seconds_sum{dp_rank="0",model_name="Qwen/Qwen3-0.6B"} 3.0
    sglang:time_to_first_token_seconds_bucket{dp_rank="0",le="0.1",model_name="Qwen/Qwen3-0.6B"} 1.0
    sglang:time_to_first_token_seconds_bucket{dp_rank="0",le="1.0",model_name="Qwen/Qwen3-0.6B"} 9.0
    sglang:time_to_first_token_seconds_bucket{dp_rank="0",le="+Inf",model_name="Qwen/Qwen3-0.6B"} 10.0
    sglang:time_to_first_token_seconds_count{dp_rank="0",model_name="Qwen/Qwen3-0.6B"} 10.0
    sglang:time_to_first_token_seconds_sum{dp_rank="1",model_name="Qwen/Qwen3-0.6B"} 1.0
    sglang:time_to_first_token_seconds_bucket{dp_rank="1",le="0.1",model_name="Qwen/Qwen3-0.6B"} 2.0
    sglang:time_to_first_token_seconds_bucket{dp_rank="1",le="1.0",model_name="Qwen/Qwen3-0.6B"} 4.0
    sglang:time_to_first_token_seconds_bucket{dp_rank="1",le="+Inf",model_name="Qwen/Qwen3-0.6B"} 4.0
    sglang:time_to_first_token_seconds_count{dp_rank="1",model_name="Qwen/Qwen3-0.6B"} 4.0
    # HELP sglang:inter_token_latency_seconds Histogram of inter-token latency in seconds.
    # TYPE sglang:inter_token_latency_seconds histogram
    sglang:inter_token_latency_seconds_sum{dp_rank="0",model_name="Qwen/Qwen3-0.6B"} 0.0
    sglang:inter_token_latency_seconds_bucket{dp_rank="0",le="0.002",model_name="Qwen/Qwen3-0.6B"} 0.0
    sglang:inter_token_latency_seconds_bucket{dp_rank="0",le="+Inf",model_name="Qwen/Qwen3-0.6B"} 0.0
    sglang:inter_token_latency_seconds_count{dp_rank="0",model_name="Qwen/Qwen3-0.6B"} 0.0
    # HELP sglang:prompt_tokens_total Number of prefill tokens processed.
    # TYPE sglang:prompt_tokens_total counter
    sglang:prompt_tokens_total{dp_rank="0",model_name="Qwen/Qwen3-0.6B"} 3300.0
    sglang:prompt_tokens_total{dp_rank="1",model_name="Qwen/Qwen3-0.6B"} 1700.0
    # HELP sglang:generation_tokens_total Number of generation tokens processed.
    # TYPE sglang:generation_tokens_total counter
    sglang:generation_tokens_total{dp_rank="0",model_name="Qwen/Qwen3-0.6B"} 10.0
    sglang:generation_tokens_total{dp_rank="1",model_name="Qwen/Qwen3-0.6B"} 4.0
    # HELP sglang:num_requests_total Number of requests processed.
    # TYPE sglang:num_requests_total counter
    sglang:num_requests_total{dp_rank="0",model_name="Qwen/Qwen3-0.6B"} 10.0
    sglang:num_requests_total{dp_rank="1",model_name="Qwen/Qwen3-0.6B"} 4.0

    """#

    /// TensorRT-LLM `trtllm-serve` (`/prometheus/metrics`), Python client text output.
    static let trtllm = #"""
    # HELP trtllm_request_success_total Count of successfully processed requests.
    # TYPE trtllm_request_success_total counter
    trtllm_request_success_total{engine_type="pytorch",finished_reason="length",model_name="Qwen/Qwen3-0.6B"} 2.0
    trtllm_request_success_total{engine_type="pytorch",finished_reason="stop",model_name="Qwen/Qwen3-0.6B"} 5.0
    # HELP trtllm_request_success_created Count of successfully processed requests.
    # TYPE trtllm_request_success_created gauge
    trtllm_request_success_created{engine_type="pytorch",finished_reason="length",model_name="Qwen/Qwen3-0.6B"} 1.7682648369328544e+09
    # HELP trtllm_time_to_first_token_seconds Histogram of time to first token in seconds.
    # TYPE trtllm_time_to_first_token_seconds histogram
    trtllm_time_to_first_token_seconds_bucket{engine_type="pytorch",le="0.001",model_name="Qwen/Qwen3-0.6B"} 0.0
    trtllm_time_to_first_token_seconds_bucket{engine_type="pytorch",le="0.04",model_name="Qwen/Qwen3-0.6B"} 1.0
    trtllm_time_to_first_token_seconds_bucket{engine_type="pytorch",le="0.06",model_name="Qwen/Qwen3-0.6B"} 7.0
    trtllm_time_to_first_token_seconds_bucket{engine_type="pytorch",le="+Inf",model_name="Qwen/Qwen3-0.6B"} 7.0
    trtllm_time_to_first_token_seconds_count{engine_type="pytorch",model_name="Qwen/Qwen3-0.6B"} 7.0
    trtllm_time_to_first_token_seconds_sum{engine_type="pytorch",model_name="Qwen/Qwen3-0.6B"} 0.35
    # HELP trtllm_time_to_first_token_seconds_created Histogram of time to first token in seconds.
    # TYPE trtllm_time_to_first_token_seconds_created gauge
    trtllm_time_to_first_token_seconds_created{engine_type="pytorch",model_name="Qwen/Qwen3-0.6B"} 1.768264836932907e+09
    # HELP trtllm_time_per_output_token_seconds Histogram of time per output token in seconds.
    # TYPE trtllm_time_per_output_token_seconds histogram
    trtllm_time_per_output_token_seconds_bucket{engine_type="pytorch",le="0.01",model_name="Qwen/Qwen3-0.6B"} 6.0
    trtllm_time_per_output_token_seconds_bucket{engine_type="pytorch",le="0.025",model_name="Qwen/Qwen3-0.6B"} 7.0
    trtllm_time_per_output_token_seconds_bucket{engine_type="pytorch",le="+Inf",model_name="Qwen/Qwen3-0.6B"} 7.0
    trtllm_time_per_output_token_seconds_count{engine_type="pytorch",model_name="Qwen/Qwen3-0.6B"} 7.0
    trtllm_time_per_output_token_seconds_sum{engine_type="pytorch",model_name="Qwen/Qwen3-0.6B"} 0.0555
    # HELP trtllm_prompt_tokens_total Cumulative number of prompt (input) tokens processed.
    # TYPE trtllm_prompt_tokens_total counter
    trtllm_prompt_tokens_total{engine_type="pytorch",model_name="Qwen/Qwen3-0.6B"} 231.0
    # HELP trtllm_generation_tokens_total Cumulative number of generation (output) tokens produced.
    # TYPE trtllm_generation_tokens_total counter
    trtllm_generation_tokens_total{engine_type="pytorch",model_name="Qwen/Qwen3-0.6B"} 2100.0
    # HELP trtllm_kv_cache_utilization KV cache utilization
    # TYPE trtllm_kv_cache_utilization gauge
    trtllm_kv_cache_utilization{engine_type="pytorch",model_name="Qwen/Qwen3-0.6B"} 0.42
    # HELP trtllm_num_requests_running Number of active requests
    # TYPE trtllm_num_requests_running gauge
    trtllm_num_requests_running{engine_type="pytorch",model_name="Qwen/Qwen3-0.6B"} 6.0
    # HELP trtllm_num_requests_waiting Number of queued requests
    # TYPE trtllm_num_requests_waiting gauge
    trtllm_num_requests_waiting{engine_type="pytorch",model_name="Qwen/Qwen3-0.6B"} 2.0
    # HELP trtllm_kv_cache_hit_rate KV cache hit rate
    # TYPE trtllm_kv_cache_hit_rate gauge
    trtllm_kv_cache_hit_rate{engine_type="pytorch",model_name="Qwen/Qwen3-0.6B"} 0.0

    """#

    /// Dynamo HTTP frontend (Rust prometheus crate: TYPE lines carry `_total`, labels sorted,
    /// `le="0"` / `le="100"` integer bounds).
    static let dynamoFrontend = #"""
    # HELP dynamo_frontend_disconnected_clients Number of disconnected clients
    # TYPE dynamo_frontend_disconnected_clients gauge
    dynamo_frontend_disconnected_clients 0
    # HELP dynamo_frontend_inflight_requests Number of inflight requests
    # TYPE dynamo_frontend_inflight_requests gauge
    dynamo_frontend_inflight_requests{model="qwen/qwen3-0.6b"} 3
    # HELP dynamo_frontend_input_sequence_tokens Input sequence length in tokens
    # TYPE dynamo_frontend_input_sequence_tokens histogram
    dynamo_frontend_input_sequence_tokens_bucket{model="qwen/qwen3-0.6b",le="0"} 0
    dynamo_frontend_input_sequence_tokens_bucket{model="qwen/qwen3-0.6b",le="100"} 1
    dynamo_frontend_input_sequence_tokens_bucket{model="qwen/qwen3-0.6b",le="210"} 2
    dynamo_frontend_input_sequence_tokens_bucket{model="qwen/qwen3-0.6b",le="+Inf"} 2
    dynamo_frontend_input_sequence_tokens_sum{model="qwen/qwen3-0.6b"} 233
    dynamo_frontend_input_sequence_tokens_count{model="qwen/qwen3-0.6b"} 2
    # HELP dynamo_frontend_inter_token_latency_seconds Inter-token latency in seconds
    # TYPE dynamo_frontend_inter_token_latency_seconds histogram
    dynamo_frontend_inter_token_latency_seconds_bucket{model="qwen/qwen3-0.6b",le="0"} 0
    dynamo_frontend_inter_token_latency_seconds_bucket{model="qwen/qwen3-0.6b",le="0.0019"} 21
    dynamo_frontend_inter_token_latency_seconds_bucket{model="qwen/qwen3-0.6b",le="0.0035"} 298
    dynamo_frontend_inter_token_latency_seconds_bucket{model="qwen/qwen3-0.6b",le="+Inf"} 299
    dynamo_frontend_inter_token_latency_seconds_sum{model="qwen/qwen3-0.6b"} 0.6126917290000005
    dynamo_frontend_inter_token_latency_seconds_count{model="qwen/qwen3-0.6b"} 299
    # HELP dynamo_frontend_output_sequence_tokens Output sequence length in tokens
    # TYPE dynamo_frontend_output_sequence_tokens histogram
    dynamo_frontend_output_sequence_tokens_bucket{model="qwen/qwen3-0.6b",le="0"} 0
    dynamo_frontend_output_sequence_tokens_bucket{model="qwen/qwen3-0.6b",le="430"} 2
    dynamo_frontend_output_sequence_tokens_bucket{model="qwen/qwen3-0.6b",le="+Inf"} 2
    dynamo_frontend_output_sequence_tokens_sum{model="qwen/qwen3-0.6b"} 600
    dynamo_frontend_output_sequence_tokens_count{model="qwen/qwen3-0.6b"} 2
    # HELP dynamo_frontend_output_tokens_total Total number of output tokens generated (updates in real-time)
    # TYPE dynamo_frontend_output_tokens_total counter
    dynamo_frontend_output_tokens_total{model="qwen/qwen3-0.6b"} 650
    # HELP dynamo_frontend_queued_requests Number of requests in HTTP processing queue
    # TYPE dynamo_frontend_queued_requests gauge
    dynamo_frontend_queued_requests{model="qwen/qwen3-0.6b"} 1
    # HELP dynamo_frontend_requests_total Total number of LLM requests processed
    # TYPE dynamo_frontend_requests_total counter
    dynamo_frontend_requests_total{endpoint="chat_completions",model="qwen/qwen3-0.6b",request_type="unary",status="success"} 2
    dynamo_frontend_requests_total{endpoint="chat_completions",model="qwen/qwen3-0.6b",request_type="stream",status="error"} 1
    # HELP dynamo_frontend_time_to_first_token_seconds Time to first token in seconds
    # TYPE dynamo_frontend_time_to_first_token_seconds histogram
    dynamo_frontend_time_to_first_token_seconds_bucket{model="qwen/qwen3-0.6b",le="0"} 0
    dynamo_frontend_time_to_first_token_seconds_bucket{model="qwen/qwen3-0.6b",le="1"} 0
    dynamo_frontend_time_to_first_token_seconds_bucket{model="qwen/qwen3-0.6b",le="2.2"} 2
    dynamo_frontend_time_to_first_token_seconds_bucket{model="qwen/qwen3-0.6b",le="+Inf"} 2
    dynamo_frontend_time_to_first_token_seconds_sum{model="qwen/qwen3-0.6b"} 3.125
    dynamo_frontend_time_to_first_token_seconds_count{model="qwen/qwen3-0.6b"} 2

    """#
}
