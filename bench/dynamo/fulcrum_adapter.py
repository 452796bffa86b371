"""Fulcrum as a scaling policy inside Dynamo's offline replay loop.

Dynamo's Rust replay (dynamo._core.run_mocker_trace_replay, scaling_policy=...)
calls `initial_tick_ms()` once and then `on_tick(snapshot)` at every scheduled
tick, applying the returned {"target_prefill", "target_decode", "next_tick_ms"}.
This adapter translates each snapshot into one line of Fulcrum's decision
schema v1, writes it to a long-lived `fulcrum-sim decide` process, reads one
line back and returns Fulcrum's placeable counts (`target`, i.e. `desired` minus `unplaced`).

What the Dynamo snapshot holds (see NOTES.md) and how it maps:

  active/starting/draining_{prefill,decode}_ids -> workers[] with state
        ready/starting/draining; ids "prefill-<n>"/"decode-<n>" from Dynamo's
        worker index; one node "sim" holding the GPU budget, each worker a
        stable GPU index.
  {prefill,decode}_fpm_snapshots (latest forward pass per worker: running and
        queued requests, tokens, KV tokens, wall time) -> per-worker telemetry:
        requests_waiting, requests_running, kv_cache_usage (decode), and
        synthesised cumulative prompt/generation/finished counters (the
        snapshot has no counters; see _advance_counters).
  traffic (the tick window: arrivals, mean ISL/OSL of completed requests,
        mean TTFT/ITL) -> traffic {duration_s, requests, mean_input_tokens,
        mean_output_tokens}. TTFT/ITL are window *means*, the schema wants the
        SLO percentile, so they are not sent (no latency feedback).
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, Optional

ROLES = ("prefill", "decode")


class FulcrumPolicy:
    def __init__(
        self,
        fulcrum_sim: str,
        config_path: str,
        *,
        tick_s: float,
        max_gpus: int,
        gpus_per_worker: int,
        kv_capacity_tokens: int,
        startup_s_hint: float,
        log_path: Optional[str] = None,
    ) -> None:
        self.tick_ms = tick_s * 1000.0
        self.max_gpus = max_gpus
        self.gpw = gpus_per_worker
        self.kv_capacity = float(kv_capacity_tokens)
        self.startup_hint = startup_s_hint
        self.proc = subprocess.Popen(
            [fulcrum_sim, "decide", "--config", config_path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=sys.stderr,
            text=True,
            bufsize=1,
        )
        self.log = open(log_path, "w") if log_path else None
        self.line_no = 0
        self.errors = 0
        self.decisions: list[dict[str, Any]] = []
        # worker registry: (role, dynamo id) -> {"started_at", "ready_at", "gpus"}
        self.workers: dict[tuple[str, int], dict[str, Any]] = {}
        self.counters: dict[tuple[str, int], dict[str, float]] = {}
        self.fpm: dict[tuple[str, int], dict[str, Any]] = {}
        self.prev_now: Optional[float] = None
        self.prev_queue_tokens = 0.0
        self.over_budget_workers = 0

    # -- Dynamo scaling-policy protocol ---------------------------------
    def initial_tick_ms(self) -> float:
        return self.tick_ms

    def on_tick(self, snap: dict[str, Any]) -> dict[str, Any]:
        now = float(snap["now_ms"]) / 1000.0
        message = self.translate(snap, now)
        self.line_no += 1
        line = json.dumps(message, separators=(",", ":"))
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        reply_line = self.proc.stdout.readline()
        if not reply_line:
            raise RuntimeError(f"fulcrum-sim decide exited (rc={self.proc.poll()}) at line {self.line_no}")
        reply = json.loads(reply_line)
        if self.log:
            self.log.write(json.dumps({"in": message, "out": reply}, separators=(",", ":")) + "\n")
        self.prev_now = now
        if "error" in reply:
            self.errors += 1
            print(f"fulcrum decide error at line {self.line_no}: {reply['error']}", file=sys.stderr)
            return {"target_prefill": None, "target_decode": None, "next_tick_ms": snap["now_ms"] + self.tick_ms}
        desired = reply.get("desired") or {}
        unplaced = reply.get("unplaced") or {}
        # `target` (= desired - unplaced) is what Fulcrum could place on free GPUs; the
        # mocker enforces no GPU budget and would start unplaced workers at once, while a
        # draining worker still holds its GPU.
        targets = reply.get("target") or {role: desired[role] - int(unplaced.get(role, 0)) for role in desired}
        self.decisions.append({"t": now, "current": reply.get("current"), "desired": desired, "unplaced": unplaced,
                               "reasons": [r.get("code") for r in reply.get("reasons", [])]})
        next_s = float(reply.get("next_decision_s") or self.tick_ms / 1000.0)
        return {
            "target_prefill": targets.get("prefill"),
            "target_decode": targets.get("decode"),
            "next_tick_ms": snap["now_ms"] + next_s * 1000.0,
        }

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self.log:
            self.log.close()

    # -- translation -----------------------------------------------------
    def _assign_gpus(self, key):
        used = {g for k, w in self.workers.items() if k != key for g in w["gpus"]}
        free = [g for g in range(self.max_gpus) if g not in used]
        if len(free) < self.gpw:
            # More workers than the budget holds: cannot happen while targets are
            # desired - unplaced, unless a draining worker still holds its GPU.
            # Give it GPUs past the budget so the line stays valid, and say so.
            self.over_budget_workers += 1
            print(f"fulcrum adapter: no free GPU for {key}; node extended past the budget", file=sys.stderr)
            top = max(used | {self.max_gpus - 1}) + 1
            free = free + list(range(top, top + self.gpw))
        return free[: self.gpw]

    def translate(self, snap: dict[str, Any], now: float) -> dict[str, Any]:
        dt = now - self.prev_now if self.prev_now is not None else None
        states: dict[tuple[str, int], str] = {}
        for role in ROLES:
            for wid in snap.get(f"active_{role}_ids", []):
                states[(role, wid)] = "ready"
            for wid in snap.get(f"starting_{role}_ids", []):
                states[(role, wid)] = "starting"
            for wid in snap.get(f"draining_{role}_ids", []):
                states[(role, wid)] = "draining"
        # forget removed workers (frees their GPUs and counters)
        for key in list(self.workers):
            if key not in states:
                del self.workers[key]
                self.counters.pop(key, None)
                self.fpm.pop(key, None)
        for key, state in sorted(states.items()):
            w = self.workers.get(key)
            if w is None:
                if self.prev_now is None and state == "ready":
                    # initial fleet: up before the trace starts
                    w = {"started_at": -self.startup_hint, "ready_at": 0.0}
                else:
                    # it was started by the previous tick's decision
                    w = {"started_at": self.prev_now if self.prev_now is not None else now, "ready_at": None}
                w["gpus"] = self._assign_gpus(key)
                self.workers[key] = w
                self.counters[key] = {"prompt": 0.0, "gen": 0.0, "finished": 0.0}
            if state == "ready" and w["ready_at"] is None:
                w["ready_at"] = now  # first tick seen serving (tick granularity)
        for role in ROLES:
            for f in snap.get(f"{role}_fpm_snapshots", []) or []:
                self.fpm[(role, int(f["worker_id"]))] = f

        traffic = snap.get("traffic") or {}
        if dt is not None and dt > 0:
            self._advance_counters(states, traffic, dt)

        workers = []
        for (role, wid), w in sorted(self.workers.items()):
            state = states[(role, wid)]
            entry = {"id": f"{role}-{wid}", "role": role, "node": "sim", "gpus": w["gpus"], "state": state,
                     "started_at": w["started_at"]}
            if w["ready_at"] is not None:
                entry["ready_at"] = w["ready_at"]
            fpm = self.fpm.get((role, wid))
            if state != "starting" and fpm is not None:
                c = self.counters[(role, wid)]
                tel = {"scraped_at": now, "prompt_tokens": c["prompt"], "generation_tokens": c["gen"],
                       "requests_finished": c["finished"]}
                if role == "prefill":
                    tel["requests_waiting"] = fpm["num_queued_prefill"]
                    tel["requests_running"] = fpm["num_prefill_requests"]
                else:
                    tel["requests_waiting"] = fpm["num_queued_decode"]
                    tel["requests_running"] = fpm["num_decode_requests"]
                    tel["kv_cache_usage"] = min(1.0, fpm["sum_decode_kv_tokens"] / self.kv_capacity)
                entry["telemetry"] = tel
            workers.append(entry)

        message: dict[str, Any] = {
            "schema": 1,
            "time": now,
            "nodes": [{"name": "sim", "gpus": sorted(set(range(self.max_gpus)) | {g for w in self.workers.values() for g in w["gpus"]})}],
            "workers": workers,
        }
        if traffic.get("duration_s", 0) > 0:
            t = {"duration_s": traffic["duration_s"], "requests": traffic.get("num_req", 0)}
            if traffic.get("shape_count", 0) > 0:
                t["mean_input_tokens"] = traffic["avg_isl"]
                t["mean_output_tokens"] = traffic["avg_osl"]
            message["traffic"] = t
        return message

    def _advance_counters(self, states, traffic, dt):
        """Synthesise the cumulative counters a Prometheus scrape would show.

        The Dynamo snapshot has only the latest forward pass per worker and the
        window's traffic summary, so:
          prefill prompt tokens: pool total by conservation (arrived tokens +
            queue shrinkage); a worker with a queue is credited its saturated
            rate (tokens of its last pass / that pass's wall time), the rest is
            split evenly (round-robin routing) among the other ready workers.
          decode generation tokens: running sequences / step wall time * dt.
          finished: window completions split evenly over ready workers.
        """
        pre_ready = [k for k, s in states.items() if k[0] == "prefill" and s != "starting"]
        dec_ready = [k for k, s in states.items() if k[0] == "decode" and s != "starting"]
        isl = traffic.get("avg_isl") or 0.0
        arrived_tokens = float(traffic.get("num_req", 0)) * isl
        queue_tokens = sum(float(self.fpm[k]["sum_queued_prefill_tokens"]) for k in pre_ready if k in self.fpm)
        pool = max(0.0, arrived_tokens + self.prev_queue_tokens - queue_tokens)
        self.prev_queue_tokens = queue_tokens
        saturated, rest = {}, []
        for k in pre_ready:
            f = self.fpm.get(k)
            if f and f["num_queued_prefill"] > 0 and f["wall_time"] > 0:
                saturated[k] = f["sum_prefill_tokens"] / f["wall_time"] * dt
            else:
                rest.append(k)
        remaining = max(0.0, pool - sum(saturated.values()))
        for k, v in saturated.items():
            self.counters[k]["prompt"] += v
        for k in rest:
            self.counters[k]["prompt"] += remaining / len(rest)
        if pre_ready and isl > 0:
            done = pool / isl
            for k in pre_ready:
                self.counters[k]["finished"] += done / len(pre_ready)
        for k in dec_ready:
            f = self.fpm.get(k)
            if f and f["wall_time"] > 0 and f["num_decode_requests"] > 0:
                self.counters[k]["gen"] += f["num_decode_requests"] / f["wall_time"] * dt
        completed = float(traffic.get("shape_count", 0))
        for k in dec_ready:
            self.counters[k]["finished"] += completed / len(dec_ready)
