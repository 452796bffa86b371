#!/usr/bin/env python3
"""Write the benchmark's synthetic traces as mooncake JSONL.

Each line: {"timestamp": ms, "input_length": n, "output_length": m, "hash_ids": [...]}
hash_ids holds ceil(input_length / BLOCK) ids, unique per request (no prefix
reuse: neither policy should win or lose by prefix-cache luck).

Two kinds of traces:

- synthetic (steady, ramp, mix-shift, bursty): shapes of `fulcrum-sim generate`'s
  built-in scenarios, shorter and sized for the benchmark cluster (8 GPUs of the
  engine profile in NOTES.md);
- production-shaped (code, chat, long-context): 20-minute slices of the bundled
  hour-long CSVs in examples/traces/ (`fulcrum-sim generate code|chat|long-context
  --seed 42` writes the same files), load-scaled for the 8-GPU cluster (see
  PRODUCTION). Prompts that do not fit the mocker's max_model_len together with
  their answer are capped (input = max_model_len - output); the count is printed.

Deterministic: stdlib `random` seeded per trace, no numpy.

    python gen_traces.py OUT_DIR [--seed 42] [--scale 1.0] [--only NAME...] [--csv-dir DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchcfg  # noqa: E402

BLOCK = benchcfg.TRACE_BLOCK_SIZE  # mooncake block size (trace_block_size passed to the replay)
CSV_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                       "examples", "traces")

# Production-shaped traces: (bundled CSV, slice start s, slice length s, load scale).
# Slices and scales are chosen so that some fixed split within 8 GPUs reaches high
# SLO attainment, the smallest ones do not, and the slice has the trace's character
# (docs/evaluation.md, "Production shapes in Dynamo's simulator").
PRODUCTION = {
    # bursts of 13-37k prompt tokens/s (20 s means) lasting 20-60 s between idle gaps
    "code": ("code.csv", 400.0, 1200.0, 1.0),
    # the hour's main swell: 4.3 -> 13.3 -> 6.3 req/s per 2 minutes before scaling
    "chat": ("chat.csv", 1080.0, 1200.0, 3.0),
    # stationary 3.3 req/s on 3 s ticks, prompts mean 12k (capped to fit max_model_len)
    "long-context": ("long-context.csv", 0.0, 1200.0, 0.5),
}
SPREAD_S = 60.0  # load-scale copies land up to this far either side (fulcrum-sim's `spread` mode)


def lognormal(rng: random.Random, mean: float, cv: float, lo: int, hi: int) -> int:
    sigma2 = math.log(1.0 + cv * cv)
    mu = math.log(mean) - sigma2 / 2.0
    v = rng.lognormvariate(mu, math.sqrt(sigma2))
    return int(min(hi, max(lo, round(v))))


def phases_for(name: str, scale: float):
    """A list of phases: (duration_s, rate_start, rate_end, arrival_cv,
    isl_mean, isl_cv, osl_mean, osl_cv). arrival_cv 1 = Poisson."""
    r = 2.0 * scale
    if name == "steady":
        return [(600, 6 * r, 6 * r, 1.0, 1000, 0.6, 250, 0.8)]
    if name == "ramp":
        return [(900, 1 * r, 12 * r, 1.0, 1000, 0.6, 250, 0.8)]
    if name == "mix-shift":
        # decode-heavy -> linear shift over 300 s -> prefill-heavy
        out = [(300, 4 * r, 4 * r, 1.0, 1000, 0.5, 500, 0.6)]
        steps = 6
        for i in range(1, steps + 1):
            f = i / (steps + 1)
            out.append((300 / steps, 4 * r, 4 * r, 1.0,
                        1000 + f * 5000, 0.5 - 0.1 * f, 500 - f * 420, 0.6 - 0.1 * f))
        out.append((300, 4 * r, 4 * r, 1.0, 6000, 0.4, 80, 0.5))
        return out
    if name == "bursty":
        return [(600, 6 * r, 6 * r, 3.0, 1000, 0.6, 250, 0.8)]
    raise SystemExit(f"unknown trace {name}")


TRACES = ["steady", "ramp", "mix-shift", "bursty"]
ALL_TRACES = TRACES + list(PRODUCTION)


def production(name: str, seed: int, scale: float, csv_dir: str):
    """Slice one bundled CSV, load-scale it, return mooncake rows and stats.

    Load scale K: each request is kept K times on average (floor(K) copies, one
    more with probability frac(K); K < 1 thins). Copies land in equal slices of
    +-SPREAD_S around the original and fold back at the slice's ends, as in
    fulcrum-sim's `spread` load-scale mode: K times the users, not K-fold clumps.
    """
    fname, start, dur, k = PRODUCTION[name]
    k *= scale
    rng = random.Random(f"{name}:{seed}")
    with open(os.path.join(csv_dir, fname)) as f:
        src = [(float(r["arrival_s"]) - start, int(r["input_tokens"]), int(r["output_tokens"]))
               for r in csv.DictReader(f)]
    src = [r for r in src if 0.0 <= r[0] < dur]
    out = []
    for t, isl, osl in src:
        n = int(k) + (1 if rng.random() < k - int(k) else 0)
        for j in range(n):
            if n == 1:
                tt = t
            else:
                tt = t - SPREAD_S + (j + rng.random()) * (2 * SPREAD_S / n)
                if tt < 0:
                    tt = -tt
                if tt >= dur:
                    tt = 2 * dur - tt
                tt = min(max(tt, 0.0), dur - 1e-3)
            out.append((tt, isl, osl))
    out.sort(key=lambda r: r[0])
    rows, capped, next_hash = [], 0, 0
    limit = benchcfg.MAX_MODEL_LEN
    for tt, isl, osl in out:
        osl = max(1, min(osl, limit // 2))
        if isl + osl > limit:
            isl = limit - osl
            capped += 1
        nblk = math.ceil(isl / BLOCK)
        rows.append({"timestamp": int(round(tt * 1000.0)), "input_length": isl, "output_length": osl,
                     "hash_ids": list(range(next_hash, next_hash + nblk))})
        next_hash += nblk
    return rows, {"source": fname, "slice_s": [start, start + dur], "load_scale": k,
                  "source_requests": len(src), "capped_prompts": capped}


def generate(name: str, seed: int, scale: float):
    rng = random.Random(f"{name}:{seed}")
    t0 = 0.0
    next_hash = 0
    rows = []
    for dur, r0, r1, acv, im, icv, om, ocv in phases_for(name, scale):
        t = 0.0
        while True:
            rate = r0 + (r1 - r0) * (t / dur)
            rate = max(rate, 1e-6)
            if acv == 1.0:
                gap = rng.expovariate(rate)
            else:
                k = 1.0 / (acv * acv)  # gamma renewal process with the given CV
                gap = rng.gammavariate(k, 1.0 / (k * rate))
            t += gap
            if t >= dur:
                break
            isl = lognormal(rng, im, icv, 16, 32768)
            osl = lognormal(rng, om, ocv, 2, 4096)
            nblk = math.ceil(isl / BLOCK)
            rows.append({
                "timestamp": int(round((t0 + t) * 1000.0)),
                "input_length": isl,
                "output_length": osl,
                "hash_ids": list(range(next_hash, next_hash + nblk)),
            })
            next_hash += nblk
        t0 += dur
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every arrival rate")
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--csv-dir", default=CSV_DIR, help="where code.csv, chat.csv, long-context.csv are")
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    for name in a.only or ALL_TRACES:
        note = ""
        if name in PRODUCTION:
            rows, info = production(name, a.seed, a.scale, a.csv_dir)
            note = (f" ({info['source']} {info['slice_s'][0]:.0f}-{info['slice_s'][1]:.0f} s, "
                    f"load x{info['load_scale']:g}, {info['source_requests']} source requests, "
                    f"{info['capped_prompts']} prompts capped to fit max_model_len {benchcfg.MAX_MODEL_LEN})")
        else:
            rows = generate(name, a.seed, a.scale)
        path = os.path.join(a.out_dir, f"{name}.jsonl")
        with open(path, "w") as f:
            for row in rows:
                f.write(json.dumps(row, separators=(",", ":")) + "\n")
        dur = rows[-1]["timestamp"] / 1000.0 if rows else 0
        isl = sum(r["input_length"] for r in rows) / max(1, len(rows))
        osl = sum(r["output_length"] for r in rows) / max(1, len(rows))
        print(f"{path}: {len(rows)} requests over {dur:.0f} s, mean ISL {isl:.0f}, mean OSL {osl:.0f}{note}")


if __name__ == "__main__":
    main()
