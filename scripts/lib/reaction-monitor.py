"""Watches one step of scripts/bench-reaction and measures how fast the fleet reacted.

Polls, every 0.25 s while the load generator runs: fulcrumd's /v1/status over its control
socket (workers, the last decisions and their actions), the router's GET /workers (who is
registered) and its /metrics (TTFT and inter-token-latency histograms, requests routed per
worker). From those it derives, in wall seconds from the step:

  first_job_s   the first decision after the step that started or drained a worker
  capacity_s    a worker started after the step registered with the router and routed its first
                request; or, when the step only drained, the drained worker gone from the fleet
  slo_back_s    the router's TTFT and TPOT percentiles over a sliding 5 s window back within
                the SLO (and staying so for 10 s) after leaving it; slo_never_left if they
                never left it after the step
"""

import argparse
import http.client
import json
import os
import re
import time
import urllib.request

import fulcrumhttp
import promtext

WINDOW_S = 5.0
STAY_S = 10.0
POLL_S = 0.25


def status(path):
    return fulcrumhttp.get(path, "/v1/status")


def fetch(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def routed(text):
    """Requests the router sent to each worker URL."""
    counts = {}
    for match in re.finditer(r'^fulcrum_emu_router_worker_requests_total\{([^}]*)\} ([0-9.e+]+)$', text, re.M):
        worker = re.search(r'worker="([^"]+)"', match.group(1))
        if worker:
            counts[worker.group(1)] = float(match.group(2))
    return counts


def config_values(path):
    text = open(path).read()
    slo = re.search(r"slo: \{ttft: (\d+)ms, tpot: (\d+)ms, percentile: ([0-9.]+)\}", text)
    bases = dict(re.findall(r"(prefill|decode): \{[^}]*port_base: (\d+)", text))
    return float(slo.group(1)) / 1000, float(slo.group(2)) / 1000, float(slo.group(3)), {k: int(v) for k, v in bases.items()}


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def watch(args, port_base):
    samples = []
    start_unix = time.time()
    while alive(args.load_pid):
        try:
            s = status(args.socket)
            metrics = fetch(args.router + "/metrics")
            registered = {w["url"] for w in json.loads(fetch(args.router + "/workers"))["workers"]}
        except (OSError, ValueError, http.client.HTTPException):
            time.sleep(POLL_S)
            continue
        samples.append({
            "t": time.time() - start_unix,
            "workers": {w["id"]: {"role": w["role"], "state": w["state"],
                                  "url": "http://127.0.0.1:%d" % (port_base[w["role"]] + w["gpus"][0])}
                        for w in s["workers"]},
            "decisions": [{"t": d["time"] - start_unix, "actions": d["actions"]} for d in s.get("last_decisions", [])],
            "registered": sorted(registered),
            "routed": routed(metrics),
            "ttft": promtext.buckets(metrics, "dynamo_frontend_time_to_first_token_seconds"),
            "itl": promtext.buckets(metrics, "dynamo_frontend_inter_token_latency_seconds"),
        })
        time.sleep(POLL_S)
    return samples


def first_job(samples, step):
    times = {d["t"] for s in samples for d in s["decisions"] if d["actions"] and d["t"] >= step}
    return min(times) - step if times else None


def capacity(samples, step):
    before = next((s["workers"] for s in reversed(samples) if s["t"] < step), {})
    for s in samples:
        if s["t"] < step:
            continue
        for worker_id, worker in s["workers"].items():
            if worker_id not in before and worker["url"] in s["registered"] and s["routed"].get(worker["url"], 0) > 0:
                return s["t"] - step
    started = any(wid not in before for s in samples if s["t"] >= step for wid in s["workers"])
    if started:
        return None
    for s in samples:
        if s["t"] >= step and any(wid not in s["workers"] for wid in before):
            return s["t"] - step
    return None


def slo_recovery(samples, step, ttft_target, tpot_target, p):
    within = []
    for index, s in enumerate(samples):
        if s["t"] < step:
            continue
        older = next((o for o in reversed(samples[:index]) if o["t"] <= s["t"] - WINDOW_S), None)
        if older is None:
            continue
        ttft = promtext.quantile(older["ttft"], s["ttft"], p, minimum=5)
        itl = promtext.quantile(older["itl"], s["itl"], p, minimum=5)
        if ttft is None and itl is None:
            continue
        within.append((s["t"], (ttft is None or ttft <= ttft_target) and (itl is None or itl <= tpot_target), ttft, itl))
    left = False
    for index, (t, ok, _, _) in enumerate(within):
        if not ok:
            left = True
            continue
        if left and all(ok_later for t_later, ok_later, _, _ in within[index:] if t_later <= t + STAY_S):
            return False, t - step, within
    return not left, None, within


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--socket", required=True)
    parser.add_argument("--router", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--step-at", type=float, required=True, help="wall seconds from the load's start to the step")
    parser.add_argument("--load-pid", type=int, required=True)
    parser.add_argument("--load-json", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    ttft_target, tpot_target, p, port_base = config_values(args.config)
    samples = watch(args, port_base)
    for _ in range(40):
        if os.path.exists(args.load_json):
            break
        time.sleep(0.25)
    load = json.load(open(args.load_json))
    step = args.step_at
    never_left, back, windows = slo_recovery(samples, step, ttft_target, tpot_target, p)
    result = {
        "first_job_s": first_job(samples, step),
        "capacity_s": capacity(samples, step),
        "slo_back_s": back,
        "slo_never_left": never_left,
        "sent": load["sent"],
        "failed": load["failed"],
        "slo": {"ttft_s": ttft_target, "tpot_s": tpot_target, "percentile": p},
    }
    json.dump({"result": result,
               "windows": [{"t": t, "within": ok, "ttft_p": a, "itl_p": b} for t, ok, a, b in windows],
               "decisions": sorted({(d["t"], "; ".join(d["actions"])) for s in samples for d in s["decisions"] if d["actions"]})},
              open(args.out, "w"), indent=1)
    fmt = lambda v: "never" if v is None else "%.1f s (%.0f s at 10x)" % (v, v * 10)
    print("first start/drain job after the step: %s" % fmt(result["first_job_s"]))
    print("capacity serving (or drained capacity gone): %s" % fmt(result["capacity_s"]))
    print("TTFT/TPOT p%g back within %.0f/%.0f ms: %s" % (p * 100, ttft_target * 1000, tpot_target * 1000,
          "stayed within" if never_left else fmt(back)))
    print("requests: %d sent, %d failed" % (load["sent"], load["failed"]))


if __name__ == "__main__":
    main()
