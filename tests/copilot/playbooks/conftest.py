"""Run a playbook for a simulator line that shows a situation, or for a line picked by a query."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from copilot.playbooks.engine import FIGURE_SOURCE, Diagnosis, PlaybookEngine
from copilot.playbooks.schema import Playbook, load_playbooks
from knowledge.vocabulary import Vocabulary, load_vocabulary
from tests.conftest import AS_OF, profile
from tools.backends import build_backends
from tools.base.faults import FaultConfig
from tools.base.values import System
from tools.sim.db import SimDatabase


@cache
def _vocabulary() -> Vocabulary:
    return load_vocabulary()


@cache
def _playbooks(read_tools: frozenset[str]) -> dict[str, Playbook]:
    """The playbooks, loaded and validated once per test session (they are never changed by a run)."""
    return load_playbooks(_vocabulary(), set(read_tools))


def diagnose_line(db: SimDatabase, intent: str, msisdn: str, faults: dict[System, FaultConfig] | None = None,
                  slots: dict[str, Any] | None = None, now: datetime = AS_OF) -> Diagnosis:
    """The playbook of `intent` for one line, as the graph runs it."""
    engine = PlaybookEngine(build_backends(sim_db=db, faults=faults).tools(lambda: AS_OF), _vocabulary())
    return engine.run(_playbooks(frozenset(engine.read_tools))[intent], {"msisdn": msisdn}, now, slots)


def diagnose(db: SimDatabase, intent: str, situation: str,
             faults: dict[System, FaultConfig] | None = None) -> Diagnosis:
    """The playbook of `intent` for the first line that shows `situation`."""
    return diagnose_line(db, intent, profile(db, situation), faults)


def line_where(db: SimDatabase, sql: str, params: tuple[Any, ...] = ()) -> str:
    """The first MSISDN a query over the simulator returns (for cases no situation label names)."""
    row = db.one(sql, params)
    assert row is not None, f"no line for: {sql}"
    return str(row[0])


def read_tool(db: SimDatabase, name: str, **args: Any) -> Any:
    """What a read tool returns directly, to compare a playbook's numbers with."""
    tool = next(t for t in build_backends(sim_db=db).tools(lambda: AS_OF) if t.name == name)
    result = tool.invoke(args)
    assert result.ok, result.error
    return result.data


def said_date(value: str, year: bool = True, time: bool = False) -> str:
    """An ISO date or time as the templates say it: 2026年11月8日, 11月8日, 11月8日09:30."""
    head = f"{int(value[:4])}年" if year else ""
    return head + f"{int(value[5:7])}月{int(value[8:10])}日" + (value[11:16] if time else "")


def spoken(value: float) -> str:
    """A number as the templates render it."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def rules(d: Diagnosis) -> list[str]:
    """The rules that held, in order."""
    return [f.rule for f in d.findings]


def actions(d: Diagnosis) -> list[str]:
    """The suggested actions, best first."""
    return [a.action for a in d.actions]


def action(d: Diagnosis, name: str) -> Any:
    """One suggested action."""
    return next(a for a in d.actions if a.action == name)


def assert_complete(d: Diagnosis) -> None:
    """Every read answered, every rule judged, every finding cites its facts, nothing left unfilled."""
    assert all(r.ok for r in d.reads), [(r.id, r.error) for r in d.reads if not r.ok]
    assert not d.unknown, d.unknown
    tools = {r.tool for r in d.reads} | ({FIGURE_SOURCE} if d.figures else set())
    for finding in d.findings:
        assert finding.evidence, finding
        assert all(e.split(":")[0] in tools for e in finding.evidence), finding.evidence
        assert "{" not in finding.text and "（未查到）" not in finding.text, finding.text
    assert "{" not in d.reply and "（未查到）" not in d.reply, d.reply


def assert_partial(d: Diagnosis, failed: set[str], system: str) -> None:
    """The reads of a failed system are reported as failed with a reason, and the rules they feed as unknown."""
    missing = {r.id: r for r in d.reads if not r.ok}
    assert set(missing) == failed, missing
    assert all(r.error and (r.system in (None, system)) for r in missing.values()), missing
    assert d.unknown, "rules that needed the failed system are reported as not judged"
    assert "{" not in d.reply and d.reply
