"""The fork gate: the API process forks turn workers only while none of its threads is inside SQLite.

With turn workers, the API process forks fresh ones while it serves (after an ingest, or in place of one that
died). A child gets a copy of everything the parent held at that instant, and SQLite keeps process-wide state
a child cannot undo: its memory allocator's mutex (a child forked while another thread held it hangs in its
first `sqlite3.connect`) and its record of which file locks this process holds (a child forked during a read
of the simulator's or the checkpoints' database is told "database is locked" on every write, for life). The
back-office clients' circuit-breaker and fault-injection locks are the same kind of hazard.

So the API process's own SQLite work (the audit trail, checkpoint reads and writes, the simulator reads of
the caller card and of a new call) and its back-office calls run `shared`, many at once; a fork runs
`exclusive`, alone. A shared section never waits for another shared one, so they may nest; a fork waits for
the sections in progress (a few milliseconds) and holds new ones back while it forks.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ForkGate:
    """Many holders at once (`shared`), or one fork (`exclusive`)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._holders = 0
        self._forking = False

    @contextmanager
    def shared(self) -> Iterator[None]:
        """Work the process must not be forked in the middle of."""
        with self._cond:
            while self._forking:
                self._cond.wait()
            self._holders += 1
        try:
            yield
        finally:
            with self._cond:
                self._holders -= 1
                if not self._holders:
                    self._cond.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """A fork: waits until no shared work is in progress, and holds new shared work back until done."""
        with self._cond:
            while self._forking or self._holders:
                self._cond.wait()
            self._forking = True
        try:
            yield
        finally:
            with self._cond:
                self._forking = False
                self._cond.notify_all()
