"""Serving a new knowledge base version: after an ingest over HTTP, or one the CLI switched on disk.

`hotline kb ingest` and `hotline kb rebuild` run in their own process: they switch the index's `CURRENT` and
exit, while a running server still holds the version it opened. `IndexWatcher` looks at `CURRENT` every
`kb_watch_s` seconds and serves what it names, as an ingest over HTTP does.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Any

from copilot.api.forkgate import ForkGate
from copilot.api.workers import TurnWorkerError, TurnWorkers
from copilot.runtime import CopilotRuntime
from knowledge.search import Searcher
from knowledge.store import KnowledgeIndexError

log = logging.getLogger(__name__)


def serve_version(runtime: CopilotRuntime, workers: TurnWorkers | None, searcher: Searcher | None = None,
                  gate: ForkGate | None = None) -> None:
    """Serve the index's current version here and in fresh turn workers; call with `runtime.kb_lock` held.

    Args:
        runtime: The app's runtime.
        workers: The turn workers, forked again from this process once it holds the new version.
        searcher: The new version's searcher as its build validated it; None opens `CURRENT` from disk.
        gate: The fork gate: opening a version reads SQLite files, which no fork may catch half-way.

    Raises:
        KnowledgeIndexError: `CURRENT` names a version that cannot be opened (nothing changes).
        TurnWorkerError: The workers could not be forked again: queries here serve the new version, turns
            the old one until a restart.
    """
    with gate.shared() if gate is not None else contextlib.nullcontext():
        runtime.reopen_knowledge(searcher)
    if workers is not None:
        workers.renew()  # takes the gate exclusively itself


class IndexWatcher:
    """Serves the version `CURRENT` names when a process other than this one switched it."""

    def __init__(self, runtime: CopilotRuntime, workers: TurnWorkers | None, every_s: float,
                 gate: ForkGate | None = None) -> None:
        self.runtime = runtime
        self.workers = workers
        self.every_s = every_s
        self.gate = gate
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._renew_pending = False  # the version is served here, the workers could not be forked on it yet
        self.last_error: str | None = None

    def start(self) -> IndexWatcher:
        """Look every `every_s` seconds (never when it is 0), in a daemon thread."""
        if self.every_s > 0:
            self._thread = threading.Thread(target=self._run, name="kb-watch", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                self.check()
            except Exception as exc:  # the watch outlives any one failure (readyz says what it was)
                self._failed(f"{type(exc).__name__}: {exc}")

    def check(self) -> str | None:
        """Switch to the version `CURRENT` names if it is not the one served; the version switched to, or None.

        An ingest over HTTP holding the lock is left to finish (it switches by itself); a version that cannot
        be opened, or workers that could not be forked on it, are logged, kept in `last_error`, and tried again
        next time.
        """
        try:
            on_disk = self.runtime.knowledge.store.current()
        except KnowledgeIndexError as exc:
            self._failed(str(exc))
            return None
        if on_disk is None or (on_disk.name == self.runtime.knowledge_version() and not self._renew_pending):
            return None
        if not self.runtime.kb_lock.acquire(blocking=False):
            return None
        try:
            if on_disk.name != self.runtime.knowledge_version():  # an upload may have switched it meanwhile
                self._renew_pending = True  # stays so if the version opens here but the workers fail to fork
                serve_version(self.runtime, self.workers, gate=self.gate)
            elif self._renew_pending and self.workers is not None:
                self.workers.renew()
            self._renew_pending = False
        except (KnowledgeIndexError, TurnWorkerError) as exc:
            self._failed(f"知识库 {on_disk.name}：{exc}")
            return None
        finally:
            self.runtime.kb_lock.release()
        self.last_error = None
        log.info("knowledge base switched on disk: now serving %s", self.runtime.knowledge_version())
        return self.runtime.knowledge_version()

    def _failed(self, message: str) -> None:
        if message != self.last_error:
            log.warning("knowledge base watch: %s", message)
        self.last_error = message

    def stop(self) -> None:
        """Stop looking (waits for a switch in progress)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def state(self) -> dict[str, Any]:
        """What the watch last saw go wrong, for readiness."""
        return {"watch_s": self.every_s, "error": self.last_error}
