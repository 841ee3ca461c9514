"""`hotline bench turn`: replay many calls at once through the real HTTP API and time the cards.

The served app runs as its own process (`hotline serve`, deterministic mode, simulator backends, the demo
knowledge base), so its resident memory is measured alone. Each simulated call opens its SSE stream, then
says its lines one by one with a pause between them, as a caller does; the bench times each utterance from
the moment it is posted to its first card on the stream (knowledge, diagnosis or reply) and to the complete
suggestion (the POST's response, sent when the reply card is ready). The load comes from aiohttp's client in
one process: it shares the cores with the server it measures, and for the same 1,200 utterances it used about
3.5 s of CPU where httpx used 23-30 s.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import numpy as np
import orjson
import yaml
from pydantic import BaseModel, Field

CALLS_FILE = Path(__file__).resolve().parent / "data" / "bench_calls.yaml"
FIRST_CARDS = {"knowledge", "diagnosis", "reply"}


class BenchCalls(BaseModel):
    """The callers' lines per simulator situation."""

    version: int = Field(ge=1)
    calls: dict[str, list[str]] = Field(description="Situation -> what the caller says, turn by turn")
    openers: list[str] = Field(min_length=1, description="Words a caller starts a line with (喂, 那个...)")
    closers: list[str] = Field(min_length=1, description="Words a caller ends a line with ('' for none)")

    def said(self, situation: str, k: int) -> list[str]:
        """The lines of the `k`-th call in `situation`: each turn with the call's own opener and closer.

        Two calls of one situation say the same line at the same turn only after openers x closers calls.
        """
        n_open, n_close = len(self.openers), len(self.closers)
        return [f"{self.openers[(k + t) % n_open]}，{line}{self.closers[(k // n_open + t) % n_close]}"
                for t, line in enumerate(self.calls[situation])]


@dataclass
class CallTimes:
    """One call's measurements (perf_counter seconds, per turn)."""

    due: dict[int, float] = field(default_factory=dict)
    """When the caller spoke: the send in a closed loop, the clock's moment in an open one."""
    sent: dict[int, float] = field(default_factory=dict)
    first: dict[int, float] = field(default_factory=dict)
    done: dict[int, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def load_calls(path: Path = CALLS_FILE) -> BenchCalls:
    """The bench's call scripts, validated."""
    return BenchCalls.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def plan_calls(sim_db: Path, scripts: BenchCalls, n: int) -> list[tuple[str, list[str]]]:
    """`n` (msisdn, lines) pairs: simulator lines showing each scripted situation, round robin.

    Each call says its situation's lines in its own words (`BenchCalls.said`).
    """
    import sqlite3

    conn = sqlite3.connect(f"file:{sim_db}?mode=ro", uri=True)
    try:
        query = "SELECT msisdn FROM sim_profiles WHERE situation = ? ORDER BY msisdn LIMIT ?"
        pools = {s: [r[0] for r in conn.execute(query, (s, n))] for s in scripts.calls}
    finally:
        conn.close()
    pools = {s: p for s, p in pools.items() if p}
    if not pools:
        raise ValueError(f"{sim_db}: 模拟库里没有脚本中的任何情形")
    order = sorted(pools)
    plan = []
    for i in range(n):
        situation, k = order[i % len(order)], i // len(order)
        pool = pools[situation]
        plan.append((pool[k % len(pool)], scripts.said(situation, k)))
    return plan


async def _listen(session: aiohttp.ClientSession, base: str, call_id: str, times: CallTimes,
                  opened: asyncio.Event) -> None:
    async with session.get(f"{base}/v1/calls/{call_id}/events", timeout=aiohttp.ClientTimeout(total=None)) as stream:
        opened.set()
        if stream.status != 200:
            times.errors.append(f"events {stream.status}")
            return
        async for raw in stream.content:  # one line at a time
            if not raw.startswith(b"data:"):
                continue
            event = orjson.loads(raw[5:])
            turn = int(event["turn"])
            if event["type"] in FIRST_CARDS and turn not in times.first:
                times.first[turn] = time.perf_counter()
            if event["type"] == "wrapup":
                return
    times.errors.append("events: the stream ended before the wrap-up")


async def _post(session: aiohttp.ClientSession, url: str, body: dict[str, Any] | None = None) -> tuple[int, str]:
    async with session.post(url, json=body) as r:
        raw = await r.read()  # read whole, so the connection goes back to the pool
        return r.status, raw[:400].decode(errors="replace")[:120] if r.status >= 300 else ""


@dataclass
class Pace:
    """When calls speak: `think_s` after each answer (closed loop), or on a clock (open loop, `period_s` set).

    On a clock, every call speaks once a period, the calls' turns spread evenly over it, from one start once
    every call is open: the calls together offer `calls / period_s` utterances a second while each turn ends
    within its call's period. A call whose previous turn is still running sends its next words when that turn
    ends (one call's turns never overlap); latency is counted from when the words were due, as the caller
    waits, and the lag of such late sends is reported.
    """

    think_s: float
    period_s: float | None = None
    calls: int = 1
    opened: int = 0
    start: asyncio.Event = field(default_factory=asyncio.Event)
    t0: float = 0.0

    def open(self) -> None:
        """One more call is open (or gave up); the clock starts when the last one is."""
        self.opened += 1
        if self.opened >= self.calls and not self.start.is_set():
            self.t0 = time.perf_counter()
            self.start.set()


async def _call(session: aiohttp.ClientSession, base: str, call_id: str, msisdn: str, lines: list[str],
                utterances: int, pace: Pace, slot: int, times: CallTimes) -> None:
    try:
        status, _ = await _post(session, f"{base}/v1/calls",
                                {"call_id": call_id, "msisdn": msisdn, "agent_id": "BENCH"})
        if status != 201:
            times.errors.append(f"create {status}")
            return
        opened = asyncio.Event()
        listener = asyncio.create_task(_listen(session, base, call_id, times, opened))
        await asyncio.wait_for(opened.wait(), 30)
    finally:
        pace.open()
    if pace.period_s is None:
        await asyncio.sleep(pace.think_s * (hash(call_id) % 100) / 100)  # calls do not all speak at once
    else:
        await pace.start.wait()
    for turn in range(1, utterances + 1):
        if pace.period_s is not None:
            due = pace.t0 + pace.period_s * (turn - 1 + slot / pace.calls)
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
        times.sent[turn] = time.perf_counter()
        times.due[turn] = times.sent[turn] if pace.period_s is None else due
        status, text = await _post(session, f"{base}/v1/calls/{call_id}/utterances",
                                   {"speaker": "caller", "text": lines[(turn - 1) % len(lines)]})
        times.done[turn] = time.perf_counter()
        if status != 200:
            times.errors.append(f"utterance {status}: {text}")
        if pace.period_s is None:
            await asyncio.sleep(pace.think_s)
    status, _ = await _post(session, f"{base}/v1/calls/{call_id}/end")
    if status != 200:
        times.errors.append(f"end {status}")
    await asyncio.wait_for(listener, 30)


LATE_S = 0.01
"""An open-loop send this much after its moment is late (its call's previous turn was still running)."""


def _pct(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
    arr = np.asarray(values) * 1000
    return {"p50": round(float(np.percentile(arr, 50)), 1), "p95": round(float(np.percentile(arr, 95)), 1),
            "p99": round(float(np.percentile(arr, 99)), 1), "max": round(float(arr.max()), 1)}


async def drive(base_url: str, plan: list[tuple[str, list[str]]], utterances: int, think_s: float,
                rate: float | None = None) -> dict[str, Any]:
    """Replay the planned calls at once; latency percentiles (ms), throughput and errors.

    Each call pauses `think_s` after each answer, or, with `rate`, the calls together speak `rate` utterances
    a second on a clock (`Pace`).
    """
    pace = Pace(think_s, len(plan) / rate if rate else None, len(plan))
    # one connection per open stream plus one per call for its posts; aiohttp's client is used because the
    # load generator shares the 2 cores with the server it measures, and it is the lighter of the two
    connector = aiohttp.TCPConnector(limit=len(plan) * 2 + 10, keepalive_timeout=2.0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
        times = [CallTimes() for _ in plan]
        run = f"{os.getpid()}-{time.time_ns() % 10**9}"
        started = time.perf_counter()
        results = await asyncio.gather(*(
            _call(session, base_url, f"bench-{run}-{i}", msisdn, lines, utterances, pace, i, times[i])
            for i, (msisdn, lines) in enumerate(plan)), return_exceptions=True)
        elapsed = time.perf_counter() - started
    errors = [f"{type(r).__name__}: {r}" for r in results if isinstance(r, BaseException)]
    errors += [e for t in times for e in t.errors]
    first = [t.first[k] - t.due[k] for t in times for k in t.due if k in t.first]
    done = [t.done[k] - t.due[k] for t in times for k in t.due if k in t.done]
    sent = [v for t in times for v in t.sent.values()]
    finished = [v for t in times for v in t.done.values()]
    window = (max(finished) - min(sent)) if sent and finished else elapsed
    report = {"first_card_ms": _pct(first), "complete_ms": _pct(done),
              "utterances": len(done), "utterances_per_s": round(len(done) / window, 1) if window else 0.0,
              "missing_first_card": len(done) - len(first), "errors": len(errors), "error_samples": errors[:5],
              "wall_s": round(elapsed, 1)}
    if rate:
        lags = [t.sent[k] - t.due[k] for t in times for k in t.sent]
        span = max(sent) - min(sent) if len(sent) > 1 else 0.0
        report["schedule"] = {"late_sends": sum(lag > LATE_S for lag in lags), "send_lag_ms": _pct(lags),
                              "sent_per_s": round((len(sent) - 1) / span, 1) if span else 0.0}
    return report


def _proc_status(pid: int) -> dict[str, int]:
    out = {}
    for line in _read(f"/proc/{pid}/status").splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) // 1024
    return out


def _app_pids(pid: int) -> list[int]:
    """The served app's processes: the API process and its turn workers (forked by any of its threads)."""
    children = {int(c) for task in Path(f"/proc/{pid}/task").glob("*/children") for c in _read(str(task)).split()}
    return [pid, *sorted(children)]


def _memory(pids: list[int]) -> dict[str, int]:
    """The app's memory over its processes (MB).

    RSS summed counts a shared page once per process; PSS summed splits each shared page between the
    processes sharing it: what the app really holds.
    """
    rss = pss = 0
    for pid in pids:
        for line in _read(f"/proc/{pid}/smaps_rollup").splitlines():
            key, _, value = line.partition(":")
            if key == "Rss":
                rss += int(value.split()[0])
            elif key == "Pss":
                pss += int(value.split()[0])
    return {"rss_sum": rss // 1024, "pss": pss // 1024}


class _MemoryWatch:
    """Samples the app's memory every `every_s` while the drive runs; keeps the peak."""

    def __init__(self, pids: list[int], every_s: float = 1.0) -> None:
        self.pids, self.every_s = pids, every_s
        self.peak = _memory(pids)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(self.every_s):
            now = _memory(self.pids)
            self.peak = {k: max(v, now[k]) for k, v in self.peak.items()}

    def __enter__(self) -> _MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _read(path: str) -> str:
    """A /proc file, or "" when its process is gone (a worker may die, or be killed as hung, mid-run)."""
    try:
        return Path(path).read_text()
    except (FileNotFoundError, ProcessLookupError):
        return ""


def _cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system) a process has used so far; None when it is gone."""
    stat = _read(f"/proc/{pid}/stat")
    if not stat:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_per_utterance(before: dict[int, float | None], after: dict[int, float | None], client_s: float,
                       utterances: int) -> dict[str, Any]:
    """CPU milliseconds per utterance: the API process, each turn worker, the server in all, the load generator.

    A process gone by the end counts as None (its CPU is unknown) and is left out of the server's sum.
    """
    def per(pid: int) -> float | None:
        start, end = before.get(pid), after.get(pid)
        return None if start is None or end is None else round(1000 * (end - start) / max(utterances, 1), 2)

    api, *workers = before
    known = [v for v in map(per, before) if v is not None]
    return {"api": per(api), "workers": [per(w) for w in workers], "server": round(sum(known), 2),
            "load_generator": round(1000 * client_s / max(utterances, 1), 2)}


def _loaded(pids: list[int], library: str) -> bool:
    return any(library in _read(f"/proc/{pid}/maps") for pid in pids)


def run_turn_bench(sim_db: Path, kb_dir: Path, models_dir: Path, calls: int, utterances: int, think_s: float,
                   port: int, workers: int = 0, ingest: Path | None = None, rate: float | None = None
                   ) -> dict[str, Any]:
    """Start `hotline serve` on the demo data (with `workers` turn workers), replay `calls` calls at once, report.

    The served app reads the demo's simulator, knowledge base and trained models; its own checkpoints and
    audit trail go to a temporary directory, so a bench leaves the demo's data as it was. With `ingest`, the
    app serves a copy of the knowledge base and ingests that bulletin (`POST /v1/kb/ingest`) before the calls:
    the memory a knowledge manager's daily ingest leaves behind is measured, and the calls run on the new
    version. With `rate`, the calls speak that many utterances a second between them, on a clock (open loop),
    instead of each pausing `think_s` after each answer: the latency at a given load rather than at the most
    the server can take.

    Raises:
        RuntimeError: The server did not become ready, or the ingest failed.
    """
    plan = plan_calls(sim_db, load_calls(), calls)
    with tempfile.TemporaryDirectory(prefix="hotline-bench-") as scratch:
        if ingest is not None:
            kb_dir = Path(shutil.copytree(kb_dir, Path(scratch) / "kb"))
        env = {**os.environ, "HOTLINE_DATA_DIR": scratch, "HOTLINE_SIM_DB": str(sim_db),
               "HOTLINE_KB_DIR": str(kb_dir), "HOTLINE_MODELS_DIR": str(models_dir),
               "HOTLINE_TURN_WORKERS": str(workers)}
        env = {k: v for k, v in env.items() if not k.startswith(("HOTLINE_LLM_", "HOTLINE_CHECKPOINT_URL"))}
        return _serve_and_drive(env, plan, calls, utterances, think_s, port, workers, ingest, rate)


def _ingest(base: str, server: int, bulletin: Path, workers: int) -> tuple[dict[str, Any], list[int]]:
    """Ingest a bulletin through the API; the ingest's figures and the app's processes once it has settled."""
    workers_before = _app_pids(server)[1:]
    started = time.perf_counter()
    r = httpx.post(f"{base}/v1/kb/ingest", params={"dry_run": "false"}, timeout=600,
                   files={"files": (bulletin.name, bulletin.read_bytes())})
    if r.status_code != 200:
        raise RuntimeError(f"入库失败（{r.status_code}）: {r.text[:300]}")
    seconds = time.perf_counter() - started
    deadline = time.monotonic() + 30
    pids = _app_pids(server)
    while len(pids) > workers + 1 and time.monotonic() < deadline:  # the replaced workers are exiting
        time.sleep(0.2)
        pids = _app_pids(server)
    return {"file": bulletin.name, "seconds": round(seconds, 2), "index": r.json().get("index"),
            "worker_pids": {"before": workers_before, "after": pids[1:]}}, pids


def _serve_and_drive(env: dict[str, str], plan: list[tuple[str, list[str]]], calls: int, utterances: int,
                     think_s: float, port: int, workers: int, ingest: Path | None = None, rate: float | None = None
                     ) -> dict[str, Any]:
    server = subprocess.Popen([sys.executable, "-m", "copilot.cli", "serve", "--host", "127.0.0.1",
                               "--port", str(port), "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"hotline serve 退出了（{server.returncode}）")
            try:
                ready = httpx.get(f"{base}/readyz", timeout=5)
                if ready.status_code == 200:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"服务未就绪: {ready.text[:300]}")
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("服务未在 180 秒内启动") from None
            time.sleep(0.5)
        idle = _proc_status(server.pid)
        pids = _app_pids(server.pid)
        memory = {"after_start": _memory(pids)}
        ingested = None
        if ingest is not None:
            ingested, pids = _ingest(base, server.pid, ingest, workers)
            memory["after_ingest"] = _memory(pids)
        cpu_before, client_before = {pid: _cpu_s(pid) for pid in pids}, time.process_time()
        with _MemoryWatch(pids) as watch:
            report = asyncio.run(drive(base, plan, utterances, think_s, rate))
        cpu = _cpu_per_utterance(cpu_before, {pid: _cpu_s(pid) for pid in pids},
                                 time.process_time() - client_before, report["utterances"])
        mem = _proc_status(server.pid)
        torch = _loaded(pids, "libtorch")
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
    return {"bench": "turn", "mode": "deterministic", "calls": calls, "utterances_per_call": utterances,
            "think_s": None if rate else think_s, "offered_per_s": rate, "cores": os.cpu_count(),
            "turn_workers": workers, **report,
            "server_rss_mb": {"after_start": idle.get("VmRSS"), "peak": mem.get("VmHWM"), "end": mem.get("VmRSS")},
            "app_memory_mb": {"processes": len(pids), **memory, "peak": watch.peak}, "ingest": ingested,
            "cpu_ms_per_utterance": cpu, "torch_loaded": torch,
            "targets": {"first_card_p95_ms": 50, "complete_p95_ms": 150, "utterances_per_s": 100,
                        "rss_mb": 1024}}
