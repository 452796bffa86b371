#!/usr/bin/env python3
"""Replay one trace through Dynamo's mocker with one scaling policy, or print the
table of all results.

    python bench.py run --trace T.jsonl --policy {dynamo-sla,dynamo-throughput,dynamo-sla-load,fulcrum}
                        --out RESULT.json [--fulcrum-sim BIN --fulcrum-config YAML]
    python bench.py table RESULT.json... [--markdown OUT.md]

Every policy goes through the same native entry point,
dynamo._core.run_mocker_trace_replay(..., scaling_policy=POLICY): Dynamo's own
planner as built by dynamo.replay.planner.planner_replay_adapter (exactly what
dynamo.replay.run_trace_replay does), Fulcrum through fulcrum_adapter.FulcrumPolicy.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchcfg  # noqa: E402

POLICIES = ["dynamo-sla", "dynamo-throughput", "dynamo-sla-load", "fulcrum",
            # sensitivity checks, not part of the default run: sla mode with the
            # constant (last window) or kalman load predictor instead of arima
            "dynamo-sla-constant", "dynamo-sla-kalman"]
DYNAMO_VARIANT = {"dynamo-sla": "sla", "dynamo-throughput": "throughput", "dynamo-sla-load": "sla+load",
                  "dynamo-sla-constant": "sla/constant", "dynamo-sla-kalman": "sla/kalman"}


def pct(values, q):
    if not values:
        return float("nan")
    v = sorted(values)
    # nearest-rank percentile
    k = max(0, min(len(v) - 1, math.ceil(q * len(v)) - 1))
    return v[k]


def summarise(native, trace_requests: int, wall_s: float, initial: dict) -> dict:
    s = dict(native.summary)
    recs = [r for r in (native.per_request or []) if r.get("terminal_status") == "completed"]
    ttft = [r["ttft_ms"] for r in recs if r.get("ttft_ms") is not None]
    itl = [r["itl_ms"] for r in recs if r.get("itl_ms") is not None]
    ok = 0
    for r in recs:
        t, i = r.get("ttft_ms"), r.get("itl_ms")
        if t is not None and t <= benchcfg.TTFT_MS and (i is None or i <= benchcfg.ITL_MS):
            ok += 1
    ops = list(native.lifecycle_operations or [])
    scale_ops = [o for o in ops if o.get("cause") == "planner_scale"]
    # worker-count timeline from lifecycle ops (for GPU-hour cross-check and plots)
    timeline = [{"t_s": o["at_ms"] / 1000.0, "pool": o["pool"],
                 "active": len(o["state_after_batch"]["active"]),
                 "starting": len(o["state_after_batch"]["starting"]),
                 "draining": len(o["state_after_batch"]["draining"])} for o in ops]
    peak = dict(initial)
    for e in timeline:
        peak[e["pool"]] = max(peak[e["pool"]], e["active"] + e["starting"] + e["draining"])
    return {
        "trace_requests": trace_requests,
        "completed": int(s.get("completed_requests", len(recs))),
        "ttft_mean_ms": sum(ttft) / len(ttft) if ttft else float("nan"),
        "ttft_p90_ms": pct(ttft, 0.9),
        "itl_mean_ms": sum(itl) / len(itl) if itl else float("nan"),
        "itl_p90_ms": pct(itl, 0.9),
        "slo_attainment": ok / trace_requests if trace_requests else float("nan"),
        "gpu_hours": float(s.get("gpu_hours", float("nan"))),
        "prefill_worker_seconds": s.get("prefill_worker_seconds"),
        "decode_worker_seconds": s.get("decode_worker_seconds"),
        "scaling_events": len(scale_ops),
        "scale_ups": sum(1 for o in scale_ops if any(t["transition"] == "worker_starting" for t in o["transitions"])),
        "peak_workers": peak,
        "duration_s": float(s.get("duration_ms", 0)) / 1000.0,
        "mocker_goodput_completed": s.get("goodput_completed_requests"),
        "mocker_summary": {k: s[k] for k in ("mean_ttft_ms", "p90_ttft_ms", "mean_itl_ms", "p90_itl_ms",
                                             "mean_tpot_ms", "p90_tpot_ms") if k in s},
        "wall_s": wall_s,
        "timeline": timeline,
    }


def run(args):
    from dynamo._core import run_mocker_trace_replay

    with open(args.trace) as f:
        trace_requests = sum(1 for line in f if line.strip())
    common = dict(
        prefill_engine_args=benchcfg.engine_args("prefill"),
        decode_engine_args=benchcfg.engine_args("decode"),
        num_prefill_workers=benchcfg.INITIAL_PREFILL,
        num_decode_workers=benchcfg.INITIAL_DECODE,
        router_mode="round_robin",
        trace_block_size=benchcfg.TRACE_BLOCK_SIZE,
        trace_format="mooncake",
        replay_mode="offline",
        sla_ttft_ms=benchcfg.TTFT_MS,
        sla_itl_ms=benchcfg.ITL_MS,
        capture_per_request=True,
        capture_planner_details=True,  # also gates native.lifecycle_operations
    )
    extra = {}
    t0 = time.time()
    if args.policy in DYNAMO_VARIANT:
        from dynamo.replay.planner import planner_replay_adapter

        pc = benchcfg.dynamo_planner_config(DYNAMO_VARIANT[args.policy])
        with planner_replay_adapter(
            extra_engine_args=None,
            prefill_engine_args=common["prefill_engine_args"],
            decode_engine_args=common["decode_engine_args"],
            planner_config_arg=json.dumps(pc),
            benchmark_granularity=8,
            capture_details=False,
        ) as adapter:
            extra["planner_bootstrap"] = adapter._bootstrap_metadata
            native = run_mocker_trace_replay([args.trace], **common, scaling_policy=adapter)
        extra["planner_config"] = pc
    elif args.policy == "fulcrum":
        from fulcrum_adapter import FulcrumPolicy
        from dynamo.mocker.config import normalize_mocker_config

        norm = normalize_mocker_config(common["decode_engine_args"])
        kv = norm["engine"]["num_gpu_blocks"] * norm["engine"]["block_size"]
        policy = FulcrumPolicy(
            args.fulcrum_sim, args.fulcrum_config, tick_s=benchcfg.FULCRUM_TICK_S, max_gpus=benchcfg.MAX_GPUS,
            gpus_per_worker=benchcfg.GPUS_PER_WORKER, kv_capacity_tokens=kv, startup_s_hint=benchcfg.STARTUP_S,
            log_path=args.decide_log,
        )
        try:
            native = run_mocker_trace_replay([args.trace], **common, scaling_policy=policy)
        finally:
            policy.close()
        extra["fulcrum_decide_errors"] = policy.errors
        extra["fulcrum_ticks"] = policy.line_no
        extra["fulcrum_over_budget_workers"] = policy.over_budget_workers
        reasons = {}
        for d in policy.decisions:
            for r in d["reasons"]:
                reasons[r] = reasons.get(r, 0) + 1
        extra["fulcrum_reason_counts"] = reasons
    elif args.policy.startswith("static:"):
        # reference point: a fixed fleet for the whole trace, no scaling
        _, p, d = args.policy.split(":")
        common.update(num_prefill_workers=int(p), num_decode_workers=int(d))
        native = run_mocker_trace_replay([args.trace], **common, scaling_policy=None)
    else:
        raise SystemExit(f"unknown policy {args.policy}")
    wall = time.time() - t0
    result = {"trace": os.path.basename(args.trace).removesuffix(".jsonl"), "policy": args.policy,
              **summarise(native, trace_requests, wall, {"prefill": common["num_prefill_workers"],
                                                         "decode": common["num_decode_workers"]}), **extra}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1, default=str)
    print(f"{result['trace']:>10} {args.policy:<18} done={result['completed']}/{trace_requests} "
          f"SLO={result['slo_attainment']:.3f} GPUh={result['gpu_hours']:.3f} events={result['scaling_events']} "
          f"wall={wall:.0f}s", flush=True)


def table(args):
    rows = []
    for p in args.results:
        with open(p) as f:
            rows.append(json.load(f))
    order = {t: i for i, t in enumerate(["steady", "ramp", "mix-shift", "bursty"])}
    rows.sort(key=lambda r: (order.get(r["trace"], 99), POLICIES.index(r["policy"]) if r["policy"] in POLICIES else 99,
                             r["policy"]))
    head = ("| trace | policy | completed | TTFT mean (ms) | TTFT p90 (ms) | ITL mean (ms) | ITL p90 (ms) "
            "| SLO attainment | GPU-hours | scaling events | peak P/D | last request done (s) |")
    out = [head, "|" + "---|" * 12]
    for r in rows:
        out.append(
            f"| {r['trace']} | {r['policy']} | {r['completed']}/{r['trace_requests']} | {r['ttft_mean_ms']:.0f} | "
            f"{r['ttft_p90_ms']:.0f} | {r['itl_mean_ms']:.1f} | {r['itl_p90_ms']:.1f} | {r['slo_attainment']:.3f} | "
            f"{r['gpu_hours']:.3f} | {r['scaling_events']} | {r['peak_workers']['prefill']}/{r['peak_workers']['decode']} | "
            f"{r['duration_s']:.0f} |"
        )
    text = "\n".join(out)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")


def main():
    logging.basicConfig(level=logging.WARNING)
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--trace", required=True)
    r.add_argument("--policy", required=True, help=" | ".join(POLICIES) + " | static:P:D")
    r.add_argument("--out", required=True)
    r.add_argument("--fulcrum-sim", default=os.environ.get("FULCRUM_SIM"))
    r.add_argument("--fulcrum-config")
    r.add_argument("--decide-log", default=None)
    t = sub.add_parser("table")
    t.add_argument("results", nargs="+")
    t.add_argument("--markdown")
    a = ap.parse_args()
    {"run": run, "table": table}[a.cmd](a)


if __name__ == "__main__":
    main()
