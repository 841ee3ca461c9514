"""Locks that a forked process gets back unlocked.

The served app forks its turn workers from a process whose other threads may be searching the knowledge base
at that moment (`copilot.api.workers` forks fresh workers after an ingest). A `threading.Lock` held by such a
thread is copied locked into the child, where no thread will ever release it: the worker's first search would
hang. These locks are reset in the child right after the fork, as the standard library does for its own
(logging's handler locks).
"""

from __future__ import annotations

import os
import threading
import weakref


def fork_safe_lock() -> threading.Lock:
    """A new lock that starts unlocked in a forked child, whatever its state in the parent at the fork."""
    lock = threading.Lock()
    ref = weakref.ref(lock)  # the registration outlives the lock: it must not keep the lock alive

    def reset() -> None:
        held = ref()
        if held is not None:
            held._at_fork_reinit()  # type: ignore[attr-defined]

    os.register_at_fork(after_in_child=reset)
    return lock
