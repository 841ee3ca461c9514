"""Turn workers: processes, forked from the loaded app, that run the graph's turns on every core.

One API process runs its turns' Python on one core at a time (the GIL): here about 1.2 of 2 cores at
saturation. With ``turn_workers`` set, the app forks that many workers right after it has loaded (the
knowledge index, the classifier, the playbooks), before it serves: they share the loaded memory with the API
process page for page (the heap is frozen first, `copilot.runtime.settle_heap`), and each opens its own
checkpoint and simulator connections. The API process keeps everything about calls (the registry and each
call's lock, the audit trail, the event streams): a turn is handed to an idle worker, the worker streams the
graph and sends each card back the moment its node finishes, and the API process publishes it. Checkpoints
are shared through the checkpoint store, so any worker can take any call's next turn.

After an ingest switches the knowledge base, the API process (which has just loaded the new version) forks a
fresh set of workers, `renew`: they share the new version with it, where workers that each loaded it would
hold a private copy apiece (measured: 1.8 GB in all with two workers, against about 1 GB). The old workers
finish the turns they are running and exit. A child forked while the API serves lets go of the API's sockets
(client connections, the listening socket) and gets fresh standard streams, whose locks another thread of the
API may have held at the fork; the knowledge base's own locks reset themselves (`knowledge.locks`).

A worker that dies fails the turn it was running with a clear error, and one that hangs (sends nothing for
``turn_timeout_s``) is killed and fails its turn the same way; either is replaced by a freshly forked worker.
The graph saves a turn's state only when the turn ends, so unless the worker died in the moment between saving
and answering, the call stands as it was before the failed turn.

Each worker keeps to one CPU (``turn_worker_cpus = "pinned"``, the default) where there are as many workers as
CPUs the API process may use: worker i on the i-th; its replacement and its successor after a renewal take the
same one. Otherwise (more or fewer workers, as in a container whose CPU quota is smaller than the host it sees)
and where the OS refuses, the workers move freely. Moved by
the scheduler between cores at each wake-up, a worker starts its turns on another core's caches, and two
workers may share a core while the other idles. ``hotline bench turn --workers 2`` on two cores (2026-11-24,
alternated, saturated): pinned 89.7-103.6 utterances/s against 70.6-87.2 shared, four pairs; pinned by
``taskset`` before this setting existed, ahead in five pairs of six (mean 92 against 81). Below saturation
(``--rate 70``, ``80``) the difference is within the noise.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
import signal
import stat
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from langgraph.types import Command

from copilot.api.cards import Emit, stream_turn
from copilot.api.forkgate import ForkGate
from copilot.context import CallContext
from copilot.runtime import CopilotRuntime
from copilot.settings import Settings

log = logging.getLogger(__name__)
IDLE_WAIT_S = 1.0
"""How often a turn waiting for an idle worker checks that some worker is still alive."""
STOP_WAIT_S = 5.0
STDERR = 2
"""Standard streams are kept even when they are sockets (journald's, under systemd)."""


class TurnWorkerError(RuntimeError):
    """A worker could not run the turn (it failed, or died)."""


@dataclass(eq=False)
class _Worker:
    index: int
    process: Any  # multiprocessing's forked Process
    conn: Connection
    generation: int
    """Which `renew` forked it: workers of an older generation serve an older knowledge base version."""
    cpu: int | None = None
    """The one CPU it runs on; None where it may run on any."""
    dead: bool = False


def _let_go_of_the_parent(conn: Connection) -> None:
    """In a new worker: drop the API process's sockets, and take fresh standard streams.

    A socket the child still holds stays open after the API process closes it: a client would wait for a
    connection that never ends, and a restarted server would find its port taken. Each is pointed at /dev/null
    (not closed: an object of the parent's that closes it later must not close an unrelated file).
    """
    keep = conn.fileno()
    null = os.open(os.devnull, os.O_RDWR)
    with contextlib.suppress(FileNotFoundError):  # no /proc: nothing to look through
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            with contextlib.suppress(OSError):  # the directory listing's own descriptor is gone by now
                if fd > STDERR and fd not in (keep, null) and stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.dup2(null, fd)
    os.close(null)
    for name in ("stdout", "stderr"):
        old = getattr(sys, name)
        try:
            new = open(old.fileno(), "w", encoding=old.encoding, errors=old.errors, buffering=1,  # noqa: SIM115
                       closefd=False)
        except (AttributeError, OSError, ValueError):  # not a real file (a test's capture): left as it is
            continue
        setattr(sys, name, new)
        loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
        for handler in (h for lg in loggers for h in getattr(lg, "handlers", [])):
            if isinstance(handler, logging.StreamHandler) and handler.stream is old:
                handler.stream = new  # not setStream: that flushes the old stream, under its (maybe held) lock


def _work(conn: Connection, runtime: CopilotRuntime, settings: Settings) -> None:
    """A worker's life: take a turn, stream its cards back, until the API process says stop (or is gone)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole group: the API process stops us
    stopping = _stop_on_sigterm()
    _let_go_of_the_parent(conn)
    runtime.after_fork(settings)
    vocabulary = runtime.services.vocabulary

    def emit(type_: str, data: dict[str, Any]) -> None:
        conn.send(("card", type_, data))

    try:
        while not stopping["asked"]:
            try:
                stopping["idle"] = True
                request = conn.recv()
            except EOFError:  # the API process is gone
                break
            finally:
                stopping["idle"] = False
            if request is None:
                break
            ctx, payload = request
            try:
                out, interrupt = stream_turn(runtime.graph, vocabulary, ctx, payload, emit)
                conn.send(("done", out, bool(interrupt)))
            except Exception as exc:  # the turn failed: say why, and take the next one
                conn.send(("error", f"{type(exc).__name__}: {exc}"))
    except _Stopped:
        pass
    runtime.checkpoints.close()


class _Stopped(BaseException):
    """SIGTERM reached an idle worker."""


def _stop_on_sigterm() -> dict[str, bool]:
    """SIGTERM (``kill``, a service manager stopping the unit) ends a worker once its turn is done.

    The handler the API process had (uvicorn's, inherited by the fork) would only mark a copy of its server for
    exit: the worker would go on until the API process told it to stop. An idle worker stops at once; a busy
    one finishes its turn first. The API process replaces a worker that stops while it still serves.
    """
    state = {"asked": False, "idle": False}

    def stop(signum: int, frame: Any) -> None:
        state["asked"] = True
        if state["idle"]:
            raise _Stopped

    signal.signal(signal.SIGTERM, stop)
    return state


class TurnWorkers:
    """The API process's side: forks the workers, hands turns to idle ones and relays their cards."""

    def __init__(self, runtime: CopilotRuntime, settings: Settings, gate: ForkGate | None = None) -> None:
        self._runtime = runtime
        self._settings = settings
        self._gate = gate or ForkGate()  # forks wait for the API process's SQLite work in progress
        self._timeout_s = settings.turn_timeout_s
        self._fork = multiprocessing.get_context("fork")
        self._guard = threading.Lock()  # the pool's membership: forks, replacements, renewals
        self._generation = 0
        self._workers: list[_Worker] = []
        self._cpus: list[int] = []  # worker i keeps to the i-th; empty: the workers move freely
        self._idle: queue.Queue[_Worker] = queue.Queue()

    @classmethod
    def start(cls, count: int, runtime: CopilotRuntime, settings: Settings, gate: ForkGate | None = None
              ) -> TurnWorkers:
        """Fork `count` workers from this (loaded) process; call before serving, while no turn is running."""
        pool = cls(runtime, settings, gate)
        pool._cpus = pool._placement(count)
        with pool._guard:
            pool._workers = [pool._spawn(i, 0) for i in range(count)]
        for worker in pool._workers:
            pool._idle.put(worker)
        return pool

    def _spawn(self, index: int, generation: int) -> _Worker:
        """Fork one worker from this process as it is now (its knowledge base version included)."""
        ours, theirs = self._fork.Pipe()
        process = self._fork.Process(target=_work, args=(theirs, self._runtime, self._settings),
                                     name=f"hotline-turns-{index}", daemon=True)
        process.start()
        theirs.close()
        cpu = self._cpus[index] if index < len(self._cpus) else None
        if cpu is not None and process.pid is not None:  # a started process has its pid
            try:
                os.sched_setaffinity(process.pid, {cpu})
            except ProcessLookupError:  # died at once: found and replaced like any dead one
                pass
            except OSError as exc:  # not allowed here (a sandbox): the worker serves, free to move
                log.warning("turn worker %s left free to move between CPUs: %s", index, exc)
                cpu = None
        return _Worker(index, process, ours, generation, cpu)

    def _placement(self, count: int) -> list[int]:
        """The CPUs `count` workers keep to, worker i to the i-th: those this process may use; none (empty).

        Only where there are as many workers as such CPUs (the app has them to itself: a machine or a cpuset of
        its own), and more than one. None when workers are to share the CPUs, where the OS has no affinity to
        set, and where the counts differ: a container limited by a CPU quota still sees every CPU of the host,
        and would pin each replica's workers to the host's first cores; more workers than CPUs would leave some
        CPUs with two workers the scheduler could no longer spread.
        """
        if self._settings.turn_worker_cpus != "pinned" or not hasattr(os, "sched_getaffinity"):
            return []
        cpus = sorted(os.sched_getaffinity(0))
        return cpus if len(cpus) == count > 1 else []

    @property
    def size(self) -> int:
        """Workers the pool keeps."""
        return len(self._workers)

    def alive(self) -> int:
        """Workers of the pool still running."""
        return sum(1 for w in self._workers if not w.dead and w.process.is_alive())

    def pids(self) -> list[int]:
        """The workers' process ids (for operators: `top`, `py-spy`)."""
        return [w.process.pid for w in self._workers if not w.dead]

    def cpus(self) -> list[int | None]:
        """The CPU each worker keeps to, in the order of `pids` (None: any)."""
        return [w.cpu for w in self._workers if not w.dead]

    def renew(self) -> None:
        """Fork a fresh set of workers from this process now; the old ones exit once their turns are done.

        Call after this process has switched to a new knowledge base version: the new workers share it with
        this process, page for page. Turns that started before go on in the old workers, on the old version.

        Raises:
            TurnWorkerError: A worker could not be forked (memory, process limits): the old workers go on
                serving, on the old version, and those forked are stopped.
        """
        with self._guard:
            fresh: list[_Worker] = []
            try:
                with self._gate.exclusive():
                    for worker in self._workers:
                        fresh.append(self._spawn(worker.index, self._generation + 1))
            except OSError as exc:
                for worker in fresh:
                    self._retire(worker)
                raise TurnWorkerError(f"无法启动新的轮次工作进程（{exc}），轮次仍由旧进程按旧版知识库处理，"
                                      "请重启服务") from None
            self._generation += 1
            self._workers = fresh
            idle = []
            with contextlib.suppress(queue.Empty):
                while True:
                    idle.append(self._idle.get_nowait())
            for worker in fresh:
                self._idle.put(worker)
        for worker in idle:  # the busy ones retire when their turn ends (`_release`)
            self._retire(worker)

    def run(self, ctx: CallContext, payload: dict[str, Any] | Command, emit: Emit) -> tuple[dict[str, Any], bool]:
        """Run one turn on an idle worker (waiting for one), calling `emit` for each card as it arrives.

        Args:
            ctx: The call.
            payload: The graph's input for the turn.
            emit: Publishes a card.

        Returns:
            The snapshot after the turn, and whether an action now awaits the agent's decision.

        Raises:
            TurnWorkerError: The turn failed in the worker, or the worker died or hung (sent nothing for
                ``turn_timeout_s``; it is killed), or no worker could be started. A worker that died or was
                killed is replaced.
        """
        while True:
            worker = self._take()
            try:
                worker.conn.send((ctx, payload))
            except OSError:  # it died while idle: nothing was started, the next idle worker takes the turn
                worker.dead = True
                self._release(worker)
                continue
            except Exception as exc:  # the request could not be sent (not picklable): the worker is fine
                self._release(worker)
                raise TurnWorkerError(f"轮次无法交给工作进程: {type(exc).__name__}: {exc}") from None
            try:
                return self._relay(worker, emit)
            finally:
                self._release(worker)

    def _take(self) -> _Worker:
        while True:
            try:
                worker = self._idle.get(timeout=IDLE_WAIT_S)
            except queue.Empty:
                if not self.alive():
                    raise TurnWorkerError("没有可用的轮次工作进程（全部已退出且无法重启），请重启服务") from None
                continue
            if worker.generation != self._generation:
                self._retire(worker)
            elif not worker.process.is_alive():  # died while idle
                worker.dead = True
                self._release(worker)
            else:
                return worker

    def _release(self, worker: _Worker) -> None:
        """After a turn: back to the idle queue, or retired (an old generation), or replaced (dead)."""
        if worker.dead:
            self._replace(worker)
        elif worker.generation != self._generation:
            self._retire(worker)
        else:
            self._idle.put(worker)

    def _replace(self, dead: _Worker) -> None:
        with contextlib.suppress(OSError):
            dead.conn.close()
        threading.Thread(target=self._reap, args=(dead,), name="hotline-turns-reap", daemon=True).start()
        with self._guard:
            if dead not in self._workers:  # an old generation's: the renewal replaced it already
                return
            try:
                with self._gate.exclusive():
                    fresh = self._spawn(dead.index, self._generation)
            except OSError:  # cannot fork now (memory, process limits): the pool runs one short
                return
            self._workers[self._workers.index(dead)] = fresh
        self._idle.put(fresh)

    def _retire(self, worker: _Worker) -> None:
        with contextlib.suppress(OSError):
            worker.conn.send(None)
        threading.Thread(target=self._reap, args=(worker,), name="hotline-turns-reap", daemon=True).start()

    @staticmethod
    def _reap(worker: _Worker) -> None:
        """Wait for a worker to exit (it was told to, or died), killing it if it does not."""
        worker.process.join(STOP_WAIT_S)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(STOP_WAIT_S)
        with contextlib.suppress(OSError):
            worker.conn.close()

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

    def close(self) -> None:
        """Stop every worker: after its current turn, or at once if it does not stop (killed if it must be)."""
        with self._guard:
            workers, self._workers = self._workers, []
            self._generation += 1  # a turn still running retires its worker when it ends
            with contextlib.suppress(queue.Empty):
                while True:
                    self._idle.get_nowait()
        for worker in workers:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in workers:
            worker.process.join(STOP_WAIT_S)
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(STOP_WAIT_S)
            if worker.process.is_alive():  # hung, or stopped: SIGTERM waits, SIGKILL does not
                worker.process.kill()
                worker.process.join(STOP_WAIT_S)
            with contextlib.suppress(OSError):
                worker.conn.close()
