"""Stage each scenario's fixture on a copy of the world and show what the back office then holds.

A writer's aid, not a test and not the harness: it applies ``fixture.tables`` with the documented semantics
(a list replaces the caller's rows, or inserts by primary key in tables without an ``msisdn`` column; a mapping
updates the caller's rows), fills the placeholders, and runs the playbook of the gold main intent over the staged
line, so that a writer sees at once when a fixture does not stage the state the case is about (for example an
overage that does not reach the amount the gold cites). Disagreements are printed for a person to judge; nothing
here changes a gold label.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

AS_OF = datetime(2026, 11, 20, 10, 0, 0)
_PH = re.compile(r"\{(caller|now|today|month)([+-]\d+[smhd]?)?\}")


def _fill(value: Any, caller: str, now: datetime) -> Any:
    if isinstance(value, str):
        def sub(m: re.Match[str]) -> str:
            name, off = m.group(1), m.group(2)
            if name == "caller":
                return caller
            if name == "month":
                n = int(off or 0)
                index = now.year * 12 + now.month - 1 + n
                return f"{index // 12:04d}-{index % 12 + 1:02d}"
            delta = timedelta()
            if off:
                unit = off[-1] if off[-1] in "smhd" else "d"
                amount = int(off[:-1] if off[-1] in "smhd" else off)
                kind = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[unit]
                delta = timedelta(**{kind: amount})
            moment = now + delta
            return moment.date().isoformat() if name == "today" else moment.isoformat(timespec="seconds")
        return _PH.sub(sub, value)
    if isinstance(value, list):
        return [_fill(v, caller, now) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, caller, now) for k, v in value.items()}
    return value


def stage(world_db: Path, scenario: dict[str, Any], work: Path) -> tuple[Path, str]:
    """A copy of the world with the scenario's fixture applied; the caller's number."""
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"{scenario['id']}.sqlite"
    shutil.copyfile(world_db, path)
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    caller = scenario["caller"].get("msisdn")
    situation = scenario.get("fixture", {}).get("situation")
    if caller is None:
        caller = conn.execute("SELECT msisdn FROM sim_profiles WHERE situation = ? ORDER BY msisdn LIMIT 1",
                              (situation,)).fetchone()[0]
    now = datetime.fromisoformat(scenario["now"]) if scenario.get("now") else AS_OF
    tables = _fill(scenario.get("fixture", {}).get("tables", {}), caller, now)
    for table, rows in tables.items():
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        if isinstance(rows, dict):
            sets = ", ".join(f"{k} = ?" for k in rows)
            conn.execute(f"UPDATE {table} SET {sets} WHERE msisdn = ?", [*rows.values(), caller])
            continue
        if "msisdn" in cols:
            conn.execute(f"DELETE FROM {table} WHERE msisdn = ?", (caller,))
        for row in rows:
            names = list(row)
            conn.execute(f"INSERT OR REPLACE INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                         [row[n] for n in names])
    conn.commit()
    conn.close()
    return path, caller


def check_suites(world_db: Path, suites: dict[str, list[dict[str, Any]]], cache: Path) -> None:
    """Print, per scenario, where the staged back office disagrees with the gold labels."""
    from copilot.playbooks.engine import PlaybookEngine
    from copilot.playbooks.schema import load_playbooks
    from knowledge.vocabulary import load_vocabulary
    from tools.backends import build_backends
    from tools.sim.db import SimDatabase

    vocabulary = load_vocabulary()
    books = None
    work = cache / "staged"
    problems = 0
    for name, scenarios in suites.items():
        for sc in scenarios:
            if sc.get("faults"):
                continue  # the harness injects faults; a staged copy cannot show them
            path, caller = stage(world_db, sc, work)
            engine = PlaybookEngine(build_backends(sim_db=SimDatabase(path)).tools(lambda: AS_OF), vocabulary)
            books = books or load_playbooks(vocabulary, set(engine.read_tools))
            gold = sc["gold"]
            intent = gold["intents"][0]
            d = engine.run(books[intent], {"msisdn": caller}, AS_OF, {})
            fired = [f.rule for f in d.findings]
            acts = [a.action for a in d.actions]
            notes = []
            if [r.id for r in d.reads if not r.ok] and not sc.get("faults"):
                notes.append(f"failed reads {[(r.id, r.error) for r in d.reads if not r.ok]}")
            if set(gold.get("findings", [])) - set(fired):
                notes.append(f"findings {gold.get('findings')} vs {fired}")
            if set(gold.get("actions", [])) - set(acts):
                notes.append(f"actions {gold.get('actions')} vs {acts}")
            if set(gold.get("must_not_actions", [])) & set(acts):
                notes.append(f"must_not {sorted(set(gold['must_not_actions']) & set(acts))} in {acts}")
            if gold.get("disposition") and gold["disposition"] != d.disposition:
                notes.append(f"disposition {gold['disposition']} vs {d.disposition}")
            missing = [m for m in gold.get("must_mention", []) if m not in d.reply and
                       not any(m in f.text for f in d.findings)]
            if missing:
                notes.append(f"mention {missing} not in reply: {d.reply[:160]}")
            if notes:
                problems += 1
                print(f"[{name}] {sc['id']} ({caller}, {intent}): " + " | ".join(notes))
    print(f"checked: {problems} scenario(s) with notes")
    shutil.rmtree(work, ignore_errors=True)
