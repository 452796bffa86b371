#!/usr/bin/env python3
"""Replay one trace through Dynamo's mocker with one scaling policy, or print the
table of all results.

    python bench.py run --trace T.jsonl --policy {dynamo-sla,dynamo-throughput,dynamo-sla-load,fulcrum}
                        --out RESULT.json [--fulcrum-sim BIN --fulcrum-config YAML]
    python bench.py table RESULT.json... [--markdown OUT.md]
    python bench.py frontier RESULT.json... [--markdown OUT.md]   # fixed-split frontier per trace
    python bench.py warm-start RESULT.json... --trace NAME        # the split autoscalers take over

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


# A start of one role counts as a role flip when a worker of the other role was
# stopped at most this long before it (and that stop is not already paired): the
# GPU changed roles. 60 s = the start-up time and Dynamo's throughput interval;
# Fulcrum's own simulator pairs within one 10 s tick, so this is the stricter count.
FLIP_WINDOW_S = 60.0


def scale_actions(scale_ops) -> list:
    """Per-worker scaling actions from the mocker's planner_scale lifecycle ops:
    a start (worker_starting) or a stop (worker_draining, or a starting worker
    removed before it was ready). One action per worker, as fulcrum-sim counts."""
    out = []
    for o in scale_ops:
        for t in o["transitions"]:
            kind = None
            if t["transition"] == "worker_starting":
                kind = "start"
            elif t["transition"] == "worker_draining" or (
                    t["transition"] == "worker_removed" and t.get("prior_state") == "starting"):
                kind = "stop"
            if kind:
                out.append({"t_s": o["at_ms"] / 1000.0, "pool": o["pool"], "action": kind, "worker": t["worker_id"]})
    return out


def role_flips(actions) -> int:
    stops, flips = [], 0
    for a in sorted(actions, key=lambda a: a["t_s"]):
        if a["action"] == "stop":
            stops.append({"t": a["t_s"], "pool": a["pool"], "paired": False})
        else:
            for s in stops:
                if not s["paired"] and s["pool"] != a["pool"] and 0 <= a["t_s"] - s["t"] <= FLIP_WINDOW_S:
                    s["paired"] = True
                    flips += 1
                    break
    return flips


def summarise(native, trace_requests: int, wall_s: float, initial: dict, trace_span_s: float = 0.0) -> dict:
    s = dict(native.summary)
    recs = [r for r in (native.per_request or []) if r.get("terminal_status") == "completed"]
    ttft = [r["ttft_ms"] for r in recs if r.get("ttft_ms") is not None]
    itl = [r["itl_ms"] for r in recs if r.get("itl_ms") is not None]
    ok = 0
    per_minute: dict[int, list] = {}  # arrival minute (from the first arrival) -> [requests, SLO misses]
    for r in recs:
        t, i = r.get("ttft_ms"), r.get("itl_ms")
        good = t is not None and t <= benchcfg.TTFT_MS and (i is None or i <= benchcfg.ITL_MS)
        ok += good
        m = per_minute.setdefault(int(float(r.get("arrival_time_ms") or 0.0) // 60000), [0, 0])
        m[0] += 1
        m[1] += not good
    ops = list(native.lifecycle_operations or [])
    scale_ops = [o for o in ops if o.get("cause") == "planner_scale"]
    actions = scale_actions(scale_ops)
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
        # completed requests and SLO misses per minute of arrival: where a policy lost them
        "per_minute_requests_misses": [[60 * k, *per_minute[k]] for k in sorted(per_minute)],
        "gpu_hours": float(s.get("gpu_hours", float("nan"))),
        "prefill_worker_seconds": s.get("prefill_worker_seconds"),
        "decode_worker_seconds": s.get("decode_worker_seconds"),
        "scaling_events": len(scale_ops),
        "scale_ups": sum(1 for o in scale_ops if any(t["transition"] == "worker_starting" for t in o["transitions"])),
        # per-worker actions (one start or one stop each) and role flips; see scale_actions/role_flips
        "scale_actions": actions,
        "worker_actions": len(actions),
        "role_flips": role_flips(actions),
        "trace_span_s": trace_span_s,
        "scale_events_per_hour": len(actions) / (trace_span_s / 3600.0) if trace_span_s > 0 else float("nan"),
        "role_flips_per_10min": role_flips(actions) / (trace_span_s / 600.0) if trace_span_s > 0 else float("nan"),
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
        stamps = [json.loads(line)["timestamp"] for line in f if line.strip()]
    trace_requests = len(stamps)
    # the replay starts at the first arrival; the trace lasts until the last one
    trace_span_s = (max(stamps) - min(stamps)) / 1000.0 if stamps else 0.0
    common = dict(
        prefill_engine_args=benchcfg.engine_args("prefill"),
        decode_engine_args=benchcfg.engine_args("decode"),
        num_prefill_workers=args.start[0],
        num_decode_workers=args.start[1],
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
              "start": {"prefill": common["num_prefill_workers"], "decode": common["num_decode_workers"]},
              **summarise(native, trace_requests, wall, {"prefill": common["num_prefill_workers"],
                                                         "decode": common["num_decode_workers"]},
                        trace_span_s), **extra}
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
    # the fixed-split sweeps on the production traces go to `frontier`, not here
    rows = [r for r in rows if not (r["trace"] in PRODUCTION_TRACES and r["policy"].startswith("static:"))]
    order = {t: i for i, t in enumerate(["steady", "ramp", "mix-shift", "bursty"] + PRODUCTION_TRACES)}
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


PRODUCTION_TRACES = ["code", "chat", "long-context"]


def frontier_rows(rows):
    """Split one trace's results into fixed splits (marked on/off the Pareto
    frontier of attainment vs GPU-hours) and policies (compared with it)."""
    static = [r for r in rows if r["policy"].startswith("static:")]
    policies = [r for r in rows if not r["policy"].startswith("static:")]
    for s in static:
        s["_frontier"] = not any(
            o is not s and o["gpu_hours"] <= s["gpu_hours"] and o["slo_attainment"] >= s["slo_attainment"]
            and (o["gpu_hours"] < s["gpu_hours"] or o["slo_attainment"] > s["slo_attainment"]) for o in static)
    for p in policies:
        within = [s for s in static if s["gpu_hours"] <= p["gpu_hours"]]
        best = max(within, key=lambda s: (s["slo_attainment"], -s["gpu_hours"])) if within else None
        p["_best_within"] = best
        p["_on_frontier"] = best is None or p["slo_attainment"] >= best["slo_attainment"]
        reach = [s for s in static if s["slo_attainment"] >= p["slo_attainment"]]
        p["_cheapest_reaching"] = min(reach, key=lambda s: s["gpu_hours"]) if reach else None
    return static, policies


def warm_start(args):
    """Prints the fleet every autoscaler takes over on one trace, as P:D: the cheapest fixed
    split that meets the SLO percentile, or, where none does, the one with the highest
    attainment (fewest GPU-hours among equals). The same protocol as fulcrum-sim's frontier:
    a static fleet was always there, so a dynamic policy is handed the one an operator would
    have picked, instead of starting at 1 + 1 into traffic no 1 + 1 fleet can serve."""
    static = []
    for p in args.results:
        with open(p) as f:
            r = json.load(f)
        if r["trace"] == args.trace and r["policy"].startswith("static:"):
            static.append(r)
    if not static:
        raise SystemExit(f"warm-start: no fixed-split results for trace {args.trace}; run the sweep first")
    meeting = [r for r in static if r["slo_attainment"] >= benchcfg.SLO_PERCENTILE]
    pick = (min(meeting, key=lambda r: (r["gpu_hours"], -r["slo_attainment"])) if meeting
            else max(static, key=lambda r: (r["slo_attainment"], -r["gpu_hours"])))
    print(pick["policy"][len("static:"):])


def worker_split(text: str) -> tuple[int, int]:
    """`--start P:D`: prefill and decode worker counts, each at least 1."""
    parts = text.split(":")
    if len(parts) != 2 or not all(x.isdigit() and int(x) >= 1 for x in parts):
        raise argparse.ArgumentTypeError(f"--start {text}: give prefill and decode worker counts as P:D, each at least 1 (e.g. 4:1)")
    return int(parts[0]), int(parts[1])


def frontier(args):
    rows = []
    for p in args.results:
        with open(p) as f:
            rows.append(json.load(f))
    traces = [t for t in PRODUCTION_TRACES if any(r["trace"] == t for r in rows)]
    traces += sorted({r["trace"] for r in rows} - set(traces))
    out = []
    for trace in traces:
        static, policies = frontier_rows([r for r in rows if r["trace"] == trace])
        if not static:
            continue
        span = next((r.get("trace_span_s") for r in static if r.get("trace_span_s")), 0.0)
        n = static[0]["trace_requests"]
        out.append(f"### {trace} ({n} requests over {span:.0f} s)\n")
        out.append("Fixed splits P:D, never scaled: SLO attainment / GPU-hours; **bold** = on the fixed-split "
                   "Pareto frontier (no other split reaches at least its attainment with fewer GPU-hours).\n")
        by = {tuple(int(x) for x in s["policy"].split(":")[1:]): s for s in static}
        dmax = max(d for _, d in by)
        out.append("| P \\ D | " + " | ".join(str(d) for d in range(1, dmax + 1)) + " |")
        out.append("|---" * (dmax + 1) + "|")
        for p in range(1, max(p for p, _ in by) + 1):
            cells = []
            for d in range(1, dmax + 1):
                s = by.get((p, d))
                if s is None:
                    cells.append("")
                    continue
                c = f"{s['slo_attainment']:.3f} / {s['gpu_hours']:.2f}"
                cells.append(f"**{c}**" if s["_frontier"] else c)
            out.append(f"| {p} | " + " | ".join(cells) + " |")
        out.append("")
        out.append("| policy | start P/D | SLO attainment | GPU-hours | best fixed split within its GPU-hours | on/above frontier "
                   "| cheapest fixed split reaching its attainment | role flips / 10 min | scale events / h | peak P/D |")
        out.append("|---" * 10 + "|")
        order = {p: i for i, p in enumerate(POLICIES)}
        for r in sorted(policies, key=lambda r: order.get(r["policy"], 99)):
            b, c = r["_best_within"], r["_cheapest_reaching"]
            bs = f"{b['policy'][7:]} ({b['slo_attainment']:.3f} at {b['gpu_hours']:.2f})" if b else "none"
            cs = f"{c['policy'][7:]} ({c['gpu_hours']:.2f} GPU-h)" if c else "none"
            margin = r["slo_attainment"] - b["slo_attainment"] if b else float("nan")
            on = ("yes" if r["_on_frontier"] else "**no**") + (f" ({margin:+.3f})" if b else "")
            name = f"**{r['policy']}**" if r["policy"] == "fulcrum" else r["policy"]
            start = r.get("start", {"prefill": benchcfg.INITIAL_PREFILL, "decode": benchcfg.INITIAL_DECODE})
            out.append(f"| {name} | {start['prefill']}/{start['decode']} | {r['slo_attainment']:.3f} | {r['gpu_hours']:.3f} | {bs} | {on} | {cs} | "
                       f"{r.get('role_flips_per_10min', float('nan')):.2f} | {r.get('scale_events_per_hour', float('nan')):.1f} | "
                       f"{r['peak_workers']['prefill']}/{r['peak_workers']['decode']} |")
        ful = [r for r in policies if r["policy"] == "fulcrum"]
        dyn = [r for r in policies if r["policy"] in ("dynamo-sla", "dynamo-throughput", "dynamo-sla-load")]
        if ful and dyn:
            f, best = ful[0], max(dyn, key=lambda r: r["slo_attainment"])
            out.append("")
            out.append(f"Fulcrum {f['slo_attainment']:.3f} vs best Dynamo mode ({best['policy']}) "
                       f"{best['slo_attainment']:.3f}: {f['slo_attainment'] - best['slo_attainment']:+.3f}; "
                       f"role flips {f['role_flips']} ({f['role_flips_per_10min']:.2f} per 10 min), "
                       f"{f['worker_actions']} scale events ({f['scale_events_per_hour']:.1f} per hour).")
        out.append("")
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
    r.add_argument("--start", type=worker_split, default=(benchcfg.INITIAL_PREFILL, benchcfg.INITIAL_DECODE),
                   help="P:D workers ready at the first request, for a scaling policy (a static:P:D policy is its own)")
    t = sub.add_parser("table")
    t.add_argument("results", nargs="+")
    t.add_argument("--markdown")
    fr = sub.add_parser("frontier", help="per trace: fixed-split frontier and each policy against it")
    fr.add_argument("results", nargs="+")
    fr.add_argument("--markdown")
    w = sub.add_parser("warm-start", help="the fixed split the scaling policies take over on one trace")
    w.add_argument("results", nargs="+")
    w.add_argument("--trace", required=True)
    a = ap.parse_args()
    {"run": run, "table": table, "frontier": frontier, "warm-start": warm_start}[a.cmd](a)


if __name__ == "__main__":
    main()
