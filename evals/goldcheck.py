"""Gold labels must name what exists: intents, actions, read tools, findings and knowledge ids.

A typo in a gold id (``data_fee_disput``, ``refund_via_elastic_pkg``) would otherwise run and be scored as the
copilot's miss. A suite is checked against the vocabulary, the world's read tools, the playbooks' rules and
the world's knowledge index before any case runs.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from evals.provenance import served_kb_version
from evals.scenario import Gold


@dataclass(frozen=True)
class KnownIds:
    """The ids a gold label may name."""

    intents: frozenset[str]
    actions: frozenset[str]
    read_tools: frozenset[str]
    rules: dict[str, frozenset[str]]
    """Intent -> its playbook's rule ids (the findings it can establish)."""
    knowledge: frozenset[str] | None = None
    """Point and script ids of the world's index; None: not checked."""

    @classmethod
    def of_world(cls, sim_db: Path, index_dir: Path | None, as_of: datetime, also: Iterable[str] = ()) -> KnownIds:
        """What the product knows, its read tools over the world's simulator, and the world's knowledge ids.

        Args:
            sim_db: The world's simulator database.
            index_dir: The world's knowledge index; None: knowledge ids are not checked.
            as_of: The world's now.
            also: More knowledge ids in force for the run (the suite's own emergency scripts).
        """
        from copilot.playbooks.schema import load_playbooks
        from knowledge.vocabulary import load_vocabulary
        from tools.backends import build_backends
        from tools.base.toolkit import ToolType
        from tools.sim.db import SimDatabase

        vocabulary = load_vocabulary()
        tools = build_backends(sim_db=SimDatabase(sim_db)).tools(lambda: as_of)
        reads = frozenset(t.name for t in tools if (t.metadata or {}).get("tool_type") == ToolType.READ.value)
        books = dict(load_playbooks(vocabulary, set(reads)))
        return cls(intents=frozenset(vocabulary.intent_by_id), actions=frozenset(vocabulary.action_by_id),
                   read_tools=reads, rules={i: frozenset(r.id for r in b.rules) for i, b in books.items()},
                   knowledge=_knowledge_ids(index_dir, also) if index_dir is not None else None)


def _knowledge_ids(index_dir: Path, also: Iterable[str]) -> frozenset[str] | None:
    """Every id the world's serving index holds (any version) and `also`, or None when it has no index yet."""
    from knowledge.catalog import Catalog

    version = served_kb_version(index_dir)
    if version is None:
        return None
    catalog = Catalog(index_dir / version / "catalog.sqlite")
    try:
        return frozenset(row.id for row in catalog.rows()) | frozenset(also)
    finally:
        catalog.close()


def gold_problems(gold: Gold, known: KnownIds) -> Iterator[tuple[str, str]]:
    """(field, what is wrong) for each id the gold names that does not exist, and an action wanted and forbidden."""
    for i, intent in enumerate(gold.intents):
        if intent not in known.intents:
            yield f"gold.intents[{i}]", _unknown("意图", intent, known.intents)
    for name in ("actions", "must_not_actions"):
        for i, action in enumerate(getattr(gold, name)):
            if action not in known.actions:
                yield f"gold.{name}[{i}]", _unknown("动作", action, known.actions)
    for i, tool in enumerate(gold.read_tools):
        if tool not in known.read_tools:
            yield f"gold.read_tools[{i}]", _unknown("查询工具", tool, known.read_tools)
    rules = frozenset(r for intent in gold.intents for r in known.rules.get(intent, ()))
    for i, finding in enumerate(gold.findings):
        if finding not in rules:
            yield f"gold.findings[{i}]", _unknown(f"{'、'.join(gold.intents)} 剧本的发现（规则）", finding, rules)
    if known.knowledge is not None:
        for i, doc_id in enumerate(gold.knowledge):
            if doc_id not in known.knowledge:
                yield f"gold.knowledge[{i}]", _unknown("评测世界知识库中的知识点或口径", doc_id, known.knowledge)
    both = sorted(set(gold.actions) & set(gold.must_not_actions))
    if both:
        yield "gold.must_not_actions", f"动作既要求又禁止: {', '.join(both)}"


def _unknown(what: str, value: str, known: frozenset[str]) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.75)
    return f"没有这个{what}: {value}" + (f"（是不是 {close[0]}？）" if close else "")
