#!/usr/bin/env python3
"""Write the benchmark's synthetic traces as mooncake JSONL.

Each line: {"timestamp": ms, "input_length": n, "output_length": m, "hash_ids": [...]}
hash_ids holds ceil(input_length / BLOCK) ids, unique per request (no prefix
reuse: neither policy should win or lose by prefix-cache luck).

Shapes mirror `fulcrum-sim generate`'s built-in scenarios (steady, ramp,
mix-shift, bursty) but are shorter and sized for the benchmark cluster
(8 GPUs of the engine profile in NOTES.md). Deterministic: stdlib `random`
seeded per trace, no numpy.

    python gen_traces.py OUT_DIR [--seed 42] [--scale 1.0]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random

BLOCK = 512  # mooncake block size (trace_block_size passed to the replay)


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
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    for name in a.only or TRACES:
        rows = generate(name, a.seed, a.scale)
        path = os.path.join(a.out_dir, f"{name}.jsonl")
        with open(path, "w") as f:
            for row in rows:
                f.write(json.dumps(row, separators=(",", ":")) + "\n")
        dur = rows[-1]["timestamp"] / 1000.0 if rows else 0
        isl = sum(r["input_length"] for r in rows) / max(1, len(rows))
        osl = sum(r["output_length"] for r in rows) / max(1, len(rows))
        print(f"{path}: {len(rows)} requests over {dur:.0f} s, mean ISL {isl:.0f}, mean OSL {osl:.0f}")


if __name__ == "__main__":
    main()
