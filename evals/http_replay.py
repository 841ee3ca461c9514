"""HTTP replay: each scenario is a call on a running server (``hotline eval run --url``).

The server must run on the eval world's serving database (``<world>/serve/sim.sqlite``, see
`evals.world.World.serve_command`); before each case the harness resets that database from the pristine world
and writes the case's fixture into it, then starts a fresh call, posts the utterances as a switch and a
recognizer would, follows the call's event stream for the first-card latency, ends the call, and saves what the
server stored (``GET /v1/calls/{id}`` and its audit trail) under ``calls/`` in the run directory.

What a server cannot be told is skipped (recorded as not ok, error ``skipped: ...``): back-office faults, a call
moment other than the world's as-of (the server's clock is the world's), and scenario emergency scripts (the
server's knowledge index is the world's).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from copilot.api.cards import FIRST_CARDS
from evals.fixtures import PreparedCase, apply_fixture, reset_db
from evals.records import CaseResult, TurnResult
from evals.replay import AGENT_ID
from evals.snapshot import suggestion_of, utterance_of
from evals.world import World

TURN_TIMEOUT_S = 120.0
"""One turn may wait on a model in LLM mode."""
CARD_WAIT_S = 2.0
"""How long to wait, after a turn's response, for its first card on the event stream."""


class ServerError(RuntimeError):
    """The server is unreachable, not on the eval world, or refused a request."""


def _check(response: httpx.Response, what: str) -> Any:
    if response.status_code >= 400:
        raise ServerError(f"{what}: HTTP {response.status_code}: {response.text[:300]}")
    return response.json()


class EventTail:
    """Follows one call's event stream in a thread, noting when each event arrives."""

    def __init__(self, base_url: str, call_id: str) -> None:
        self.arrivals: list[tuple[float, dict[str, Any]]] = []
        self._cond = threading.Condition()
        self._ready = threading.Event()
        self._url = f"{base_url}/v1/calls/{call_id}/events"
        self._thread = threading.Thread(target=self._follow, name=f"sse-{call_id}", daemon=True)
        self._thread.start()
        self._ready.wait(5.0)

    def _follow(self) -> None:
        try:
            with httpx.Client(timeout=httpx.Timeout(None, connect=5.0)) as client, \
                    client.stream("GET", self._url) as response:
                self._ready.set()
                for line in response.iter_lines():
                    if line.startswith("data:"):
                        event = json.loads(line[5:])
                        with self._cond:
                            self.arrivals.append((time.perf_counter(), event))
                            self._cond.notify_all()
        except (httpx.HTTPError, ValueError):
            pass  # the latency of first cards is then unknown; the replay itself does not need the stream
        finally:
            self._ready.set()

    def first_card(self, turn: int, wait_s: float = CARD_WAIT_S) -> float | None:
        """When the first knowledge, diagnosis or reply card of `turn` arrived (perf_counter), or None."""
        deadline = time.perf_counter() + wait_s

        def found() -> float | None:
            return next((at for at, e in self.arrivals if e.get("turn") == turn and e.get("type") in FIRST_CARDS),
                        None)

        with self._cond:
            while (at := found()) is None and self._thread.is_alive():
                left = deadline - time.perf_counter()
                if left <= 0:
                    break
                self._cond.wait(left)
            return at

    def close(self) -> None:
        """Wait for the stream to end (it ends after the call's wrap-up)."""
        self._thread.join(timeout=5.0)


class HttpReplayer:
    """Replays scenarios against a running server."""

    def __init__(self, url: str, world: World, run_dir: Path, *, say: Callable[[str], None] = lambda _: None,
                 config: str | None = None) -> None:
        self.base_url = url.rstrip("/")
        self.world = world
        self.calls_dir = run_dir / "calls"
        self.calls_dir.mkdir(parents=True, exist_ok=True)
        self.client = httpx.Client(base_url=self.base_url, timeout=httpx.Timeout(TURN_TIMEOUT_S, connect=5.0))
        self._docs: dict[str, str | None] = {}
        try:
            health = _check(self.client.get("/healthz"), "GET /healthz")
        except httpx.HTTPError as exc:
            self.client.close()
            raise ServerError(f"无法连接 {url}: {exc}") from None
        served = health.get("sim_db")
        if served is None or Path(served).resolve() != world.serve_db.resolve():
            self.client.close()
            raise ServerError(f"{url} 没有运行在评测世界上（它的模拟后台是 {served}，应为 {world.serve_db}）。"
                              f"这样启动服务: {world.serve_command()}")
        mode = health.get("mode")
        if config is not None and mode is not None and mode != config:
            self.client.close()  # the run would be labelled what the server does not do
            wanted = "设置了" if config == "llm" else "未设置"
            raise ServerError(f"{url} 运行在 {mode} 模式，本次 --config {config}：结果会被误标。"
                              f"改用 --config {mode}，或换一个{wanted} HOTLINE_LLM_* 的服务")
        say(f"回放目标: {url}（模拟后台 {served}，{mode or '未知'}模式）")

    def skip_reason(self, case: PreparedCase) -> str | None:
        """Why a server cannot replay this scenario, or None."""
        if case.scenario.faults:
            return "skipped: HTTP 模式不能注入后台故障（faults），请用进程内模式"
        if case.now != self.world.as_of:
            return (f"skipped: HTTP 模式下通话时刻固定为评测世界的时点 {self.world.as_of.isoformat()}"
                    f"（场景 now={case.now.isoformat()}）")
        if case.scenario.scripts:
            return "skipped: HTTP 模式不能发布场景口径（scripts），请用进程内模式"
        return None

    def doc_text(self, doc_id: str) -> str | None:
        """A knowledge point's body or a script's wording, from ``GET /v1/kb/docs/{id}`` (cached)."""
        if doc_id not in self._docs:
            response = self.client.get(f"/v1/kb/docs/{doc_id}")
            doc = response.json() if response.status_code == 200 else {}
            self._docs[doc_id] = doc.get("body") or doc.get("wording")
        return self._docs[doc_id]

    def replay(self, case: PreparedCase, call_id: str, result: CaseResult) -> None:
        """Replay one scenario as a call on the server into `result`.

        Raises:
            ServerError: A request was refused; the turns replayed so far stay in `result`.
        """
        reset_db(self.world.sim_db, self.world.serve_db)
        apply_fixture(case, self.world.serve_db)
        _check(self.client.post("/v1/calls", json={"call_id": call_id, "msisdn": case.msisdn, "agent_id": AGENT_ID}),
               "POST /v1/calls")
        events = EventTail(self.base_url, call_id)
        try:
            caller_turns = number_turns = 0
            for index, turn in enumerate(case.scenario.turns, 1):
                # what the API stores; refused here as there
                stored, number_turns = utterance_of(turn, case.msisdn, number_turns)
                body: dict[str, Any] = {"speaker": turn.speaker, "text": turn.text}
                if turn.asr_confidence is not None:
                    body["asr_confidence"] = turn.asr_confidence
                started = time.perf_counter()
                snapshot = _check(self.client.post(f"/v1/calls/{call_id}/utterances", json=body),
                                  f"POST utterance {index}")
                ended = time.perf_counter()
                first = None
                if turn.speaker == "caller":
                    caller_turns += 1
                    first = events.first_card(caller_turns)
                result.turns.append(TurnResult(
                    index=index, speaker=turn.speaker, text=stored["text"],
                    latency_ms=round((ended - started) * 1000, 2),
                    first_card_ms=round((first - started) * 1000, 2) if first is not None else None,
                    suggestion=suggestion_of(snapshot, self.doc_text)))
            ended_call = _check(self.client.post(f"/v1/calls/{call_id}/end"), "POST end")
            result.wrapup = ended_call.get("wrapup")
        finally:
            if result.wrapup is None:  # failed midway: end the call anyway, so its event stream closes
                with contextlib.suppress(httpx.HTTPError):
                    self.client.post(f"/v1/calls/{call_id}/end")
            events.close()
            self._save(call_id)

    def _save(self, call_id: str) -> None:
        for suffix, path in ((".json", f"/v1/calls/{call_id}"), (".audit.json", f"/v1/calls/{call_id}/audit")):
            response = self.client.get(path)
            if response.status_code == 200:
                (self.calls_dir / f"{call_id}{suffix}").write_text(
                    json.dumps(response.json(), ensure_ascii=False, indent=1), encoding="utf-8")

    def close(self) -> None:
        """Close the HTTP client."""
        self.client.close()

