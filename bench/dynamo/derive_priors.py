#!/usr/bin/env python3
"""Fit Fulcrum's performance priors to the engine timing profile the mocker uses,
and write Fulcrum's config for `fulcrum-sim decide`.

The mocker times every forward pass with AISimulate's estimator for the profile
in benchcfg.AIS_PROFILE; Dynamo's SLA planner bootstraps its regression from the
same estimator (dynamo/replay/planner.py: _generate_ais_*_fpms). Here we query
that estimator on a grid and least-squares fit Fulcrum's linear models:

  prefill: time(batch of B prompts of n tokens) = batch_overhead + B·n / tokens_per_s
                                                  + B·n² · attention_per_token_squared
  decode:  step = step_base + n_seqs * step_per_sequence + sum_ctx * step_per_context_token

kv_capacity_tokens comes from the mocker's own normalisation of the engine
arguments (num_gpu_blocks * block_size, which AIS sizes from GPU memory).

    python derive_priors.py OUT_YAML [--json OUT_JSON]
"""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchcfg  # noqa: E402

import numpy as np  # noqa: E402


def fit():
    from dynamo._internal.ais import create_session
    from dynamo.mocker.config import normalize_mocker_config

    pre = create_session({**benchcfg.AIS_PROFILE, "worker_type": "prefill"})
    dec = create_session({**benchcfg.AIS_PROFILE, "worker_type": "decode"})

    # Prefill: batches the scheduler actually forms (whole prompts packed up to
    # max_num_batched_tokens), prompt lengths across the traces' range.
    rows, ys = [], []
    cap = benchcfg.MAX_NUM_BATCHED_TOKENS
    for isl in (128, 256, 512, 1000, 1500, 2000, 3000, 4000, 6000, 8000):
        for batch in range(1, max(1, cap // isl) + 1):
            ms = pre.predict_prefill(batch, isl, 0)
            # overhead, linear work per token, attention per token² of each prompt
            rows.append([1.0, batch * isl, batch * isl * isl])
            ys.append(ms)
    # Weighted by 1/time: minimise relative error, so short batches (which the
    # fixed overhead dominates) count as much as long ones.
    w = 1.0 / np.array(ys)
    a, b, c = np.linalg.lstsq(np.array(rows) * w[:, None], np.array(ys) * w, rcond=None)[0]
    if c < 0:  # no attention visible in the profile: fall back to the linear model
        a, b = np.linalg.lstsq(np.array(rows)[:, :2] * w[:, None], np.array(ys) * w, rcond=None)[0]
        c = 0.0
    prefill = {"batch_overhead_ms": float(a), "tokens_per_s": float(1000.0 / b),
               "attention_s_per_token2": float(c) / 1000.0}
    pre_pred = np.array(rows) @ np.array([a, b, c])
    prefill["fit_max_rel_err"] = float(np.max(np.abs(pre_pred - ys) / np.array(ys)))

    norm = normalize_mocker_config(benchcfg.engine_args("decode"))
    kv_tokens = int(norm["engine"]["num_gpu_blocks"] * norm["engine"]["block_size"])

    rows, ys = [], []
    for ctx in (250, 500, 1000, 2000, 4000, 8000):
        for n in (1, 4, 8, 16, 32, 64, 96, 128, 160, 192, 224, 256):
            if n * ctx > kv_tokens:
                break
            ms = dec._estimate({"num_decode_requests": n, "sum_decode_kv_tokens": n * ctx})
            rows.append([1.0, n, n * ctx])
            ys.append(ms)
    w = 1.0 / np.array(ys)
    coef = np.linalg.lstsq(np.array(rows) * w[:, None], np.array(ys) * w, rcond=None)[0]
    pred = np.array(rows) @ coef
    decode = {
        "step_base_ms": float(coef[0]),
        "step_per_sequence_ms": float(coef[1]),
        "step_per_context_token_ms": float(coef[2]),
        "kv_capacity_tokens": kv_tokens,
        "max_batch": benchcfg.MAX_NUM_SEQS,
        "fit_max_rel_err": float(np.max(np.abs(pred - ys) / np.array(ys))),
        "fit_points": len(ys),
    }
    samples = {
        "prefill_ms": {str(n): pre.predict_prefill(1, n, 0) for n in (512, 1024, 2048, 4096, 8192)},
        "decode_step_ms": {f"{n}x{c}": dec._estimate({"num_decode_requests": n, "sum_decode_kv_tokens": n * c})
                           for n in (1, 64, 256) for c in (1000, 4000)},
    }
    return {"prefill": prefill, "decode": decode, "samples": samples}


def fulcrum_yaml(p) -> str:
    pf, d = p["prefill"], p["decode"]
    return f"""# Written by bench/dynamo/derive_priors.py; do not edit by hand.
# Priors fitted to AISimulate {benchcfg.AIS_PROFILE['model']} / {benchcfg.AIS_PROFILE['system']} / {benchcfg.AIS_PROFILE['backend']},
# the timing model the mocker uses. SLO, budget and start-up time from benchcfg.py.
slo: {{ttft: {benchcfg.TTFT_MS / 1000:g}s, tpot: {benchcfg.ITL_MS:g}ms, percentile: {benchcfg.SLO_PERCENTILE}}}
budget: {{max_gpus: {benchcfg.MAX_GPUS}, min_gpus: 0, min_prefill: {benchcfg.MIN_PREFILL}, min_decode: {benchcfg.MIN_DECODE}}}
workers: {{prefill: {{gpus_per_instance: {benchcfg.GPUS_PER_WORKER}}}, decode: {{gpus_per_instance: {benchcfg.GPUS_PER_WORKER}}}}}
estimation: {{startup_prior: {benchcfg.STARTUP_S:g}s}}
intervals: {{tick: {benchcfg.FULCRUM_TICK_S:g}s}}
priors:
  prefill: {{tokens_per_s: {pf['tokens_per_s']:.0f}, batch_overhead: {max(pf['batch_overhead_ms'], 0.0):.2f}ms, attention_per_token_squared: {pf['attention_s_per_token2']:.4g}}}
  decode: {{step_base: {d['step_base_ms']:.3f}ms, step_per_sequence: {d['step_per_sequence_ms']:.5f}ms, step_per_context_token: {d['step_per_context_token_ms']:.8f}ms, kv_capacity_tokens: {d['kv_capacity_tokens']}, max_batch: {d['max_batch']}}}
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_yaml")
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    p = fit()
    with open(a.out_yaml, "w") as f:
        f.write(fulcrum_yaml(p))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(p, f, indent=2)
    print(json.dumps(p, indent=2))


if __name__ == "__main__":
    main()
