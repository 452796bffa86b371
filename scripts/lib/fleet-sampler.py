"""Samples one run of scripts/bench-fleet and prints its figures.

Every 5 s: fulcrumd's workers (and from them Prometheus' file_sd targets: the same ports
fulcrumd scrapes), the CPU time and RSS of fulcrumd and of Prometheus from /proc, and fulcrumd's
last scrape-cycle wall time. After a ramp-up (the workers given, or 5 minutes) it measures for the
given minutes, timing one `fulcrumctl status` per sample interval at a random point of it (so every phase
of the load cycle is in the figure, scale-up bursts included), then times 100 more calls in a row (outside the CPU
window), and prints, side by side, what fulcrumd and Prometheus cost the head node.
"""

import argparse
import json
import os
import random
import re
import subprocess
import time
import urllib.parse
import urllib.request

import fulcrumhttp
import promtext

INTERVAL_S = 5.0
TICKS_PER_S = os.sysconf("SC_CLK_TCK")
PORT_BASE = {"prefill": 20000, "decode": 21000}


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_S


def rss_mb(pid):
    match = re.search(r"VmRSS:\s+(\d+) kB", open(f"/proc/{pid}/status").read())
    return int(match.group(1)) / 1024


def fetch(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def metric(text, name, labels=""):
    match = re.search(r"^%s%s ([0-9.e+-]+|NaN)$" % (re.escape(name), re.escape(labels)), text, re.M)
    return float(match.group(1)) if match else None


def actions(text):
    counts = {}
    for kind, value in re.findall(r'^fulcrum_actions_total\{kind="([^"]+)",outcome="[^"]+"\} ([0-9.e+]+)$', text, re.M):
        counts[kind] = counts.get(kind, 0) + float(value)
    return counts


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else None


def write_targets(state, workers):
    targets = ["127.0.0.1:%d" % (PORT_BASE[w["role"]] + min(w["gpus"])) for w in workers if w["state"] != "failed"]
    path = f"{state}/targets.json"
    with open(path + ".tmp", "w") as out:
        json.dump([{"targets": targets, "labels": {"job": "workers"}}], out)
    os.replace(path + ".tmp", path)


def sample(args):
    workers = fulcrumhttp.get(f"{args.state}/control.sock", "/v1/workers")
    workers = workers.get("workers", workers) if isinstance(workers, dict) else workers
    write_targets(args.state, workers)
    text = fetch(args.metrics)
    return {
        "t": time.monotonic(),
        "workers": len(workers),
        "by_state": {s: sum(1 for w in workers if w["state"] == s) for s in ("starting", "ready", "draining")},
        "fulcrumd": {"cpu": cpu_seconds(args.fulcrumd_pid), "rss": rss_mb(args.fulcrumd_pid)},
        "prometheus": {"cpu": cpu_seconds(args.prometheus_pid), "rss": rss_mb(args.prometheus_pid)},
        "scrape_cycle_s": metric(text, "fulcrum_scrape_cycle_seconds"),
        "ticks": promtext.buckets(text, "fulcrum_tick_duration_seconds"),
        "actions": actions(text),
    }


def timed_status(args):
    """One `fulcrumctl status`, the whole command (process start included), in milliseconds."""
    started = time.monotonic()
    subprocess.run([args.fulcrumctl, "--socket", f"{args.state}/control.sock", "status"], capture_output=True, check=True)
    return (time.monotonic() - started) * 1000


def time_status(args, calls=100):
    """`fulcrumctl status` (the whole command, process start included; it asks for the summary),
    GET /v1/status?max_workers=20 (the summary) and GET /v1/status (every worker) on the socket
    alone, `calls` times each, after the CPU window so they do not count in it."""
    status_ms, summary_ms, api_ms = [], [], []
    socket = f"{args.state}/control.sock"
    for _ in range(calls):
        status_ms.append(timed_status(args))
        started = time.monotonic()
        fulcrumhttp.get(socket, "/v1/status?max_workers=20")
        summary_ms.append((time.monotonic() - started) * 1000)
        started = time.monotonic()
        fulcrumhttp.get(socket, "/v1/status")
        api_ms.append((time.monotonic() - started) * 1000)
    return status_ms, summary_ms, api_ms


def memory_breakdown(pid):
    """Resident MB: anonymous (heap, stacks) and file-backed (code, libraries), from smaps_rollup."""
    text = open(f"/proc/{pid}/smaps_rollup").read()
    def kb(field):
        match = re.search(r"^%s:\s+(\d+) kB" % field, text, re.M)
        return int(match.group(1)) / 1024 if match else 0
    return {"anonymous": kb("Anonymous"), "file": kb("Rss") - kb("Anonymous")}


def report(samples, args, window_status_ms, status_ms, summary_ms, api_ms):
    first, last = samples[0], samples[-1]
    wall = last["t"] - first["t"]
    def share(process):
        return 100 * (last[process]["cpu"] - first[process]["cpu"]) / wall
    def rss(process):
        values = [s[process]["rss"] for s in samples]
        return sum(values) / len(values), max(values)
    up = None
    try:
        query = urllib.parse.urlencode({"query": "count(up == 1)"})
        up = json.loads(fetch(f"{args.prometheus}/api/v1/query?{query}"))["data"]["result"][0]["value"][1]
    except (OSError, ValueError, KeyError, IndexError):
        pass
    cycles = [s["scrape_cycle_s"] for s in samples if s["scrape_cycle_s"] is not None]
    status, summary, api = status_ms, summary_ms, api_ms
    memory = memory_breakdown(args.fulcrumd_pid)
    events = {k: last["actions"].get(k, 0) - first["actions"].get(k, 0) for k in set(last["actions"]) | set(first["actions"])}
    counts = [s["workers"] for s in samples]
    result = {
        "minutes": wall / 60,
        "workers": {"min": min(counts), "mean": sum(counts) / len(counts), "max": max(counts)},
        "scale_events": events,
        "fulcrumd": {"cpu_percent": share("fulcrumd"), "rss_mb_mean": rss("fulcrumd")[0], "rss_mb_max": rss("fulcrumd")[1],
                     "tick_p50_s": promtext.quantile(first["ticks"], last["ticks"], 0.5), "tick_p99_s": promtext.quantile(first["ticks"], last["ticks"], 0.99),
                     "scrape_cycle_p50_s": percentile(cycles, 0.5), "scrape_cycle_max_s": max(cycles) if cycles else None,
                     "status_window_p50_ms": percentile(window_status_ms, 0.5), "status_window_p99_ms": percentile(window_status_ms, 0.99),
                     "status_window_calls": len(window_status_ms),
                     "status_p50_ms": percentile(status, 0.5), "status_p99_ms": percentile(status, 0.99), "status_calls": len(status),
                     "status_summary_p50_ms": percentile(summary, 0.5), "status_summary_p99_ms": percentile(summary, 0.99),
                     "status_api_p50_ms": percentile(api, 0.5), "status_api_p99_ms": percentile(api, 0.99),
                     "rss_anonymous_mb": memory["anonymous"], "rss_file_mb": memory["file"]},
        "prometheus": {"cpu_percent": share("prometheus"), "rss_mb_mean": rss("prometheus")[0], "rss_mb_max": rss("prometheus")[1],
                       "targets_up": up},
    }
    json.dump({"result": result, "samples": samples}, open(args.out, "w"), indent=1)
    f, p = result["fulcrumd"], result["prometheus"]
    print(f"\nmeasured {result['minutes']:.1f} min; workers {result['workers']['min']}-{result['workers']['max']} "
          f"(mean {result['workers']['mean']:.0f}); scale events: " + ", ".join(f"{k} {v:.0f}" for k, v in sorted(events.items())))
    print(f"{'':<34} {'fulcrumd':>12} {'prometheus':>12}")
    print(f"{'CPU, % of one core (goal <= 15)':<34} {f['cpu_percent']:12.1f} {p['cpu_percent']:12.1f}")
    def mean_max(x):
        return f"{x['rss_mb_mean']:.0f} / {x['rss_mb_max']:.0f}"
    print(f"{'RSS mean / max, MB (goal <= 40)':<34} {mean_max(f):>12} {mean_max(p):>12}")
    print(f"fulcrumd RSS at the end: {memory['anonymous']:.0f} MB anonymous (heap, stacks), {memory['file']:.0f} MB file-backed (code, libraries)")
    def ms(value):
        return "-" if value is None else f"{value * 1000:.1f} ms"
    print(f"fulcrumd tick p50 / p99: {ms(f['tick_p50_s'])} / {ms(f['tick_p99_s'])} (from its histogram, interpolated in buckets)")
    print(f"fulcrumd scrape cycle (all workers) p50 / max: {ms(f['scrape_cycle_p50_s'])} / {ms(f['scrape_cycle_max_s'])}")
    print(f"fulcrumctl status, whole command, one per sample through the window: p50 {f['status_window_p50_ms']:.1f} ms, "
          f"p99 {f['status_window_p99_ms']:.1f} ms over {f['status_window_calls']} calls (goal p99 <= 50 ms)")
    print(f"fulcrumctl status, whole command, {f['status_calls']} in a row after the window: p50 {f['status_p50_ms']:.1f} ms, p99 {f['status_p99_ms']:.1f} ms")
    print(f"GET /v1/status?max_workers=20 (the summary) on the socket alone: p50 {f['status_summary_p50_ms']:.1f} ms, p99 {f['status_summary_p99_ms']:.1f} ms")
    print(f"GET /v1/status (every worker) on the socket alone: p50 {f['status_api_p50_ms']:.1f} ms, p99 {f['status_api_p99_ms']:.1f} ms")
    print(f"prometheus targets up at the end: {up}")


def main():
    parser = argparse.ArgumentParser()
    for name in ("--state", "--fulcrumctl", "--metrics", "--prometheus", "--out"):
        parser.add_argument(name, required=True)
    parser.add_argument("--fulcrumd-pid", type=int, required=True)
    parser.add_argument("--prometheus-pid", type=int, required=True)
    parser.add_argument("--minutes", type=float, required=True)
    parser.add_argument("--ramp-workers", type=int, required=True)
    args = parser.parse_args()
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    ramp_end = time.monotonic() + 300
    while time.monotonic() < ramp_end:
        s = sample(args)
        print(f"ramp-up: {s['workers']} workers {s['by_state']}", flush=True)
        if s["workers"] >= args.ramp_workers:
            break
        time.sleep(INTERVAL_S)
    samples, window_status_ms = [], []
    offsets = random.Random(1)
    end = time.monotonic() + args.minutes * 60
    next_at = time.monotonic()
    while time.monotonic() < end:
        samples.append(sample(args))
        # At a random point of the interval, not right after the sample: writing the targets
        # file sets Prometheus re-reading it, and the call would always meet that.
        time.sleep(max(0, next_at + offsets.uniform(0.5, INTERVAL_S - 0.5) - time.monotonic()))
        window_status_ms.append(timed_status(args))
        if len(samples) % 12 == 1:
            s = samples[-1]
            print(f"{(s['t'] - samples[0]['t']) / 60:4.1f} min: {s['workers']} workers {s['by_state']}, "
                  f"fulcrumd {s['fulcrumd']['rss']:.0f} MB, prometheus {s['prometheus']['rss']:.0f} MB", flush=True)
        next_at += INTERVAL_S
        time.sleep(max(0, next_at - time.monotonic()))
    status_ms, summary_ms, api_ms = time_status(args)
    report(samples, args, window_status_ms, status_ms, summary_ms, api_ms)


if __name__ == "__main__":
    main()
