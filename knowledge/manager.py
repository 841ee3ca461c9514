"""The knowledge manager's operations: rebuild, ingest bulletins, status, and the checks a new version passes."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from knowledge.catalog import Doc
from knowledge.ingest import IngestError, IngestPlan, plan_ingest
from knowledge.schema import EmergencyScript, KnowledgePoint
from knowledge.search import Searcher
from knowledge.store import IndexStore, KnowledgeIndexError, Progress, VersionInfo, no_progress

GOLDEN_SAMPLE = 40
LEXICON_CHANGED = ("词表（lexicon.yaml）或切词程序已更新，索引仍是按旧方式切的词：运行 hotline kb rebuild 重建"
                   "（已导入的公告保留）")
GOLDEN_PASS = 0.85


class CorpusError(ValueError):
    """A corpus file has bad records; nothing was built."""


def load_jsonl(path: Path, model: type[KnowledgePoint] | type[EmergencyScript]) -> list[Doc]:
    """Read and validate a JSONL file of points or scripts.

    Raises:
        CorpusError: Listing every bad line (file, line number, id, field) and duplicate ids.
    """
    docs: list[Doc] = []
    problems: list[str] = []
    seen: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: 无法读取: {exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            doc = model.model_validate_json(line)
        except ValidationError as exc:
            err = exc.errors()[0]
            raw_id = _raw_id(line)
            problems.append(f"{path.name}:{number} [{raw_id}] {'.'.join(map(str, err['loc']))}: {err['msg']}")
            continue
        if doc.id in seen:
            problems.append(f"{path.name}:{number} [{doc.id}] 编号重复")
        seen.add(doc.id)
        docs.append(doc)
    if problems:
        raise CorpusError(f"{path}: {len(problems)} 条记录不合法，未构建:\n  " + "\n  ".join(problems[:50]))
    return docs


def _raw_id(line: str) -> str:
    try:
        return str(json.loads(line).get("id", "?"))
    except (ValueError, AttributeError):
        return "?"


def golden_check(searcher: Searcher, at: datetime) -> list[str]:
    """Search a sample of in-force points by their own title: each must come back in the top 5.

    Returns:
        Problems; empty when at least 85% of the sample is found.
    """
    rows = [r for r in searcher.rows if r.kind == "point"]
    if not rows:
        return []
    step = max(1, len(rows) // GOLDEN_SAMPLE)
    sample = rows[::step][:GOLDEN_SAMPLE]
    found = 0
    tried = 0
    for row in sample:
        point = row.doc()
        assert isinstance(point, KnowledgePoint)
        moment = datetime.combine(point.effective_from, datetime.min.time())
        scope = point.scope
        hits = searcher.search(point.title, province=scope.province, city=scope.city, at=moment,
                               kinds=("point",), k=5)
        tried += 1
        found += any(h.id == row.id for h in hits)
    if tried and found / tried < GOLDEN_PASS:
        return [f"标题检索自检只找回 {found}/{tried} 条（要求 ≥{GOLDEN_PASS:.0%}）"]
    return []


class KnowledgeManager:
    """Rebuild, ingest and status over an `IndexStore`."""

    def __init__(self, store: IndexStore, clock: Any = datetime.now) -> None:
        self.store = store
        self.clock = clock

    def rebuild(self, corpus: tuple[Path, Path] | None = None, progress: Progress = no_progress) -> VersionInfo:
        """Build a complete new index and switch to it once it validates.

        Args:
            corpus: (points.jsonl, scripts.jsonl) to build from; the serving index's documents when None.
            progress: Called with (stage, done, total).

        Raises:
            CorpusError: The corpus has bad records.
            KnowledgeIndexError: Nothing to build from, or validation failed (the serving index stays).
        """
        if corpus is not None:
            docs = load_jsonl(corpus[0], KnowledgePoint) + load_jsonl(corpus[1], EmergencyScript)
            note = f"rebuild from {corpus[0].parent}"
        else:
            rows = self.store.rows()
            if not rows:
                raise KnowledgeIndexError("没有在用索引，也没有指定语料目录")
            today = self.clock().date()  # an earlier version whose last day has passed is not carried over
            docs = [r.doc() for r in rows if not (r.earlier and r.end_ts is not None and r.end_ts < today.isoformat())]
            note = "rebuild from serving index"
        return self.store.build(docs, note=note, validate=lambda s: golden_check(s, self.clock()),
                                progress=progress)

    def plan(self, paths: list[Path], names: dict[Path, str] | None = None) -> IngestPlan:
        """The diff `paths` would apply (nothing is written); `names` name uploaded files in it.

        Raises:
            IngestError: A file or record is bad.
        """
        return plan_ingest(paths, {r.id: r for r in self.store.rows() if not r.earlier}, names)

    def ingest(self, paths: list[Path], progress: Progress = no_progress,
               names: dict[Path, str] | None = None) -> tuple[IngestPlan, VersionInfo | None]:
        """Apply bulletins; a no-op ingest builds no new version and embeds nothing.

        The index's note (`status`'s ``last_change``) names the files as `names` does, else by path.

        Raises:
            IngestError: A file or record is bad (nothing applied).
            KnowledgeIndexError: No serving index, or validation failed (the serving index stays).
        """
        plan = self.plan(paths, names)
        changes = plan.effective
        if not changes:
            return plan, None
        docs = [c.doc for c in changes if c.doc is not None]
        note = json.dumps({"ingest": plan.files, "summary": plan.summary()}, ensure_ascii=False)
        info = self.store.apply([d for c in changes for d in c.versions], reembed={c.id for c in changes if c.reembed},
                                note=note, validate=lambda s: _applied(s, docs), progress=progress,
                                today=self.clock().date())
        return plan, info

    def status(self) -> dict[str, Any]:
        """Counts by kind, version, last change, embedding model, expired and not-yet-effective items.

        ``lexicon_changed``: the index's words were cut with another lexicon than the current one.
        """
        info = self.store.current()
        if info is None:
            return {"index": None, "message": "知识库索引不存在，先运行 hotline kb rebuild"}
        from knowledge.catalog import Catalog

        catalog = Catalog(info.path / "catalog.sqlite")
        try:
            counts = catalog.counts(self.clock())
        finally:
            catalog.close()
        changed = self.store.lexicon_changed()
        return {
            "index": info.name,
            "built_at": info.manifest.get("built_at"),
            "last_change": info.manifest.get("note"),
            "embedding_model": info.manifest.get("embedding_model"),
            "chroma": info.manifest.get("chroma"),
            "counts": counts,
            "expired_in_index": counts.get("point_expired", 0) + counts.get("script_expired", 0),
            "not_yet_effective": counts.get("point_not_yet_effective", 0) + counts.get("script_not_yet_effective", 0),
            "as_of": self.clock().isoformat(timespec="seconds"),
            "lexicon": info.manifest.get("lexicon"),
            "lexicon_changed": changed,
            **({"message": LEXICON_CHANGED} if changed else {}),
        }


def _applied(searcher: Searcher, docs: list[Doc]) -> list[str]:
    missing = [d.id for d in docs if searcher.get(d.id) is None]
    wrong = [d.id for d in docs if (row := searcher.get(d.id)) is not None and row.hash != d.content_hash()]
    problems = []
    if missing:
        problems.append(f"新索引缺少 {len(missing)} 条: {', '.join(missing[:5])}")
    if wrong:
        problems.append(f"新索引 {len(wrong)} 条内容不一致: {', '.join(wrong[:5])}")
    return problems


__all__ = ["CorpusError", "IngestError", "KnowledgeIndexError", "KnowledgeManager", "golden_check", "load_jsonl"]
