"""Turn workers: processes, forked from the loaded app, that run the graph's turns on every core.

One API process runs its turns' Python on one core at a time (the GIL): here about 1.2 of 2 cores at
saturation. With ``turn_workers`` set, the app forks that many workers right after it has loaded (the
knowledge index, the classifier, the playbooks), before it serves: they share the loaded memory with the API
process page for page (the heap is frozen first, `copilot.runtime.settle_heap`), and each opens its own
checkpoint and simulator connections. The API process keeps everything about calls (the registry and each
call's lock, the audit trail, the event streams): a turn is handed to an idle worker, the worker streams the
graph and sends each card back the moment its node finishes, and the API process publishes it. Checkpoints
are shared through the checkpoint store, so any worker can take any call's next turn.

After an ingest switches the knowledge base, a worker opens the new version before its next turn.
A worker that dies fails the turn it was running with a clear error; the others go on. So does a worker that
hangs: one that sends nothing for ``turn_timeout_s`` (or does not take a new knowledge base version within it)
is killed. The graph saves a turn's state only when the turn ends, so unless the worker hung in the moment
between saving and answering, the call stands as it was before the failed turn. A killed worker is not
replaced: `/readyz` reports it, and a restart brings the full count back.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import signal
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from langgraph.types import Command

from copilot.api.cards import Emit, stream_turn
from copilot.context import CallContext
from copilot.runtime import CopilotRuntime
from copilot.settings import Settings

IDLE_WAIT_S = 1.0
"""How often a turn waiting for an idle worker checks that some worker is still alive."""
STOP_WAIT_S = 5.0


class TurnWorkerError(RuntimeError):
    """A worker could not run the turn (it failed, or died)."""


@dataclass
class _Worker:
    index: int
    process: Any  # multiprocessing's forked Process
    conn: Connection
    version: str | None
    """The knowledge base version the worker serves."""
    dead: bool = False


def _work(conn: Connection, runtime: CopilotRuntime, settings: Settings) -> None:
    """A worker's life: take a turn, stream its cards back, until the API process says stop (or is gone)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole group: the API process stops us
    runtime.after_fork(settings)
    vocabulary = runtime.services.vocabulary

    def emit(type_: str, data: dict[str, Any]) -> None:
        conn.send(("card", type_, data))

    while True:
        try:
            request = conn.recv()
        except EOFError:  # the API process is gone
            break
        if request is None:
            break
        ctx, payload, knowledge = request
        try:
            if knowledge is not None:  # an ingest switched the knowledge base
                runtime.reopen_knowledge(*knowledge)
            out, interrupt = stream_turn(runtime.graph, vocabulary, ctx, payload, emit)
            conn.send(("done", out, bool(interrupt)))
        except Exception as exc:  # the turn failed: say why, and take the next one
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
    runtime.checkpoints.close()


class TurnWorkers:
    """The API process's side: hands turns to idle workers and relays their cards."""

    def __init__(self, workers: list[_Worker], runtime: CopilotRuntime, timeout_s: float = 30.0) -> None:
        self._workers = workers
        self._runtime = runtime
        self._timeout_s = timeout_s
        self._idle: queue.Queue[_Worker] = queue.Queue()
        for worker in workers:
            self._idle.put(worker)

    @classmethod
    def start(cls, count: int, runtime: CopilotRuntime, settings: Settings) -> TurnWorkers:
        """Fork `count` workers from this (loaded) process; call before serving, while no turn is running."""
        fork = multiprocessing.get_context("fork")
        workers = []
        for i in range(count):
            ours, theirs = fork.Pipe()
            process = fork.Process(target=_work, args=(theirs, runtime, settings), name=f"hotline-turns-{i}",
                                   daemon=True)
            process.start()
            theirs.close()
            workers.append(_Worker(i, process, ours, runtime.knowledge_version()))
        return cls(workers, runtime, settings.turn_timeout_s)

    @property
    def size(self) -> int:
        """Workers started."""
        return len(self._workers)

    def alive(self) -> int:
        """Workers still running."""
        return sum(1 for w in self._workers if not w.dead and w.process.is_alive())

    def pids(self) -> list[int]:
        """The workers' process ids (for operators: `top`, `py-spy`)."""
        return [w.process.pid for w in self._workers if not w.dead]

    def run(self, ctx: CallContext, payload: dict[str, Any] | Command, emit: Emit) -> tuple[dict[str, Any], bool]:
        """Run one turn on an idle worker (waiting for one), calling `emit` for each card as it arrives.

        A worker still on an older knowledge base version than this process first switches to this one.

        Args:
            ctx: The call.
            payload: The graph's input for the turn.
            emit: Publishes a card.

        Returns:
            The snapshot after the turn, and whether an action now awaits the agent's decision.

        Raises:
            TurnWorkerError: The turn failed in the worker, or the worker died or hung (sent nothing for
                ``turn_timeout_s``), or no worker is alive.
        """
        searcher = self._runtime.services.searcher
        while True:
            worker = self._take()
            knowledge = None
            if searcher is not None and searcher.version != worker.version:
                knowledge = (searcher.version, ([r.id for r in searcher.rows], searcher.vectors))
            try:
                self._send(worker, (ctx, payload, knowledge), large=knowledge is not None)
            except OSError:  # it died while idle: nothing was started, the next idle worker takes the turn
                worker.dead = True
                continue
            try:
                result = self._relay(worker, emit)
                if knowledge is not None:
                    worker.version = knowledge[0]
                return result
            finally:
                if not worker.dead:
                    self._idle.put(worker)

    def _send(self, worker: _Worker, request: tuple[Any, ...], large: bool) -> None:
        """Hand a request over; a large one (a new version's vectors) must be taken within the turn timeout.

        A pipe buffers about 64 KB: a small request is sent at once even to a hung worker (whose silence the
        relay then times), but tens of megabytes of vectors wait for the worker to read them.

        Raises:
            OSError: The worker is gone.
            TurnWorkerError: The worker did not take the request in time (it is killed).
        """
        if not large:
            worker.conn.send(request)
            return
        failed: list[BaseException] = []

        def send() -> None:
            try:
                worker.conn.send(request)
            except BaseException as exc:  # handed to the caller below
                failed.append(exc)

        sender = threading.Thread(target=send, name=f"hotline-turns-{worker.index}-send", daemon=True)
        sender.start()
        sender.join(self._timeout_s)
        if sender.is_alive():
            self._stop_hung(worker)  # the kill breaks the pipe: the blocked send ends with an error
            sender.join(STOP_WAIT_S)
            raise TurnWorkerError(f"轮次工作进程 {worker.index} 超过 {self._timeout_s:g} 秒未接收新版知识库，"
                                  "已停止该进程，本轮未开始")
        if failed:
            raise failed[0]

    def _take(self) -> _Worker:
        while True:
            try:
                return self._idle.get(timeout=IDLE_WAIT_S)
            except queue.Empty:
                if not self.alive():
                    raise TurnWorkerError("没有可用的轮次工作进程（全部已退出），请重启服务") from None

    def _relay(self, worker: _Worker, emit: Emit) -> tuple[dict[str, Any], bool]:
        failed: BaseException | None = None
        try:
            while True:
                if not worker.conn.poll(self._timeout_s):
                    self._stop_hung(worker)
                    raise TurnWorkerError(f"轮次工作进程 {worker.index} 超过 {self._timeout_s:g} 秒无响应，"
                                          "已停止该进程，本轮未完成")
                kind, *rest = worker.conn.recv()
                if kind == "done":
                    if failed is not None:
                        raise failed
                    return rest[0], rest[1]
                if kind == "error":
                    raise TurnWorkerError(f"轮次在工作进程 {worker.index} 中失败: {rest[0]}")
                try:
                    emit(*rest)
                except Exception as exc:  # keep reading to the turn's end, so the next turn starts clean
                    failed = failed or exc
        except (EOFError, OSError) as exc:
            worker.dead = True
            raise TurnWorkerError(f"轮次工作进程 {worker.index} 已退出（{type(exc).__name__}），本轮未完成") from None

    @staticmethod
    def _stop_hung(worker: _Worker) -> None:
        """Kill a worker that stopped answering (a hung turn must not hold its call, nor a worker, forever)."""
        worker.dead = True
        worker.process.kill()
        worker.process.join(STOP_WAIT_S)
        worker.conn.close()

    def close(self) -> None:
        """Stop every worker: after its current turn, or at once if it does not stop (killed if it must be)."""
        for worker in self._workers:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in self._workers:
            worker.process.join(STOP_WAIT_S)
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(STOP_WAIT_S)
            if worker.process.is_alive():  # hung, or stopped: SIGTERM waits, SIGKILL does not
                worker.process.kill()
                worker.process.join(STOP_WAIT_S)
            worker.conn.close()
