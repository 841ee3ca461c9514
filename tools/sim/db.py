"""Access to the simulator's SQLite database: reads, and idempotent audited writes."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from tools.base.errors import IdempotencyConflict, OperationRejected
from tools.base.values import System, WriteResult, WriteStatus

Apply = Callable[[sqlite3.Connection, str], tuple[str, dict[str, Any]]]


class SimDatabase:
    """One simulator database file, shared by the five simulated systems.

    Each thread of each process gets its own connection (a forked process never uses its parent's). Time
    comes from `clock`; without one the simulator's own "now" (the `as_of` it was generated for) is used, so a
    generated world stays consistent whatever day it is replayed on.
    """

    def __init__(self, path: Path | str, clock: Callable[[], datetime] | None = None) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(
                f"模拟后台数据库不存在: {self.path}（先运行 hotline sim generate 生成）"
            )
        self._clock = clock
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._as_of: datetime | None = None

    def conn(self) -> sqlite3.Connection:
        """This thread's connection."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=10.0)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=10000")
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def query(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        """Run a read query."""
        return self.conn().execute(sql, params).fetchall()

    def one(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> sqlite3.Row | None:
        """Run a read query expected to return at most one row."""
        return self.conn().execute(sql, params).fetchone()

    def meta(self) -> dict[str, str]:
        """The generator's metadata (seed, as_of, subscribers, schema_version)."""
        return {r["key"]: r["value"] for r in self.query("SELECT key, value FROM meta")}

    def as_of(self) -> datetime:
        """The simulated "now" the data was generated for."""
        if self._as_of is None:
            self._as_of = datetime.fromisoformat(self.meta()["as_of"])
        return self._as_of

    def now(self) -> datetime:
        """Current time as the simulator sees it."""
        return self._clock() if self._clock else self.as_of()

    def write(
        self,
        *,
        system: System,
        operation: str,
        target: str,
        actor: str,
        idempotency_key: str,
        params: dict[str, Any],
        apply: Apply,
    ) -> WriteResult:
        """Run a write once per idempotency key, in one transaction, with an audit row.

        Args:
            system: The system performing it.
            operation: Operation name, e.g. ``boss.apply_elastic_package``.
            target: MSISDN or broadband account acted on.
            actor: Agent id (who).
            idempotency_key: The same key twice has one effect.
            params: The request's parameters (audited and hashed).
            apply: Does the change; returns the outcome message and details. Raises
                `OperationRejected` when a business rule refuses it.

        Returns:
            The result; the stored first result, with ``replayed=True``, on a repeat.

        Raises:
            IdempotencyConflict: The key was used before for a different request.
            OperationRejected: A business rule refused it (audited as rejected).
        """
        if not idempotency_key or len(idempotency_key) > 200:
            raise IdempotencyConflict(system, "幂等键不能为空且不超过200个字符")
        request_hash = hashlib.sha256(
            json.dumps({"op": operation, "target": target, "params": params}, sort_keys=True).encode()
        ).hexdigest()
        ts = self.now().isoformat(timespec="seconds")
        conn = self.conn()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    "SELECT request_hash, response FROM idempotency WHERE idempotency_key = ?",
                    (idempotency_key,),
                ).fetchone()
                if row is not None:
                    conn.execute("ROLLBACK")
                    if row["request_hash"] != request_hash:
                        raise IdempotencyConflict(system, f"幂等键 {idempotency_key} 已用于另一笔操作")
                    return WriteResult.model_validate({**json.loads(row["response"]), "replayed": True})
                try:
                    message, details = apply(conn, ts)
                except OperationRejected as exc:
                    conn.execute("ROLLBACK")
                    conn.execute("BEGIN IMMEDIATE")
                    self._audit(conn, ts, actor, system, operation, target, params, idempotency_key,
                                "rejected", exc.message)
                    conn.execute("COMMIT")
                    raise
                result = WriteResult(
                    operation=operation,
                    system=system,
                    target=target,
                    status=WriteStatus.OK,
                    message=message,
                    details=details,
                    idempotency_key=idempotency_key,
                    ts=ts,
                )
                conn.execute(
                    "INSERT INTO idempotency (idempotency_key, operation, request_hash, response, created_ts)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (idempotency_key, operation, request_hash, result.model_dump_json(), ts),
                )
                self._audit(conn, ts, actor, system, operation, target, params, idempotency_key, "ok", message)
                conn.execute("COMMIT")
                return result
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    @staticmethod
    def _audit(
        conn: sqlite3.Connection,
        ts: str,
        actor: str,
        system: System,
        operation: str,
        target: str,
        params: dict[str, Any],
        key: str,
        result: str,
        detail: str,
    ) -> None:
        conn.execute(
            "INSERT INTO audit_log (ts, actor, system, operation, target, params, idempotency_key, result, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ts, actor, system.value, operation, target, json.dumps(params, ensure_ascii=False, sort_keys=True),
             key, result, detail),
        )
