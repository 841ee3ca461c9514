"""The turn benchmark's driver, against a real served app: every utterance gets its cards, nothing errs."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from copilot.api.app import create_app
from copilot.loadtest import BenchCalls, _cpu_per_utterance, _cpu_s, drive, load_calls, plan_calls, run_turn_bench
from copilot.settings import Settings
from knowledge.bulletins import write_bulletin
from tests.conftest import ServerThread
from tests.knowledge.test_ingest import bulletin


def test_the_call_scripts_cover_situations_the_simulator_has(world_file: Path) -> None:
    plan = plan_calls(world_file, load_calls(), 30)
    assert len(plan) == 30 and len({lines[0] for _, lines in plan}) >= 8
    with pytest.raises(ValueError, match="没有脚本中的任何情形"):
        plan_calls(world_file, BenchCalls(version=1, calls={"no_such_situation": ["喂"]}, openers=["喂"],
                                          closers=[""]), 3)


def test_no_two_calls_say_the_same_words(world_file: Path) -> None:
    # the copilot reads a caller's last two lines; lines repeated across calls would be answered from its
    # embedding cache and flatter the bench (short answers like 好的 may still recur on their own)
    plan = plan_calls(world_file, load_calls(), 200)
    pairs = [(lines[t - 1], lines[t]) for _, lines in plan for t in range(1, len(lines))]
    assert len(set(pairs)) == len(pairs)
    firsts = [lines[0] for _, lines in plan]
    assert len(set(firsts)) == len(firsts)
    scripts = load_calls()  # each call still says its situation's lines, only opened and closed its own way
    assert all(line in said for k in range(30) for situation, lines in scripts.calls.items()
               for line, said in zip(lines, scripts.said(situation, k), strict=True))


def test_drive_times_every_utterance_through_http_and_sse(sim_path: Path, kb_dir: Path, tmp_path: Path) -> None:
    settings = Settings(sim_db=sim_path, kb_dir=kb_dir, data_dir=tmp_path / "data")
    with ServerThread(create_app(settings)) as server:
        report = asyncio.run(drive(server.url, plan_calls(sim_path, load_calls(), 4), utterances=3, think_s=0))
    assert report["errors"] == 0, report["error_samples"]
    assert report["utterances"] == 12 and report["missing_first_card"] == 0
    assert report["first_card_ms"]["p50"] <= report["complete_ms"]["p99"]


def test_at_a_rate_the_calls_speak_on_a_clock(sim_path: Path, kb_dir: Path, tmp_path: Path) -> None:
    settings = Settings(sim_db=sim_path, kb_dir=kb_dir, data_dir=tmp_path / "data")
    with ServerThread(create_app(settings)) as server:
        report = asyncio.run(drive(server.url, plan_calls(sim_path, load_calls(), 4), utterances=3, think_s=0,
                                   rate=8.0))
    assert report["errors"] == 0, report["error_samples"]
    assert report["utterances"] == 12 and report["missing_first_card"] == 0
    # 4 calls at 8 a second: each speaks every 0.5 s, the four a quarter period apart, so the 12 utterances
    # are sent over at least 0.5 x (2 + 3/4) s however fast the answers (with no pause they take a fraction)
    assert report["utterances_per_s"] <= 12 / (0.5 * 2.75 - 0.05)


def slow_copilot(turn_s: float) -> FastAPI:
    """A scripted server speaking the copilot's call API whose every turn takes `turn_s`."""
    app = FastAPI()
    streams: dict[str, asyncio.Queue[dict[str, Any]]] = {}
    turns: dict[str, int] = {}

    @app.post("/v1/calls", status_code=201)
    async def create(body: dict[str, Any]) -> dict[str, Any]:
        streams[body["call_id"]], turns[body["call_id"]] = asyncio.Queue(), 0
        return body

    @app.get("/v1/calls/{call_id}/events")
    async def events(call_id: str) -> StreamingResponse:
        async def frames() -> AsyncIterator[bytes]:
            while True:
                event = await streams[call_id].get()
                yield b"data: " + json.dumps(event).encode() + b"\n\n"
                if event["type"] == "wrapup":
                    return
        return StreamingResponse(frames(), media_type="text/event-stream")

    @app.post("/v1/calls/{call_id}/utterances")
    async def utterance(call_id: str) -> dict[str, Any]:
        await asyncio.sleep(turn_s)
        turns[call_id] += 1
        streams[call_id].put_nowait({"type": "reply", "turn": turns[call_id]})
        return {}

    @app.post("/v1/calls/{call_id}/end")
    async def end(call_id: str) -> dict[str, Any]:
        streams[call_id].put_nowait({"type": "wrapup", "turn": 0})
        return {}

    return app


def test_words_due_while_the_last_turn_runs_are_late_and_timed_from_when_they_were_due() -> None:
    with ServerThread(slow_copilot(turn_s=0.4)) as server:
        # 2 calls at 8 a second: each call's words are due every 0.25 s, but a turn takes 0.4 s
        report = asyncio.run(drive(server.url, [("13800000000", ["喂"]), ("13800000001", ["喂"])], utterances=3,
                                   think_s=0, rate=8.0))
    assert report["errors"] == 0 and report["missing_first_card"] == 0, report["error_samples"]
    assert report["schedule"]["late_sends"] == 4, "turns 2 and 3 of both calls wait for the turn before"
    # the third words were due 0.5 s in and answered after three turns (1.2 s): 0.7 s waited, not 0.4
    assert report["complete_ms"]["max"] >= 650 and report["complete_ms"]["p50"] >= 400
    assert report["schedule"]["sent_per_s"] < 8


def test_cpu_per_utterance_splits_the_server_from_the_load_generator() -> None:
    before, started = _cpu_s(os.getpid()), time.process_time()
    while time.process_time() - started < 0.2:  # burn CPU: the reading from /proc must grow with it
        sum(range(1000))
    assert _cpu_s(os.getpid()) - before >= 0.1
    report = _cpu_per_utterance({10: 1.0, 11: 2.0, 12: 2.0}, {10: 1.5, 11: 3.0, 12: 3.2}, 0.3, 100)
    assert report == {"api": 5.0, "workers": [10.0, 12.0], "server": 27.0, "load_generator": 3.0}
    gone = subprocess.Popen(["true"])
    gone.wait()
    assert _cpu_s(gone.pid) is None  # a worker killed mid-run: unknown, and the report still comes
    report = _cpu_per_utterance({10: 1.0, 11: 2.0}, {10: 1.5, 11: _cpu_s(gone.pid)}, 0.3, 100)
    assert report["workers"] == [None] and report["server"] == 5.0


def test_the_bench_measures_an_ingest_and_runs_the_calls_on_the_renewed_workers(
        sim_path: Path, kb_dir: Path, models_dir: Path, tmp_path: Path) -> None:
    doc = tmp_path / "公告.docx"
    write_bulletin(bulletin(), doc)
    before = sorted(p.name for p in (kb_dir / "index").iterdir())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    report = run_turn_bench(sim_path, kb_dir, models_dir, calls=3, utterances=2, think_s=0, port=port, workers=2,
                            ingest=doc)
    assert report["errors"] == 0, report["error_samples"]
    assert report["ingest"]["file"] == "公告.docx" and report["ingest"]["index"]
    memory = report["app_memory_mb"]
    assert memory["processes"] == 3  # the API process and two workers, forked again after the switch
    pids = report["ingest"]["worker_pids"]
    assert len(pids["before"]) == len(pids["after"]) == 2 and not set(pids["before"]) & set(pids["after"])
    assert memory["after_ingest"]["pss"] > 0 and memory["peak"]["pss"] >= memory["after_ingest"]["pss"] // 2
    assert sorted(p.name for p in (kb_dir / "index").iterdir()) == before  # the ingest went into a copy
