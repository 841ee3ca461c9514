"""The fork gate: a fork waits for the SQLite work in progress and holds new work back until it is done."""

from __future__ import annotations

import threading
import time

from copilot.api.forkgate import ForkGate


def test_a_fork_waits_for_shared_work_and_new_work_waits_for_the_fork() -> None:
    gate = ForkGate()
    order: list[str] = []
    inside, forking = threading.Event(), threading.Event()

    def work(name: str, hold: threading.Event | None) -> None:
        with gate.shared():
            order.append(f"{name} in")
            if hold is not None:
                inside.set()
                hold.wait(5)
            order.append(f"{name} out")

    def fork() -> None:
        with gate.exclusive():
            forking.set()
            order.append("fork")
            time.sleep(0.1)
            order.append("forked")

    release = threading.Event()
    first = threading.Thread(target=work, args=("first", release))
    first.start()
    inside.wait(5)
    forker = threading.Thread(target=fork)
    forker.start()
    time.sleep(0.1)
    assert order == ["first in"]  # the fork waits for the work in progress
    release.set()
    forking.wait(5)
    late = threading.Thread(target=work, args=("late", None))
    late.start()  # starts while the fork is under way: waits for it
    for t in (first, forker, late):
        t.join(5)
    assert order == ["first in", "first out", "fork", "forked", "late in", "late out"]


def test_shared_work_nests_and_runs_side_by_side() -> None:
    gate = ForkGate()
    both = threading.Barrier(2, timeout=5)

    def work() -> None:
        with gate.shared(), gate.shared():
            both.wait()  # two holders at once, each holding twice

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert not any(t.is_alive() for t in threads)
    with gate.exclusive():  # and nothing is left held
        pass
