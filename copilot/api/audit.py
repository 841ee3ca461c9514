"""The audit trail: every call, and every card, answer, action result and feedback shown or given on it.

One SQLite file (WAL). Text arrives masked (the API masks utterances before anything else sees them); the
caller's number is stored masked too. Each event gets a per-call sequence number, which is also its SSE id.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from copilot.api.forkgate import ForkGate
from copilot.api.responses import to_json
from copilot.pii import mask

SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    call_id TEXT PRIMARY KEY,
    msisdn_masked TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT
);
CREATE TABLE IF NOT EXISTS events (
    call_id TEXT NOT NULL REFERENCES calls(call_id),
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    type TEXT NOT NULL,
    turn INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (call_id, seq)
);
"""


class AuditLog:
    """Append-only store of calls and their events."""

    def __init__(self, path: Path, clock: Callable[[], datetime], gate: ForkGate | None = None) -> None:
        self._gate = gate or ForkGate()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()
        self._seq: dict[str, int] = {}
        self._clock = clock

    def start(self, call_id: str, msisdn: str, agent_id: str) -> None:
        """Record a call's start (its number masked)."""
        with self._gate.shared(), self._lock:
            self._db.execute("INSERT OR IGNORE INTO calls VALUES (?, ?, ?, ?, NULL)",
                             (call_id, mask(msisdn), agent_id, self._clock().isoformat(timespec="seconds")))
            row = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM events WHERE call_id = ?",
                                   (call_id,)).fetchone()
            self._seq[call_id] = int(row[0])

    def end(self, call_id: str) -> None:
        """Record a call's end."""
        with self._gate.shared(), self._lock:
            self._db.execute("UPDATE calls SET ended_at = ? WHERE call_id = ?",
                             (self._clock().isoformat(timespec="seconds"), call_id))

    def append(self, call_id: str, type_: str, turn: int, data: dict[str, Any]) -> dict[str, Any]:
        """Store one event and return it with its sequence number and time."""
        with self._gate.shared(), self._lock:
            seq = self._seq.get(call_id, 0) + 1
            self._seq[call_id] = seq
            at = self._clock().isoformat(timespec="milliseconds")
            self._db.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)",
                             (call_id, seq, at, type_, turn, to_json(data).decode()))
        return {"seq": seq, "call_id": call_id, "type": type_, "turn": turn, "at": at, "data": data}

    def events(self, call_id: str, after: int = 0) -> list[dict[str, Any]]:
        """A call's events after sequence number `after`, in order."""
        with self._gate.shared(), self._lock:
            rows = self._db.execute(
                "SELECT seq, at, type, turn, data FROM events WHERE call_id = ? AND seq > ? ORDER BY seq",
                (call_id, after)).fetchall()
        return [{"seq": s, "call_id": call_id, "type": t, "turn": n, "at": a, "data": json.loads(d)}
                for s, a, t, n, d in rows]

    def call(self, call_id: str) -> dict[str, Any] | None:
        """A call's row, or None."""
        with self._gate.shared(), self._lock:
            row = self._db.execute("SELECT call_id, msisdn_masked, agent_id, started_at, ended_at FROM calls "
                                   "WHERE call_id = ?", (call_id,)).fetchone()
        keys = ("call_id", "msisdn_masked", "agent_id", "started_at", "ended_at")
        return dict(zip(keys, row, strict=True)) if row else None

    def close(self) -> None:
        """Close the database."""
        self._db.close()
