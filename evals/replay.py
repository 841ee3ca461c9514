"""In-process replay: each scenario runs through the graph the API compiles, with the API's own turn runner.

The services (embedder, classifier, knowledge searcher, playbooks, back-office clients and the compiled graph) are
built once per run, with the run's SQLite checkpointer. The back-office clients read a `CaseDatabase` that is
pointed, case by case, at that case's own copy of the world's simulator database (with its fixture); each case
gets fresh fault injectors (seeded as `tools.backends.build_backends` seeds them) and the run's clock is set to the
case's ``now``. Turns go through `copilot.api.turns.TurnRunner`, the code behind ``POST /utterances`` and
``POST /end``, so cards, audit events and checkpoints are what a server would store (under the run directory).

One set of clients for the whole run, rather than one per case, keeps a long run's open files and threads bounded
(each case's clients would hold database connections in the playbook engine's worker threads until the garbage
collector found them).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver

from copilot.api.audit import AuditLog
from copilot.api.cards import FIRST_CARDS
from copilot.api.events import EventHub
from copilot.api.metrics import Metrics
from copilot.api.registry import CallRecord
from copilot.api.turns import TurnRunner
from copilot.backends import wall_clock
from copilot.graph import build_graph
from copilot.runtime import SERVING_THREADS, assemble_services
from copilot.settings import Settings
from copilot.understand.classifier import load_or_train
from evals.fixtures import PreparedCase, apply_fixture, copy_world
from evals.records import CaseResult, TurnResult
from evals.scenario import Fault
from evals.snapshot import suggestion_of, utterance_of
from evals.world import World, open_searcher, publish_scripts
from knowledge.embedding import Embedder, QueryCache, create_embedder
from knowledge.lexical import Tokenizer, load_lexicon
from knowledge.schema import EmergencyScript
from knowledge.vocabulary import load_vocabulary
from tools.backends import Backends, build_backends
from tools.base.faults import FaultConfig, FaultInjector
from tools.base.values import System
from tools.sim.db import SimDatabase

AGENT_ID = "EVAL"
"""The agent id every replayed call carries."""


class TimingHub(EventHub):
    """The API's event hub, noting when the first card of a turn (knowledge, diagnosis or reply) is published."""

    def __init__(self, audit: AuditLog) -> None:
        super().__init__(audit)
        self._first: dict[str, float | None] = {}

    def mark(self, call_id: str) -> None:
        """A turn starts: wait for its first card."""
        self._first[call_id] = None

    def first_card(self, call_id: str) -> float | None:
        """When the turn's first card was published (perf_counter), or None."""
        return self._first.get(call_id)

    def publish(self, call_id: str, type_: str, turn: int, data: dict[str, Any]) -> dict[str, Any]:
        """Store and push the event; note the time of the turn's first card."""
        if type_ in FIRST_CARDS and call_id in self._first and self._first[call_id] is None:
            self._first[call_id] = time.perf_counter()
        return super().publish(call_id, type_, turn, data)


class CaseDatabase(SimDatabase):
    """The simulator database of the case being replayed; `switch` points it at the next case's copy.

    Every thread's connection is reopened on its next query after a switch (a thread can only close its own).
    """

    def __init__(self, path: Path, clock: Callable[[], datetime]) -> None:
        super().__init__(path, clock)
        self._generation = 0

    def switch(self, path: Path) -> None:
        """Read `path` from now on."""
        if not path.is_file():
            raise FileNotFoundError(f"模拟后台数据库不存在: {path}")
        self.path = path
        self._as_of = None
        self._generation += 1

    def conn(self) -> sqlite3.Connection:
        """This thread's connection to the current case's database."""
        stale: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if stale is not None and getattr(self._local, "generation", None) != self._generation:
            stale.close()
            self._local.conn = None
        conn = super().conn()
        self._local.generation = self._generation
        return conn


def faults_at(faults: list[Fault], turn: int) -> dict[System, FaultConfig]:
    """Each system's faults at `turn`: the latest fault that has started (systems without one work)."""
    configs = {system: FaultConfig() for system in System}
    for fault in sorted(faults, key=lambda f: f.from_turn):
        if fault.from_turn <= turn:
            configs[System(fault.system)] = FaultConfig(latency_ms=fault.latency_ms, error_rate=fault.error_rate,
                                                        timeout_rate=fault.timeout_rate)
    return configs


def _client(backends: Backends, system: System) -> Any:
    return getattr(backends, system.value.lower())


def reset_faults(backends: Backends, faults: list[Fault]) -> None:
    """Fresh fault injectors for a new call, set to its faults at turn 1 (seeded as `build_backends` seeds them)."""
    for index, (system, config) in enumerate(faults_at(faults, 1).items()):
        _client(backends, system).faults = FaultInjector(system.value, config, seed=index)


def switch_faults(backends: Backends, faults: list[Fault], turn: int) -> None:
    """Set every simulated system's fault injector to its faults at `turn`."""
    for system, config in faults_at(faults, turn).items():
        _client(backends, system).faults.config = config


class InProcessReplayer:
    """Replays scenarios through the graph in this process."""

    def __init__(self, *, settings: Settings, world: World, run_dir: Path, work_dir: Path, llm: bool,
                 scripts: list[EmergencyScript], embedder: Embedder | None = None,
                 say: Callable[[str], None] = lambda _: None) -> None:
        self.settings = settings
        self.world = world
        self.work_dir = work_dir
        self.llm = llm
        self.embedder: Embedder = embedder or QueryCache(
            create_embedder(settings.embedding_provider, settings.embedding_model_path, threads=SERVING_THREADS))
        self.tokenizer = Tokenizer(load_lexicon())
        if scripts:
            say(f"发布套件口径 {len(scripts)} 条到运行专用的知识库副本")
            self.searcher = publish_scripts(world, scripts, work_dir / "index", self.embedder, self.tokenizer)
        else:
            self.searcher = open_searcher(world, self.embedder, self.tokenizer)
        self.classifier = load_or_train(self.embedder, settings.models_dir or settings.data_dir / "models",
                                        tokenizer=self.tokenizer)
        self.vocabulary = load_vocabulary()
        self._now = world.as_of
        self._built: tuple[CaseDatabase, TurnRunner, Backends] | None = None
        self._conn = sqlite3.connect(run_dir / "checkpoints.sqlite", check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self.saver = SqliteSaver(self._conn)
        self.hub = TimingHub(AuditLog(run_dir / "audit.sqlite", wall_clock))
        self.metrics = Metrics()

    def skip_reason(self, case: PreparedCase) -> str | None:
        """In process every scenario can run."""
        return None

    def doc_text(self, doc_id: str) -> str | None:
        """A knowledge point's body or a script's wording."""
        row = self.searcher.get(doc_id, at=self._now)
        if row is None:
            return None
        doc = row.doc()
        return str(getattr(doc, "body", None) or getattr(doc, "wording", ""))

    def _clock(self) -> datetime:
        return self._now

    def _runner(self, sim_path: Path) -> tuple[TurnRunner, Backends]:
        """The turn runner and clients, built on the first case and pointed at each later case's database."""
        if self._built is not None:
            self._built[0].switch(sim_path)
            return self._built[1], self._built[2]
        db = CaseDatabase(sim_path, self._clock)
        backends = build_backends(sim_db=db)
        services = assemble_services(self.classifier, self.vocabulary, backends, self.searcher,
                                     self.tokenizer.places, self._clock, self.settings if self.llm else None)
        graph = build_graph(services).compile(checkpointer=self.saver)
        runner = TurnRunner(graph, self.hub, self.metrics, self.vocabulary, concurrency=1)
        self._built = (db, runner, backends)
        return runner, backends

    def replay(self, case: PreparedCase, call_id: str, result: CaseResult) -> None:
        """Replay one scenario into `result` (turns as they finish, then the wrap-up).

        Raises:
            Exception: Whatever failed; the turns replayed so far stay in `result`.
        """
        sim_path = copy_world(self.world.sim_db, self.work_dir / "sim" / f"{call_id}.sqlite")
        try:
            apply_fixture(case, sim_path)
            self._now = case.now
            runner, backends = self._runner(sim_path)
            self._replay(case, call_id, result, runner, backends)
        finally:
            sim_path.unlink(missing_ok=True)

    def _replay(self, case: PreparedCase, call_id: str, result: CaseResult, runner: TurnRunner,
                backends: Backends) -> None:
        faults = case.scenario.faults
        reset_faults(backends, faults)
        record = CallRecord(call_id=call_id, msisdn=case.msisdn, agent_id=AGENT_ID)
        self.hub.audit.start(call_id, case.msisdn, AGENT_ID)
        number_turns = 0
        for index, turn in enumerate(case.scenario.turns, 1):
            switch_faults(backends, faults, index)
            utterance, number_turns = utterance_of(turn, case.msisdn, number_turns)
            self.hub.mark(call_id)
            started = time.perf_counter()
            if turn.speaker == "agent":
                snapshot = runner.note(record, utterance)
            else:
                snapshot, _ = runner.run(record, {"transcript": [utterance]}, "utterance")
            ended = time.perf_counter()
            first = self.hub.first_card(call_id) if turn.speaker == "caller" else None
            result.turns.append(TurnResult(
                index=index, speaker=turn.speaker, text=utterance["text"],
                latency_ms=round((ended - started) * 1000, 2),
                first_card_ms=round((first - started) * 1000, 2) if first is not None else None,
                suggestion=suggestion_of(snapshot, self.doc_text)))
        snapshot, _ = runner.run(record, {"ending": True}, "end")
        record.ended = True
        self.hub.audit.end(call_id)
        result.wrapup = snapshot.get("wrapup")

    def close(self) -> None:
        """Close the checkpoint and audit stores."""
        self.hub.audit.close()
        self._conn.close()
