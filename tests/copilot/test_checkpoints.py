"""Checkpoints chosen by settings: SQLite by default, a real PostgreSQL server when HOTLINE_CHECKPOINT_URL is set."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from langgraph.types import Command

from copilot.api.app import create_app
from copilot.checkpoints import open_checkpointer
from copilot.context import CallContext
from copilot.graph import CopilotServices, build_graph
from copilot.settings import Settings
from tests.conftest import free_port, profile
from tests.copilot.test_graph import classifier, say, services  # noqa: F401  (fixtures)
from tools.sim.db import SimDatabase

ROOT = Path(__file__).resolve().parents[2]
BROADBAND_DOWN = "喂，我家宽带从昨天晚上就上不了网了，光猫上那个红灯一直在闪"


def postgres_bindir() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres: on PATH, else Debian's newest."""
    found = shutil.which("pg_ctl")
    if found and Path(found).resolve().with_name("initdb").exists():
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    return Path(versions[-1]).parent if versions else None


def as_postgres_user() -> list[str]:
    """The prefix that runs a command as a user postgres accepts (it refuses root)."""
    if os.geteuid() != 0:
        return []
    import pwd

    try:
        pwd.getpwnam("postgres")
    except KeyError:
        if not shutil.which("useradd"):
            pytest.skip("PostgreSQL refuses root and there is no 'postgres' user nor useradd to create one")
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
    if not shutil.which("runuser"):
        pytest.skip("PostgreSQL refuses root and runuser is missing to run it as 'postgres'")
    return ["runuser", "-u", "postgres", "--"]


class PostgresServer:
    """A throwaway PostgreSQL cluster on a free loopback port, trust auth, socket and data in a temp dir."""

    def __init__(self) -> None:
        bindir = postgres_bindir()
        if bindir is None:
            pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on PATH or under /usr/lib/postgresql")
        self.bindir = bindir
        self.prefix = as_postgres_user()
        self.port = free_port()
        self.home = Path(tempfile.mkdtemp(prefix="hotline-pg-"))  # outside pytest's root-only temp tree
        self.data = self.home / "data"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.prefix, *args], check=True, capture_output=True, text=True)

    def start(self) -> PostgresServer:
        """Create the cluster and start the server, waiting until it accepts connections."""
        if self.prefix:
            shutil.chown(self.home, "postgres")
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.home} -c fsync=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.home / "log"), "-o", options,
                  "-w", "start")
        return self

    def stop(self) -> None:
        """Stop the server (fast: sessions are cut) if it runs."""
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        """Stop the server and delete its files."""
        try:
            self.stop()
        finally:
            shutil.rmtree(self.home, ignore_errors=True)

    def new_database(self) -> str:
        """The URL of a new, empty database on this server."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        yield server.start()
    finally:
        server.remove()


@pytest.fixture
def pg_url(postgres: PostgresServer) -> str:
    """A private database on the session's server, so no two tests share a call's thread."""
    return postgres.new_database()


def config(ctx: CallContext) -> dict[str, Any]:
    return {"configurable": {"thread_id": ctx.call_id}}


def plain(value: Any) -> Any:
    """As a checkpoint keeps it: the saver's msgpack serializer gives tuples back as lists (SQLite's too)."""
    return json.loads(json.dumps(value, ensure_ascii=False))


def tickets(db: SimDatabase, msisdn: str, agent: str) -> list[Any]:
    return db.query("SELECT ticket_id FROM tickets WHERE msisdn = ? AND created_by = ?", (msisdn, agent))


def test_a_call_survives_a_restart_over_postgres(
    services: CopilotServices, sim_db: SimDatabase, pg_url: str, tmp_path: Path  # noqa: F811
) -> None:
    settings = Settings(data_dir=tmp_path / "data", checkpoint_url=pg_url)
    ctx = CallContext(call_id="call-pg-1", msisdn=profile(sim_db, "bb_los_fibre_cut"), agent_id="A1001")
    before = open_checkpointer(settings)
    try:
        assert before.kind == "postgres"
        first = say(build_graph(services).compile(checkpointer=before.saver), ctx, BROADBAND_DOWN)
    finally:
        before.close()

    after = open_checkpointer(settings)  # the app restarted: a new pool, setup() again on existing tables
    try:
        graph = build_graph(services).compile(checkpointer=after.saver)
        kept = graph.get_state(config(ctx)).values
        assert [t["text"] for t in kept["transcript"]] == [BROADBAND_DOWN]
        assert plain(kept["intents"]) == plain(first["intents"]) and kept["intents"][0][0] == "broadband_fault"
        assert plain(kept["diagnosis"]) == plain(first["diagnosis"])
        say(graph, ctx, "对，红灯一直闪，能派人来修吗")
        texts = [t["text"] for t in graph.get_state(config(ctx)).values["transcript"]]
        assert texts == [BROADBAND_DOWN, "对，红灯一直闪，能派人来修吗"], "the call goes on where it was"
    finally:
        after.close()
    assert not (tmp_path / "data" / "checkpoints.sqlite").exists(), "Postgres replaces SQLite, not beside it"


def test_confirm_before_act_over_postgres_acts_once_across_a_restart(
    services: CopilotServices, sim_db: SimDatabase, pg_url: str, tmp_path: Path  # noqa: F811
) -> None:
    settings = Settings(data_dir=tmp_path / "data", checkpoint_url=pg_url)
    msisdn = profile(sim_db, "bb_los_fibre_cut")
    ctx = CallContext(call_id="call-pg-2", msisdn=msisdn, agent_id="A1001")
    before = open_checkpointer(settings)
    try:
        graph = build_graph(services).compile(checkpointer=before.saver)
        out = say(graph, ctx, BROADBAND_DOWN)
        assert out["actions"][0]["action"] == "create_repair_ticket"
        paused = graph.invoke({"requested_action": "create_repair_ticket"}, config(ctx), context=ctx)
        assert "__interrupt__" in paused, "the write waits for the agent"
    finally:
        before.close()
    assert not tickets(sim_db, msisdn, "A1001")

    after = open_checkpointer(settings)  # the pending confirmation outlives the process
    try:
        graph = build_graph(services).compile(checkpointer=after.saver)
        assert graph.get_state(config(ctx)).interrupts, "still waiting for the agent after the restart"
        done = graph.invoke(Command(resume={"confirm": True}), config(ctx), context=ctx)
        assert done["results"]["create_repair_ticket"]["ok"]
        again = graph.invoke({"requested_action": "create_repair_ticket"}, config(ctx), context=ctx)
        assert "__interrupt__" not in again
    finally:
        after.close()
    assert len(tickets(sim_db, msisdn, "A1001")) == 1, "confirming twice acts once"


def test_sqlite_is_the_default(services: CopilotServices, sim_db: SimDatabase, tmp_path: Path) -> None:  # noqa: F811
    settings = Settings(data_dir=tmp_path / "data")
    assert settings.checkpoint_url is None
    ctx = CallContext(call_id="call-sq-1", msisdn=profile(sim_db, "bb_los_fibre_cut"), agent_id="A1001")
    store = open_checkpointer(settings)
    try:
        assert store.kind == "sqlite" and (tmp_path / "data" / "checkpoints.sqlite").exists()
        store.ping()
        say(build_graph(services).compile(checkpointer=store.saver), ctx, BROADBAND_DOWN)
    finally:
        store.close()
    with pytest.raises(Exception, match="closed"):
        store.ping()
    reopened = open_checkpointer(settings)
    try:
        conn = reopened.saver.conn  # type: ignore[attr-defined]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        values = build_graph(services).compile(checkpointer=reopened.saver).get_state(config(ctx)).values
        assert values["intents"][0][0] == "broadband_fault"
    finally:
        reopened.close()


@pytest.mark.parametrize("url", ["mysql://hotline:s3cret@db:3306/copilot", "sqlite:///data/c.sqlite", "db:5432"])
def test_a_url_that_is_not_postgres_is_refused_by_name(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTLINE_CHECKPOINT_URL", url)
    settings = Settings(data_dir=tmp_path / "data")
    assert settings.checkpoint_url == url
    with pytest.raises(ValueError, match="HOTLINE_CHECKPOINT_URL must be a postgresql:// URL") as err:
        open_checkpointer(settings)
    assert "s3cret" not in str(err.value), "the credential stays out of the message"
    assert not (tmp_path / "data").exists(), "no SQLite fallback"


def test_postgres_is_imported_only_when_configured() -> None:
    code = ("import sys, copilot.runtime, copilot.api.app; "
            "sys.exit(' '.join(m for m in sys.modules if m.startswith(('psycopg', 'langgraph.checkpoint.postgres'))) or None)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_readyz_reports_the_postgres_store_and_its_outage(sim_path: Path, tmp_path: Path) -> None:
    server = PostgresServer().start()  # its own server: stopping it must not disturb the other tests
    try:
        settings = Settings(sim_db=sim_path, data_dir=tmp_path / "data", checkpoint_url=server.url)
        with TestClient(create_app(settings)) as client:
            up = client.get("/readyz").json()["checks"]["checkpoints"]
            server.stop()
            down = client.get("/readyz")
        assert up["ok"], up
        check = down.json()["checks"]["checkpoints"]
        assert down.status_code == 503 and not check["ok"] and check["error"], check
    finally:
        server.remove()
