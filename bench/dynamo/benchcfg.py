"""The benchmark's shared setup: one engine profile, one SLO, one GPU budget, one
start-up time, used by every policy (Dynamo's planner modes and Fulcrum).

Change a value here and every variant sees it; docs/evaluation.md quotes them.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# Engine timing profile: AISimulate's op-level performance database (silicon
# measurements) for Qwen3-32B, bf16, TP1, vLLM on one H200 SXM. The mocker times
# every forward pass with it; Dynamo's SLA planner bootstraps its regression from
# the same estimator; Fulcrum's priors are fitted to it (derive_priors.py).
AIS_PROFILE = {
    "model": "Qwen/Qwen3-32B",
    "system": "h200_sxm",
    "backend": "vllm",
    "backend_version": "current",
}
MAX_NUM_SEQS = 256
MAX_NUM_BATCHED_TOKENS = 8192
# The model's context length. Must be set: Dynamo's easy-mode ("throughput")
# prefill scaling compares queued prompt tokens with it and skips prefill
# scaling altogether when the engine reports none.
MAX_MODEL_LEN = 40960
TRACE_BLOCK_SIZE = 512  # mooncake hash_ids granularity

# Service-level objective (both must hold for a request to count as attained).
TTFT_MS = 2000.0
ITL_MS = 40.0
SLO_PERCENTILE = 0.9

# Budget: one node of 8 GPUs, every worker one GPU (TP1), at least one of each role.
MAX_GPUS = 8
GPUS_PER_WORKER = 1
MIN_PREFILL = 1
MIN_DECODE = 1
INITIAL_PREFILL = 1
INITIAL_DECODE = 1

# Worker start-up time (seconds from "scale up" to serving), same for every policy.
STARTUP_S = 60.0

# Dynamo planner cadence (defaults are 180 s throughput / 5 s load; 180 s is a
# long time on 10-15 minute traces, so the throughput interval is shortened).
DYNAMO_THROUGHPUT_INTERVAL_S = 60
DYNAMO_LOAD_INTERVAL_S = 5
# Fulcrum's decision cadence (fulcrumd's default tick).
FULCRUM_TICK_S = 10.0


def engine_args(role: str) -> dict:
    """Mocker engine arguments for one role (canonical AISimulate launch config)."""
    return {
        "engine": {
            "worker_type": role,
            "max_num_seqs": MAX_NUM_SEQS,
            "max_num_batched_tokens": MAX_NUM_BATCHED_TOKENS,
            "max_model_len": MAX_MODEL_LEN,
            "enable_prefix_caching": True,
            "timing_model": {
                "type": "external",
                "provider": "ais",
                "config": {**AIS_PROFILE, "worker_type": role},
            },
        },
        "startup_time": STARTUP_S,
    }


def dynamo_planner_config(variant: str) -> dict:
    """Planner config for one Dynamo variant: sla | throughput | sla+load."""
    base = {
        "mode": "disagg",
        "environment": "virtual",
        "backend": "mocker",
        "ttft_ms": TTFT_MS,
        "itl_ms": ITL_MS,
        "max_gpu_budget": MAX_GPUS,
        "prefill_engine_num_gpu": GPUS_PER_WORKER,
        "decode_engine_num_gpu": GPUS_PER_WORKER,
        "prefill_min_endpoint": MIN_PREFILL,
        "decode_min_endpoint": MIN_DECODE,
        "throughput_adjustment_interval_seconds": DYNAMO_THROUGHPUT_INTERVAL_S,
        "load_adjustment_interval_seconds": DYNAMO_LOAD_INTERVAL_S,
        "control_api_port": 0,
        "live_dashboard_port": 0,
    }
    if variant == "sla":
        base.update(optimization_target="sla", enable_throughput_scaling=True, enable_load_scaling=False)
    elif variant == "throughput":
        base.update(optimization_target="throughput")
    elif variant == "sla+load":
        base.update(optimization_target="sla", enable_throughput_scaling=True, enable_load_scaling=True)
    elif variant.startswith("sla/"):
        # sensitivity check: sla mode with another load predictor than the default arima
        base.update(optimization_target="sla", enable_throughput_scaling=True, enable_load_scaling=False,
                    load_predictor=variant.split("/", 1)[1])
    else:
        raise ValueError(variant)
    return base
