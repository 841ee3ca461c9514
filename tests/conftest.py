"""Shared fixtures: isolated env and temp dirs; one generated simulator world per session."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import uvicorn

from copilot.settings import get_settings
from tools.sim.db import SimDatabase

AS_OF = datetime(2026, 11, 20, 10, 0, 0)
SUBSCRIBERS = 300


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Trained models, shared by the session's tests (training takes seconds)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, models_dir: Path) -> Iterator[None]:
    """No HOTLINE_* setting leaks in from the machine; data goes to a temp dir."""
    for key in list(os.environ):
        if key.startswith("HOTLINE_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HOTLINE_MODELS_DIR", str(models_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def world_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated simulator database (read-only master copy)."""
    from tools.sim.generator import generate_database

    path = tmp_path_factory.mktemp("world") / "sim.sqlite"
    generate_database(path, subscribers=SUBSCRIBERS, seed=7, as_of=AS_OF)
    return path


@pytest.fixture
def sim_path(world_file: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the world for one test."""
    path = tmp_path / "sim.sqlite"
    shutil.copyfile(world_file, path)
    return path


@pytest.fixture
def sim_db(sim_path: Path) -> SimDatabase:
    """The private world, opened."""
    return SimDatabase(sim_path)


def profile(db: SimDatabase, situation: str) -> str:
    """A line that shows `situation` (from the generator's demo catalogue)."""
    row = db.one("SELECT msisdn FROM sim_profiles WHERE situation = ? ORDER BY msisdn LIMIT 1", (situation,))
    assert row is not None, f"no line for situation {situation}"
    return str(row["msisdn"])


def pause_broadband(db: SimDatabase, situation: str = "bb_healthy") -> tuple[str, str]:
    """Suspend a broadband line at its customer's request (报停), its phone in normal use: (msisdn, account id).

    The generated world has no such line (its broadband is suspended only with the phone, for arrears).
    """
    msisdn = profile(db, situation)
    with closing(sqlite3.connect(db.path)) as conn, conn:
        row = conn.execute("SELECT account_id FROM broadband_accounts WHERE msisdn = ?", (msisdn,)).fetchone()
        conn.execute("UPDATE broadband_accounts SET status = 'suspended_request' WHERE account_id = ?", (row[0],))
    return msisdn, str(row[0])


def settle_arrears(db: SimDatabase, extra_fen: int = 2000) -> str:
    """Pay off an arrears-suspended line (and `extra_fen` more) while BOSS leaves it suspended: its msisdn.

    The generated world has no such line (a line that pays is active again); callers who paid and are still
    cut off are common on the hotline.
    """
    msisdn = profile(db, "arrears_suspended")
    with closing(sqlite3.connect(db.path)) as conn, conn:
        owed = -conn.execute("SELECT balance_fen FROM subscribers WHERE msisdn = ?", (msisdn,)).fetchone()[0]
        conn.execute("UPDATE subscribers SET balance_fen = ? WHERE msisdn = ?", (extra_fen, msisdn))
        conn.execute("UPDATE bills SET status = 'paid' WHERE msisdn = ? AND status = 'unpaid'", (msisdn,))
        conn.execute("INSERT INTO payments VALUES (?, ?, ?, ?, ?)", (f"PAY-SETTLED-{msisdn}", msisdn,
                     (AS_OF - timedelta(hours=2)).isoformat(timespec="seconds"), owed + extra_fen, "微信"))
    return msisdn


def free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerThread:
    """A real uvicorn server on loopback, in a thread."""

    def __init__(self, app: object) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error"))  # type: ignore[arg-type]
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
