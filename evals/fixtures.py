"""Lay one scenario over the world: find its caller, fill its placeholders, and write its fixture rows.

A fixture is applied to a private copy of the world's simulator database (in-process runs) or to the database
a server runs on (HTTP runs, reset from the pristine world first), in one transaction: a bad row leaves nothing
half-written. Semantics, per table of ``fixture.tables`` (tools/sim/schema.sql):

- a table with an ``msisdn`` column: a list replaces the caller's rows (their rows are deleted, the listed rows
  inserted; a row without ``msisdn`` gets the caller's); an empty list removes them; a mapping updates the
  caller's rows with those columns (it is an error when the caller has none);
- a table without one: list rows are inserted or replaced by primary key; a mapping updates the caller's rows
  of the tables linked to the caller (`LINKED`: bill items, AAA logs, ONUs, PON alarms, ports, home cell).

Tables are written in schema order (parents first). Older rows left pointing at replaced ones (the items of a
replaced bill, the ONU of a replaced broadband account) are removed; a fixture row pointing at nothing is an error.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from copilot.pii import mask
from evals.scenario import Scenario, ScenarioError
from knowledge.schema import EmergencyScript

_BROADBAND = "SELECT account_id FROM broadband_accounts WHERE msisdn = :caller"
LINKED: dict[str, str] = {
    "bill_items": "bill_id IN (SELECT bill_id FROM bills WHERE msisdn = :caller)",
    "auth_log": f"subject = :caller OR subject IN ({_BROADBAND})",
    "online_sessions": f"subject = :caller OR subject IN ({_BROADBAND})",
    "onus": f"account_id IN ({_BROADBAND})",
    "pon_alarms": f"onu_id IN (SELECT onu_id FROM onus WHERE account_id IN ({_BROADBAND}))",
    "pon_ports": "olt_id || '|' || port IN (SELECT olt_id || '|' || pon_port FROM broadband_accounts "
                 "WHERE msisdn = :caller)",
    "cells": "cell_id IN (SELECT home_cell_id FROM subscribers WHERE msisdn = :caller)",
}
"""Tables without an msisdn column, and which of their rows are the caller's (for mapping updates)."""

_PLACEHOLDER = re.compile(r"\{(caller|now|today|month)([^{}]*)\}")
_OFFSET = re.compile(r"^([+-])(\d{1,6})([a-z]?)$")
_STEP = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1), "s": timedelta(seconds=1)}


@dataclass(frozen=True)
class PreparedCase:
    """A scenario ready to replay: placeholders filled, caller and moment known."""

    scenario: Scenario
    msisdn: str
    now: datetime
    source: str
    """The suite file, for error messages."""

    def fail(self, where: str, message: str) -> ScenarioError:
        """An error naming the suite file, the case and where in it."""
        return ScenarioError(f"{self.source}: case {self.scenario.id!r}: {where}: {mask(message)}")


def _shift_month(day: date, months: int) -> str:
    index = day.year * 12 + day.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def expand(text: str, caller: str, now: datetime) -> str:
    """Fill the placeholders in one string.

    ``{caller}``; ``{now}``, ``{now-2h}``, ``{now+30m}``, ``{now-3d}`` (``2026-11-20T08:00:00``; units d, h, m, s);
    ``{today}``, ``{today-1d}`` (``2026-11-19``); ``{month}``, ``{month-1}`` (``2026-10``). Other braces are
    left alone.

    Raises:
        ValueError: A placeholder with a malformed offset (``{now-2}``, ``{month-1d}``, ``{caller+1}``).
    """

    def one(m: re.Match[str]) -> str:
        name, offset = m.group(1), m.group(2).strip()
        sign, amount, unit = 1, 0, ""
        if offset:
            parsed = _OFFSET.match(offset.replace(" ", ""))
            if parsed is None:
                raise ValueError(f"占位符 {m.group(0)} 的偏移不合法")
            sign, amount, unit = (1 if parsed.group(1) == "+" else -1), int(parsed.group(2)), parsed.group(3)
        if name == "caller":
            if offset:
                raise ValueError(f"占位符 {m.group(0)} 不能带偏移")
            return caller
        if name == "now":
            if offset and unit not in _STEP:
                raise ValueError(f"占位符 {m.group(0)} 需要单位 d/h/m/s（例: {{now-2h}}）")
            return (now + sign * amount * _STEP.get(unit, _STEP["s"])).isoformat(timespec="seconds")
        if name == "today":
            if unit not in ("", "d"):
                raise ValueError(f"占位符 {m.group(0)} 只能按天偏移（例: {{today-1d}}）")
            return (now.date() + timedelta(days=sign * amount)).isoformat()
        if unit:
            raise ValueError(f"占位符 {m.group(0)} 按月偏移，不带单位（例: {{month-1}}）")
        return _shift_month(now.date(), sign * amount)

    return _PLACEHOLDER.sub(one, text)


def _fill(value: Any, caller: str, now: datetime, where: str) -> Any:
    if isinstance(value, str):
        try:
            return expand(value, caller, now)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    if isinstance(value, dict):
        return {k: _fill(v, caller, now, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, caller, now, f"{where}[{i}]") for i, v in enumerate(value)]
    return value


def scenario_now(scenario: Scenario, as_of: datetime, source: str) -> datetime:
    """The moment of the call: ``now`` (which may itself be ``{now+2h}``, from the world's as-of), else the as-of.

    Raises:
        ScenarioError: ``now`` is not a moment.
    """
    if scenario.now is None:
        return as_of
    try:
        return datetime.fromisoformat(expand(scenario.now, "", as_of)).replace(tzinfo=None, microsecond=0)
    except ValueError as exc:
        raise ScenarioError(f"{source}: case {scenario.id!r}: now: {exc}") from None


def _connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    uri = f"file:{path}?mode=ro" if readonly else str(path)
    conn = sqlite3.connect(uri, uri=readonly, isolation_level=None, timeout=30.0)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def resolve_caller(scenario: Scenario, db: Path, source: str) -> str:
    """The caller's number: ``caller.msisdn``, else the first line (by number) showing ``fixture.situation``.

    Raises:
        ScenarioError: No line shows that situation.
    """
    if scenario.caller.msisdn:
        return scenario.caller.msisdn
    conn = _connect(db, readonly=True)
    try:
        row = conn.execute("SELECT msisdn FROM sim_profiles WHERE situation = ? ORDER BY msisdn LIMIT 1",
                           (scenario.fixture.situation,)).fetchone()
        known = [r[0] for r in conn.execute("SELECT DISTINCT situation FROM sim_profiles ORDER BY situation")]
    finally:
        conn.close()
    if row is None:
        raise ScenarioError(f"{source}: case {scenario.id!r}: fixture.situation: 模拟后台没有展示情形 "
                            f"{scenario.fixture.situation!r} 的线路（可用: {', '.join(known)}）")
    return str(row[0])


def prepare(scenario: Scenario, world_db: Path, as_of: datetime, source: str) -> PreparedCase:
    """Resolve the caller and the moment, and fill every placeholder (fixture, scripts, turns, gold).

    Raises:
        ScenarioError: Naming the file, the case and the field.
    """
    now = scenario_now(scenario, as_of, source)
    msisdn = resolve_caller(scenario, world_db, source)
    raw = scenario.model_dump(mode="python")
    try:
        for key in ("fixture", "scripts", "turns", "gold"):
            raw[key] = _fill(raw[key], msisdn, now, key)
    except ValueError as exc:
        raise ScenarioError(f"{source}: case {scenario.id!r}: {exc}") from None
    raw["now"] = now.isoformat(timespec="seconds")
    try:
        filled = Scenario.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ScenarioError(f"{source}: case {scenario.id!r}: {where}: 填入占位符后不合法: {first['msg']}") from None
    return PreparedCase(filled, msisdn, now, source)


def scripts_of(case: PreparedCase) -> list[EmergencyScript]:
    """The case's emergency scripts, validated.

    Raises:
        ScenarioError: A script does not match knowledge/schema.py EmergencyScript (names the script and field).
    """
    out = []
    for i, raw in enumerate(case.scenario.scripts):
        try:
            out.append(EmergencyScript.model_validate(raw))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(script)"
            raise case.fail(f"scripts[{i}].{where}", str(first["msg"])) from None
    return out


def suite_scripts(cases: list[PreparedCase]) -> list[EmergencyScript]:
    """Every script of the suite, published together for the run.

    Raises:
        ScenarioError: Two cases give the same script id with different content.
    """
    seen: dict[str, tuple[EmergencyScript, str]] = {}
    for case in cases:
        for script in scripts_of(case):
            if script.id in seen and seen[script.id][0] != script:
                raise case.fail(f"scripts[{script.id}]", f"与 case {seen[script.id][1]!r} 的同编号口径内容不同")
            seen.setdefault(script.id, (script, case.scenario.id))
    return [s for s, _ in seen.values()]


Schema = dict[str, list[str]]


def read_schema(db: Path) -> Schema:
    """Every table of a simulator database (in schema order, parents before children) and its columns."""
    conn = _connect(db, readonly=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")]
        return {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")] for t in tables}
    finally:
        conn.close()


def check_fixture(case: PreparedCase, schema: Schema) -> None:
    """Table and column names and the shape of each entry, before anything is written.

    Raises:
        ScenarioError: Naming the file, case, table, row index and column.
    """
    for table, rows in case.scenario.fixture.tables.items():
        where = f"fixture.tables.{table}"
        if table not in schema:
            raise case.fail(where, f"模拟后台没有表 {table}（可用: {', '.join(sorted(schema))}）")
        columns = schema[table]
        if isinstance(rows, dict):
            if "msisdn" not in columns and table not in LINKED:
                raise case.fail(where, f"表 {table} 与来电人无关，不能按映射更新，请给出行列表")
            entries = [(where, rows)]
        else:
            entries = [(f"{where}[{i}]", row) for i, row in enumerate(rows)]
        for label, row in entries:
            unknown = [c for c in row if c not in columns]
            if unknown:
                raise case.fail(f"{label}.{unknown[0]}", f"表 {table} 没有列 {unknown[0]}（列: {', '.join(columns)}）")
            if not row:
                raise case.fail(label, "空行")


def check_caller(case: PreparedCase, db: Path) -> None:
    """The caller's line exists in the world, or the fixture creates it (a `subscribers` row of its number).

    Raises:
        ScenarioError: Neither: before any case runs, not when this one does.
    """
    rows = case.scenario.fixture.tables.get("subscribers")
    if isinstance(rows, list) and any(str(r.get("msisdn")) == case.msisdn for r in rows):
        return
    conn = _connect(db, readonly=True)
    try:
        found = conn.execute("SELECT 1 FROM subscribers WHERE msisdn = ?", (case.msisdn,)).fetchone()
    finally:
        conn.close()
    if found is None:
        raise case.fail("caller.msisdn", f"来电号码 {case.msisdn} 在模拟后台中不存在（可在 fixture.tables."
                                         "subscribers 中给出整行来创建）")


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def apply_fixture(case: PreparedCase, db: Path) -> None:
    """Write the case's fixture into the simulator database at `db`, all or nothing.

    Tables are written in schema order (parents first), whatever order the fixture lists them in. Rows of other
    tables that pointed at replaced rows (the items of a replaced bill, the ONU of a replaced broadband account)
    are removed with them.

    Raises:
        ScenarioError: Unknown table or column, a constraint the rows break (names table, row index and the
            SQLite message), or a caller that does not exist afterwards.
    """
    schema = read_schema(db)
    check_fixture(case, schema)
    tables = case.scenario.fixture.tables
    conn = _connect(db)
    conn.execute("PRAGMA foreign_keys=ON")
    baseline = set(conn.execute("PRAGMA foreign_key_check").fetchall())
    written: dict[tuple[str, int], str] = {}
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("PRAGMA defer_foreign_keys=ON")  # rows are checked against each other at the end
        for table in (t for t in schema if t in tables):
            _apply_table(conn, case, table, tables[table], schema[table], written)
        _drop_orphans(conn, case, baseline, written)
        if conn.execute("SELECT 1 FROM subscribers WHERE msisdn = ?", (case.msisdn,)).fetchone() is None:
            raise case.fail("caller.msisdn", f"来电号码 {case.msisdn} 在模拟后台中不存在（可在 fixture.tables."
                                             "subscribers 中给出整行来创建）")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()


def _drop_orphans(conn: sqlite3.Connection, case: PreparedCase, baseline: set[Any],
                  written: dict[tuple[str, int], str]) -> None:
    """Fail on a fixture row whose reference is missing; delete older rows left pointing at replaced ones."""
    while True:
        broken = [v for v in conn.execute("PRAGMA foreign_key_check").fetchall() if v not in baseline]
        ours = [v for v in broken if (v[0], v[1]) in written]
        if ours:
            table, rowid, parent = ours[0][0], ours[0][1], ours[0][2]
            raise case.fail(written[(table, rowid)],
                            f"FOREIGN KEY constraint failed: {table} 引用的 {parent} 记录不存在")
        if not broken:
            return
        for table, rowid, *_ in broken:
            conn.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))


def _apply_table(conn: sqlite3.Connection, case: PreparedCase, table: str,
                 rows: list[dict[str, Any]] | dict[str, Any], columns: list[str],
                 written: dict[tuple[str, int], str]) -> None:
    where = f"fixture.tables.{table}"
    owned = "msisdn = :caller" if "msisdn" in columns else LINKED.get(table)
    params: dict[str, Any] = {"caller": case.msisdn}
    if isinstance(rows, dict):
        assignments = ", ".join(f"{c} = :v_{c}" for c in rows)
        values = {f"v_{c}": _value(v) for c, v in rows.items()}
        targets = [r[0] for r in conn.execute(f"SELECT rowid FROM {table} WHERE {owned}", params)]
        if not targets:
            raise case.fail(where, f"来电号码 {case.msisdn} 在表 {table} 中没有记录，映射无可更新（请给出行列表）")
        try:
            conn.execute(f"UPDATE {table} SET {assignments} WHERE {owned}", {**params, **values})
        except sqlite3.Error as exc:
            raise case.fail(where, f"{type(exc).__name__}: {exc}") from None
        written.update({(table, rowid): where for rowid in targets})
        return
    if "msisdn" in columns:
        conn.execute(f"DELETE FROM {table} WHERE msisdn = :caller", params)
    verb = "INSERT" if "msisdn" in columns else "INSERT OR REPLACE"
    for i, row in enumerate(rows):
        full = {"msisdn": case.msisdn, **row} if "msisdn" in columns else dict(row)
        names = list(full)
        sql = f"{verb} INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        try:
            cursor = conn.execute(sql, [_value(full[n]) for n in names])
        except sqlite3.Error as exc:
            raise case.fail(f"{where}[{i}]", f"{type(exc).__name__}: {exc}") from None
        if cursor.lastrowid is not None:
            written[(table, cursor.lastrowid)] = f"{where}[{i}]"


def copy_world(world_db: Path, dest: Path) -> Path:
    """A private copy of the pristine world's database at `dest` (a consistent snapshot, via SQLite's backup)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.unlink(missing_ok=True)
    reset_db(world_db, dest)
    return dest


def reset_db(pristine: Path, target: Path) -> None:
    """Overwrite `target` with `pristine`, safely even while a server has `target` open (SQLite backup API)."""
    source = _connect(pristine, readonly=True)
    dest = sqlite3.connect(target, timeout=30.0)
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()

