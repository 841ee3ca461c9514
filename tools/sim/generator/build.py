"""Orchestration: run the generator steps in a fixed order and write the SQLite file atomically.

Determinism: every step draws from its own ``random.Random``, seeded from one master
``random.Random(seed)`` in a fixed order; ids are sequential; rows are inserted in a fixed
order, and indexes are built after the data. The same seed, ``as_of`` and size therefore
give a byte-identical file.
"""

from __future__ import annotations

import importlib.resources
import os
import random
import sqlite3
from datetime import datetime
from pathlib import Path

from tools.sim.generator import aaa, billing, boss, broadband, network, tickets, usage
from tools.sim.generator.catalog import ELASTIC_RULES, ELASTIC_TIERS, PRODUCTS
from tools.sim.generator.model import Ids, Row, Tables, Window
from tools.sim.generator.regions import DISTRICTS, PILOT_PROVINCE, District
from tools.sim.generator.situations import assign_situations

SCHEMA_VERSION = "1"
EARLIEST_AS_OF = datetime(2025, 1, 1)
_STEPS = ("situations", "cells", "lines", "usage", "billing", "boss", "payments", "network", "aaa", "broadband",
          "tickets")


def load_schema() -> str:
    """The simulator DDL (``tools/sim/schema.sql``)."""
    return importlib.resources.files("tools.sim").joinpath("schema.sql").read_text(encoding="utf-8")


def _split_schema(ddl: str) -> tuple[str, list[str]]:
    """The DDL without its ``CREATE INDEX`` statements, and those statements."""
    tables: list[str] = []
    indexes: list[str] = []
    buffer = ""
    for text_line in ddl.splitlines(keepends=True):
        buffer += text_line
        if sqlite3.complete_statement(buffer):
            code = "\n".join(ln for ln in buffer.splitlines() if not ln.lstrip().startswith("--")).strip()
            (indexes if code.upper().startswith("CREATE INDEX") else tables).append(buffer.strip())
            buffer = ""
    if buffer.strip():
        tables.append(buffer.strip())
    return "\n\n".join(tables), indexes


def build_tables(*, subscribers: int, seed: int, as_of: datetime) -> Tables:
    """Generate every row of the simulator database in memory."""
    as_of = as_of.replace(microsecond=0, tzinfo=None)
    if subscribers < 1:
        raise ValueError("subscribers must be at least 1")
    if as_of < EARLIEST_AS_OF:
        raise ValueError(f"as_of must be on or after {EARLIEST_AS_OF:%Y-%m-%d} (the catalogue's offers date from 2024)")
    master = random.Random(seed)
    rngs = {name: random.Random(master.getrandbits(64)) for name in _STEPS}
    window = Window.at(as_of)
    tables = Tables()
    ids = Ids()
    tables["meta"] = [("as_of", as_of.isoformat(timespec="seconds")), ("schema_version", SCHEMA_VERSION),
                      ("seed", str(seed)), ("subscribers", str(subscribers))]
    tables["products"] = [p.row() for p in PRODUCTS]
    tables["elastic_tiers"] = list(ELASTIC_TIERS)
    tables["elastic_rules"] = list(ELASTIC_RULES)

    plan = assign_situations(rngs["situations"], subscribers)
    net = network.build_cells(rngs["cells"], subscribers, as_of)
    bb_outage_districts = _bb_outage_districts(rngs["cells"], subscribers)
    lines = boss.make_lines(rngs["lines"], plan, window, net, bb_outage_districts)
    usage.usage_rows(rngs["usage"], lines, tables, window, net)
    boss.price_applications(lines, window)
    usage.usage_table_rows(lines, tables)
    billing.bill_rows(rngs["billing"], lines, tables, window)
    boss.subscriber_rows(rngs["boss"], lines, tables, window)
    boss.payment_rows(rngs["payments"], lines, tables, window)
    network.network_rows(rngs["network"], net, tables, subscribers, as_of)
    aaa.aaa_rows(rngs["aaa"], lines, tables, window, ids)
    broadband.broadband_rows(rngs["broadband"], lines, tables, window, net, ids)
    tickets.ticket_rows(rngs["tickets"], lines, tables, window)
    return tables


def _bb_outage_districts(rng: random.Random, subscribers: int) -> list[District]:
    pilot = [d for d in DISTRICTS if d.province == PILOT_PROVINCE]
    others = [d for d in DISTRICTS if d.province != PILOT_PROVINCE]
    return [rng.choice(pilot), *rng.sample(others, min(4, subscribers // 10000))]


def _insert(conn: sqlite3.Connection, table: str, rows: list[Row]) -> None:
    """Insert ``rows`` (full rows in schema column order) into ``table``."""
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def write_database(out: Path, tables: Tables) -> dict[str, int]:
    """Write ``tables`` to a temporary file beside ``out``, then move it into place.

    Returns:
        Row counts of every table in the schema.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    ddl, indexes = _split_schema(load_schema())
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-200000")
        conn.executescript(ddl)
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")]
        unknown = set(tables) - set(names)
        if unknown:
            raise ValueError(f"rows for tables not in the schema: {sorted(unknown)}")
        conn.execute("BEGIN")
        for name in names:
            _insert(conn, name, tables.get(name, []))
        for statement in indexes:
            conn.execute(statement)
        conn.execute("COMMIT")
        counts = {name: conn.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0] for name in names}
        conn.close()
        os.replace(tmp, out)
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise
    return counts


def generate_database(out: Path, *, subscribers: int, seed: int, as_of: datetime) -> dict[str, int]:
    """Build the simulator DB at ``out``; returns row counts per table.

    Args:
        out: Where the SQLite file goes; replaced atomically, never left half-written.
        subscribers: Number of mobile lines.
        seed: Seed of all randomness: same seed, ``as_of`` and size give a byte-identical file.
        as_of: The simulated "now" (naive, China Standard Time).

    Returns:
        Row counts per table.
    """
    return write_database(out, build_tables(subscribers=subscribers, seed=seed, as_of=as_of))
