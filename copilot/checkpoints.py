"""The graph's checkpoint store, chosen by settings: SQLite in data_dir by default, Postgres when configured."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from langgraph.checkpoint.base import BaseCheckpointSaver

from copilot.settings import Settings

POSTGRES_SCHEMES = ("postgresql", "postgres")
"""URL schemes libpq reads as PostgreSQL."""
POOL_MIN_SIZE = 1
POOL_MAX_SIZE = 8
"""Connections to Postgres: one checkpoint read or write per connection at a time, turns run concurrently."""
OPEN_TIMEOUT_S = 10.0
"""How long start-up waits for the first Postgres connection before failing."""
PING_TIMEOUT_S = 2.0
"""How long a readiness probe waits for a Postgres connection."""


@dataclass
class Checkpoints:
    """A checkpoint store: the saver the graph is compiled with, a readiness probe, and how to release it."""

    saver: BaseCheckpointSaver[Any]
    kind: Literal["sqlite", "postgres"]
    _probe: Callable[[], object]
    _release: Callable[[], None]

    def ping(self) -> None:
        """Run a trivial query on the store.

        Raises:
            Exception: whatever the driver raises when the store cannot be reached.
        """
        self._probe()

    def close(self) -> None:
        """Release the store's connections."""
        self._release()


def open_checkpointer(settings: Settings) -> Checkpoints:
    """Open the checkpoint store the settings name.

    Args:
        settings: ``checkpoint_url`` picks Postgres; unset, checkpoints go to ``data_dir/checkpoints.sqlite``.

    Returns:
        The opened store; the caller closes it.

    Raises:
        ValueError: ``checkpoint_url`` is not a ``postgresql://`` URL.
    """
    url = settings.checkpoint_url
    if not url:
        return _open_sqlite(settings)
    scheme = urlsplit(url).scheme.lower()
    if scheme not in POSTGRES_SCHEMES:
        raise ValueError(
            f"HOTLINE_CHECKPOINT_URL must be a postgresql:// URL, got scheme {scheme or '(none)'!r}; "
            "leave it unset for SQLite checkpoints in the data dir"
        )
    return _open_postgres(url)


def _open_sqlite(settings: Settings) -> Checkpoints:
    from langgraph.checkpoint.sqlite import SqliteSaver

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(settings.data_dir / "checkpoints.sqlite", check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    conn.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent; a power cut may lose the last turn
    return Checkpoints(SqliteSaver(conn), "sqlite", lambda: conn.execute("SELECT 1").fetchone(), conn.close)


def _open_postgres(url: str) -> Checkpoints:
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg import Connection
    from psycopg.rows import DictRow, dict_row
    from psycopg_pool import ConnectionPool

    pool: ConnectionPool[Connection[DictRow]] = ConnectionPool(
        url,
        connection_class=Connection[DictRow],
        # what PostgresSaver requires: its own transactions, no server-side prepared statements, rows as dicts
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        min_size=POOL_MIN_SIZE,
        max_size=POOL_MAX_SIZE,
        check=ConnectionPool.check_connection,  # a connection broken by a server restart is replaced, not used
        open=False,
    )
    try:
        pool.open(wait=True, timeout=OPEN_TIMEOUT_S)
        saver = PostgresSaver(pool)
        saver.setup()  # creates or migrates the tables; idempotent
    except BaseException:
        pool.close()
        raise

    def probe() -> object:
        with pool.connection(timeout=PING_TIMEOUT_S) as conn:
            return conn.execute("SELECT 1").fetchone()

    return Checkpoints(saver, "postgres", probe, pool.close)
