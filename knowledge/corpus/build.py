"""Orchestration: draft, publish the month's bulletins, render and write the corpus, atomically.

``generate_corpus`` builds everything in a temporary folder beside ``root`` and only then swaps it in, so an
existing corpus is replaced only by a complete new one; if anything fails, the old corpus is left untouched.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from knowledge.corpus.bulletins import Planned, pending_bulletin, plan_bulletins, write_bulletins
from knowledge.corpus.points import Drafting, Topic, draft_points, render
from knowledge.corpus.queries import build_queries
from knowledge.corpus.scripts import OutageRef, Scripts, generate_scripts
from knowledge.schema import Bulletin, KnowledgePoint


@dataclass(frozen=True)
class CorpusPaths:
    """Where the files of a corpus live."""

    root: Path
    points: Path  # root/knowledge_points.jsonl (one KnowledgePoint JSON per line)
    scripts: Path  # root/scripts.jsonl (one EmergencyScript per line)
    bulletins: Path  # root/bulletins/ (*.md, *.docx, *.pdf; pending/next_day.md is not applied)
    queries: Path  # root/queries.jsonl (labelled queries)

    @classmethod
    def under(cls, root: Path) -> CorpusPaths:
        """The standard layout under root."""
        root = Path(root)
        return cls(root, root / "knowledge_points.jsonl", root / "scripts.jsonl", root / "bulletins",
                   root / "queries.jsonl")


def _write_jsonl(path: Path, lines: list[str]) -> None:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


@dataclass(frozen=True)
class _Drafted:
    """Everything one set of generator inputs makes, before anything is written."""

    drafting: Drafting  # the drafts, with the month's bulletins applied (they expire and re-issue points)
    scripts: Scripts
    planned: list[Planned]  # the month's bulletins
    pending: Bulletin  # the bulletin of as-of + 1, not applied
    points: list[KnowledgePoint]

    @property
    def topic_of(self) -> dict[str, Topic]:
        """Each point's topic (what the query generator asks about it)."""
        return {d.id: d.topic for d in self.drafting.drafts}


def _draft(seed: int, as_of: date, outages: list[OutageRef]) -> _Drafted:
    drafting = draft_points(seed, as_of)
    scripts = generate_scripts(seed, as_of, outages)
    planned = plan_bulletins(seed, as_of, drafting, scripts)
    last = re.search(r"〕(\d+)号", planned[-1].bulletin.bulletin_id)
    pending = pending_bulletin(seed, as_of, drafting, int(last.group(1)) + 1 if last else 1)
    return _Drafted(drafting, scripts, planned, pending, [render(d, seed) for d in drafting.drafts])


def _build(paths: CorpusPaths, seed: int, as_of: date, outages: list[OutageRef]) -> dict[str, int]:
    drafted = _draft(seed, as_of, outages)
    scripts, planned, pending, points = drafted.scripts, drafted.planned, drafted.pending, drafted.points
    ids = [p.id for p in points]
    if len(set(ids)) != len(ids):
        raise RuntimeError("知识点编号重复")
    _write_jsonl(paths.points, [p.model_dump_json() for p in points])
    _write_jsonl(paths.scripts, [s.model_dump_json() for s in scripts.scripts])
    queries = build_queries(seed, as_of, points, drafted.topic_of, scripts)
    _write_jsonl(paths.queries, [json.dumps(q, ensure_ascii=False) for q in queries])
    formats = write_bulletins(planned, pending, paths.bulletins)
    days = Counter(s.id[3:11] for s in scripts.scripts)
    return {
        "points": len(points), "businesses": len({p.business for p in points}), "scripts": len(scripts.scripts),
        "script_days": len(days), "min_scripts_per_day": min(days.values()), "bulletins": len(planned),
        **{f"bulletins_{k}": v for k, v in formats.items()}, "pending_bulletins": 1, "queries": len(queries),
        "queries_dev": sum(q["split"] == "dev" for q in queries),
        "queries_script": sum(q["kind"] == "script" for q in queries),
    }


class CorpusMismatch(ValueError):
    """The corpus on disk is not the one these generator inputs write."""


def draw_queries(root: Path, *, seed: int, draw: int, as_of: date, outages: list[OutageRef]
                 ) -> list[dict[str, object]]:
    """A fresh labelled query set over an existing corpus, drawn with another seed.

    The lexicon and the rerank weights are tuned on the dev split of ``queries.jsonl``; a second draw of the
    query generator over the same points measures whether that tuning carries over to questions nobody looked
    at. Queries that also occur in ``queries.jsonl`` are left out; the rest are marked ``split: fresh``.

    Args:
        root: The corpus folder.
        seed: The seed the corpus was generated with.
        draw: Seed of the fresh draw; must differ from ``seed``.
        as_of: The day the corpus was generated for.
        outages: The outages it was generated with (the corpus is checked against all three inputs).

    Raises:
        CorpusMismatch: The corpus on disk was not generated with these inputs, or ``draw`` equals ``seed``.
    """
    if draw == seed:
        raise CorpusMismatch(f"新抽样的种子 {draw} 与语料种子相同，抽出的就是原查询集")
    paths = CorpusPaths.under(root)
    drafted = _draft(seed, as_of, outages)
    try:
        on_disk = paths.points.read_text(encoding="utf-8").splitlines()
        disk_scripts = paths.scripts.read_text(encoding="utf-8").splitlines()
        standard = {json.loads(line)["query"] for line in paths.queries.read_text(encoding="utf-8").splitlines()
                    if line}
    except (OSError, ValueError, KeyError) as exc:
        raise CorpusMismatch(f"{root}: 无法读取语料: {exc}") from None
    if on_disk != [p.model_dump_json() for p in drafted.points] or disk_scripts != [
            s.model_dump_json() for s in drafted.scripts.scripts]:
        raise CorpusMismatch(f"{root} 不是以种子 {seed}、日期 {as_of} 及当前故障通告生成的语料（知识点或口径不一致）")
    fresh = []
    for q in build_queries(draw, as_of, drafted.points, drafted.topic_of, drafted.scripts):
        if q["query"] in standard:
            continue
        fresh.append({**q, "id": f"F{q['id'][1:]}", "split": "fresh"})
    return fresh


def generate_corpus(root: Path, *, seed: int, as_of: date, outages: list[OutageRef]) -> dict[str, int]:
    """Write the corpus under root, atomically; return the counts.

    The corpus is built in a temporary folder beside ``root`` and renamed into place only when complete; an
    existing corpus at ``root`` is kept until then, and is left untouched if generation fails.

    Args:
        root: The corpus folder (see `CorpusPaths.under`).
        seed: Seed of the only source of randomness; same inputs give identical files.
        as_of: The last day of the month of scripts; bulletins cover the 30 days before it.
        outages: Outages from the simulator's coverage system; each gets scripts for the days it overlaps.

    Returns:
        Counts: points, businesses, scripts, bulletins by format, queries.
    """
    root = Path(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{root.name}.tmp-", dir=root.parent))
    try:
        counts = _build(CorpusPaths.under(tmp), seed, as_of, outages)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if root.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{root.name}.old-", dir=root.parent))
        old.rmdir()
        root.rename(old)
    try:
        tmp.rename(root)
    except BaseException:
        if old is not None:
            old.rename(root)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return counts
