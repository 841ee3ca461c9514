"""Turn workers: the graph's turns run in processes forked from the loaded app, on every core."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from copilot.api.app import create_app
from copilot.settings import Settings
from knowledge.bulletins import write_bulletin
from tests.copilot.api.conftest import event_types, start
from tests.knowledge.test_ingest import bulletin
from tools.sim.db import SimDatabase

LINES = ["家里宽带断了，光猫红灯一直闪", "从昨天晚上就这样了，我在家办公急用"]
HUNG = {"turn_workers": 2, "turn_timeout_s": 2.0, "llm_timeout_s": 0.5, "backend_timeout_s": 0.2,
        "backend_retries": 0}  # a short turn timeout, longer than a turn's budgets (as Settings requires)


def _call(client: TestClient, sim_path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A broadband call: two lines and the end; each line's snapshot, and the events the call streamed."""
    start(client, sim_path, "bb_los_fibre_cut")
    snapshots = []
    for line in LINES:
        r = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": line})
        assert r.status_code == 200, r.text
        snapshots.append(r.json())
    assert client.post("/v1/calls/c1/end").status_code == 200
    return snapshots, event_types(client, "c1")


def _timeless(value: Any) -> Any:
    """`value` without its timings (how long each read took, when each event was stored)."""
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if k not in ("ms", "at")}
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    return value


def _cards(events: list[dict[str, Any]]) -> list[Any]:
    """The cards a call streamed, in order, without timings; sequence numbers checked apart."""
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    return [_timeless({k: v for k, v in e.items() if k != "seq"}) for e in events]


def _workers(client: TestClient) -> dict[str, Any]:
    checks: dict[str, Any] = client.get("/readyz").json()["checks"]
    return checks["turn_workers"]


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _gone(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    _wait_gone(pid)


def _until_alive(client: TestClient, count: int) -> None:
    """Until the app sees `count` workers alive (a killed process lets go of its pipes a moment after it dies)."""
    deadline = time.monotonic() + 10
    while _workers(client)["alive"] != count:
        assert time.monotonic() < deadline, f"workers alive: {_workers(client)['alive']}, expected {count}"
        time.sleep(0.05)


def _wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                return
        except FileNotFoundError:
            return
        assert time.monotonic() < deadline, f"worker {pid} did not exit"
        time.sleep(0.05)


def test_workers_give_the_cards_and_snapshots_of_turns_run_in_process(settings: Settings, sim_path: Path) -> None:
    with TestClient(create_app(settings)) as client:
        here, here_events = _call(client, sim_path)
    forked = settings.model_copy(update={"turn_workers": 2, "data_dir": settings.data_dir.parent / "forked"})
    with TestClient(create_app(forked)) as client:
        workers = _workers(client)
        assert workers["ok"] and workers["alive"] == 2
        assert all(pid != os.getpid() and _parent(pid) == os.getpid() for pid in workers["pids"])
        there, there_events = _call(client, sim_path)
    assert _timeless(there) == _timeless(here)
    assert here[0]["actions"][0]["action"] == "create_repair_ticket"
    assert _cards(there_events) == _cards(here_events)
    assert [e["type"] for e in there_events if e["turn"] == 1][-1] == "reply"


def test_an_action_confirmed_twice_runs_once_whichever_worker_takes_it(settings: Settings, sim_path: Path) -> None:
    with TestClient(create_app(settings.model_copy(update={"turn_workers": 2}))) as client:
        msisdn = start(client, sim_path, "bb_los_fibre_cut")
        client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": LINES[0]})
        decisions = [client.post("/v1/calls/c1/actions/create_repair_ticket/confirm").json() for _ in range(3)]
    assert decisions[0]["result"]["ok"] and not decisions[0]["repeated"]
    assert all(d["repeated"] and d["result"] == decisions[0]["result"] for d in decisions[1:])
    tickets = SimDatabase(sim_path).query("SELECT ticket_id FROM tickets WHERE msisdn = ? AND created_by = 'A1001'",
                                          (msisdn,))
    assert len(tickets) == 1


def test_a_dead_worker_is_replaced_and_the_turns_go_on(settings: Settings, sim_path: Path) -> None:
    with TestClient(create_app(settings.model_copy(update={"turn_workers": 2}))) as client:
        start(client, sim_path, "bb_los_fibre_cut")
        first, second = _workers(client)["pids"]
        _gone(first)
        _until_alive(client, 1)
        assert client.get("/readyz").status_code == 503
        for line in LINES:  # a turn finds the dead one idle and takes another: no turn is lost to it
            r = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": line})
            assert r.status_code == 200 and r.json()["intents"][0][0] == "broadband_fault"
        workers = _workers(client)
        assert workers["ok"] and workers["alive"] == 2 and first not in workers["pids"] and second in workers["pids"]
        _gone(second)
        _gone(next(pid for pid in workers["pids"] if pid != second))  # every worker dead: replaced all the same
        _until_alive(client, 0)
        r = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "还是不行"})
        assert r.status_code == 200, r.text
        assert _workers(client)["alive"] >= 1
        said = [u["text"] for u in client.get("/v1/calls/c1").json()["state"]["transcript"]
                if u["speaker"] == "caller"]
    assert said == [*LINES, "还是不行"]


def test_workers_serve_the_knowledge_base_an_ingest_switched_to(settings: Settings, sim_path: Path, kb_dir: Path,
                                                                tmp_path: Path) -> None:
    own_kb = tmp_path / "kb"
    shutil.copytree(kb_dir, own_kb)
    doc = tmp_path / "公告.docx"
    write_bulletin(bulletin(), doc)
    question = {"speaker": "caller", "text": "宽带欠费停机了，我钱交了多久能恢复上网"}

    def said(client: TestClient, call: str) -> str:
        start(client, sim_path, "bb_los_fibre_cut", call)
        hits = client.post(f"/v1/calls/{call}/utterances", json=question).json()["knowledge"]
        return next(h["snippet"] for h in hits if h["id"] == "KP-KD-00002")

    with TestClient(create_app(settings.model_copy(update={"turn_workers": 2, "kb_dir": own_kb}))) as client, \
            socket.create_server(("127.0.0.1", 0)) as listening:  # the API's own sockets are not the workers'
        assert "约5分钟" in said(client, "before")
        old = _workers(client)["pids"]
        files = {"files": ("公告.docx", doc.read_bytes())}
        applied = client.post("/v1/kb/ingest", params={"dry_run": False}, files=files).json()
        assert applied["index"]
        renewed = _workers(client)
        assert renewed["alive"] == 2 and not set(renewed["pids"]) & set(old)
        assert all(_parent(pid) == os.getpid() for pid in renewed["pids"])
        for call in ("after1", "after2", "after3"):  # whichever worker takes the turn: the changed point
            assert "约10分钟" in said(client, call)
        for pid in old:  # the old workers exit
            _wait_gone(pid)
        ours = os.stat(listening.fileno()).st_ino
        for pid in renewed["pids"]:
            held = [os.stat(f"/proc/{pid}/fd/{fd}").st_ino for fd in os.listdir(f"/proc/{pid}/fd")
                    if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:")]
            assert ours not in held and len(held) == 1  # its own pipe to the API process, nothing else


def test_a_hung_worker_fails_its_turn_after_the_timeout_and_is_stopped(settings: Settings, sim_path: Path) -> None:
    hung_settings = settings.model_copy(update=HUNG)
    with TestClient(create_app(hung_settings)) as client:
        start(client, sim_path, "bb_los_fibre_cut")
        pids = _workers(client)["pids"]
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)  # both hang: the next turn goes to one of them, whichever it is
        started = time.monotonic()
        r = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": LINES[0]})
        assert r.status_code == 500 and r.json()["error"]["code"] == "turn_failed"
        assert "无响应" in r.json()["error"]["message"] and time.monotonic() - started < 15
        workers = _workers(client)
        hung = next(pid for pid in pids if pid not in workers["pids"])  # killed, and replaced by a fresh one
        _wait_gone(hung)
        assert workers["alive"] == 2 and len(set(workers["pids"]) - set(pids)) == 1
        os.kill(next(pid for pid in pids if pid != hung), signal.SIGCONT)  # the other one wakes up
        for line in LINES:
            r = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": line})
            assert r.status_code == 200 and r.json()["intents"][0][0] == "broadband_fault"
        said = [u["text"] for u in client.get("/v1/calls/c1").json()["state"]["transcript"]
                if u["speaker"] == "caller"]
    assert said == LINES  # the hung turn left nothing behind: each line once, in order


def test_a_renewal_that_cannot_fork_leaves_the_old_workers_serving(settings: Settings, sim_path: Path,
                                                                    kb_dir: Path, tmp_path: Path) -> None:
    own_kb = tmp_path / "kb"
    shutil.copytree(kb_dir, own_kb)
    doc = tmp_path / "公告.docx"
    write_bulletin(bulletin(), doc)
    with TestClient(create_app(settings.model_copy(update={"turn_workers": 2, "kb_dir": own_kb}))) as client:
        start(client, sim_path, "bb_los_fibre_cut")
        before = _workers(client)["pids"]
        pool = client.app.state.workers  # type: ignore[attr-defined]
        spawn = pool._spawn
        calls = {"n": 0}

        def second_fork_fails(index: int, generation: int) -> Any:
            calls["n"] += 1
            if calls["n"] == 2:
                raise OSError(11, "Resource temporarily unavailable")
            return spawn(index, generation)

        pool._spawn = second_fork_fails
        files = {"files": ("公告.docx", doc.read_bytes())}
        r = client.post("/v1/kb/ingest", params={"dry_run": False}, files=files)
        assert r.status_code == 503 and r.json()["error"]["code"] == "workers_not_renewed"
        assert "请重启服务" in r.json()["error"]["message"]
        workers = _workers(client)
        assert workers["alive"] == 2 and workers["pids"] == before  # the old workers, still serving
        for line in LINES:
            r = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": line})
            assert r.status_code == 200 and r.json()["intents"][0][0] == "broadband_fault"


def test_sigterm_stops_an_idle_worker_and_the_app_replaces_it(settings: Settings, sim_path: Path) -> None:
    # the server's own SIGTERM handler (uvicorn's marks its server for exit), which a fork inherits
    served = signal.signal(signal.SIGTERM, lambda signum, frame: None)
    try:
        with TestClient(create_app(settings.model_copy(update={"turn_workers": 2}))) as client:
            start(client, sim_path, "bb_los_fibre_cut")
            first = _workers(client)["pids"][0]
            os.kill(first, signal.SIGTERM)  # as `kill` or a service manager sends it
            _wait_gone(first)
            _until_alive(client, 1)
            r = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": LINES[0]})
            assert r.status_code == 200 and r.json()["intents"][0][0] == "broadband_fault"
            assert _workers(client)["alive"] == 2 and first not in _workers(client)["pids"]
    finally:
        signal.signal(signal.SIGTERM, served)


needs_affinity = pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no CPU affinity on this OS")


@needs_affinity
def test_each_worker_keeps_to_a_cpu_of_its_own_and_its_replacement_to_the_same(settings: Settings,
                                                                                sim_path: Path) -> None:
    cpus = sorted(os.sched_getaffinity(0))
    own = [{cpus[0]}, {cpus[1]}] if len(cpus) > 1 else [set(cpus)] * 2  # one CPU: nothing to choose
    with TestClient(create_app(settings.model_copy(update={"turn_workers": 2}))) as client:
        workers = _workers(client)
        assert [os.sched_getaffinity(pid) for pid in workers["pids"]] == own
        assert workers["cpus"] == ([cpus[0], cpus[1]] if len(cpus) > 1 else [None, None])
        _gone(workers["pids"][0])
        _until_alive(client, 1)
        start(client, sim_path, "bb_los_fibre_cut")
        r = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": LINES[0]})
        assert r.status_code == 200, r.text
        _until_alive(client, 2)
        replaced = _workers(client)
        assert [os.sched_getaffinity(pid) for pid in replaced["pids"]] == own
    assert replaced["pids"][0] != workers["pids"][0]


@needs_affinity
def test_workers_told_to_share_may_run_on_any_cpu(settings: Settings) -> None:
    shared = settings.model_copy(update={"turn_workers": 2, "turn_worker_cpus": "shared"})
    with TestClient(create_app(shared)) as client:
        workers = _workers(client)
        assert all(os.sched_getaffinity(pid) == os.sched_getaffinity(0) for pid in workers["pids"])
    assert workers["cpus"] == [None, None]


@needs_affinity
def test_more_workers_than_cpus_are_left_free_to_move(settings: Settings) -> None:
    more = len(os.sched_getaffinity(0)) + 1
    with TestClient(create_app(settings.model_copy(update={"turn_workers": more}))) as client:
        workers = _workers(client)
        assert workers["alive"] == more
        assert all(os.sched_getaffinity(pid) == os.sched_getaffinity(0) for pid in workers["pids"])
    assert workers["cpus"] == [None] * more


@needs_affinity
def test_workers_serve_unpinned_where_the_os_refuses_a_cpu(settings: Settings, sim_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    def refuse(pid: int, cpus: set[int]) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "sched_setaffinity", refuse)
    cpus = len(os.sched_getaffinity(0))
    with TestClient(create_app(settings.model_copy(update={"turn_workers": cpus}))) as client:
        workers = _workers(client)
        start(client, sim_path, "bb_los_fibre_cut")
        r = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": LINES[0]})
        assert r.status_code == 200, r.text
    assert workers["ok"] and workers["alive"] == cpus and workers["cpus"] == [None] * cpus
    assert ("left free to move" in caplog.text) == (cpus > 1)
