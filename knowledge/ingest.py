"""Ingestion: bulletins become a diff against the serving index, shown before it is applied.

Ids are stable and content is hashed: an unchanged point is left alone (never re-embedded), a changed one
replaces its old version in every index, a retirement ends a point's validity so it stops being returned.
A point whose text is unchanged (a retirement, a new validity window) keeps its vector. A new version that
starts on a later day leaves the serving one in force until the day before (`Catalog.placement`). Bulletins are
applied oldest first; the same bulletin twice changes nothing. If any file or record is bad, nothing from
any file is applied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from knowledge.bulletins import BulletinError, parse_bulletin
from knowledge.catalog import Doc, Row
from knowledge.schema import Bulletin, EmergencyScript, KnowledgePoint
from knowledge.store import embedding_text

Action = Literal["new", "changed", "retired", "unchanged", "older"]
ACTION_LABELS = {"new": "新增", "changed": "变更", "retired": "下线", "unchanged": "无变化", "older": "旧版本(忽略)"}


class IngestError(ValueError):
    """One or more bulletins were rejected; nothing was applied. `problems` maps file to reasons."""

    def __init__(self, problems: dict[str, list[str]]) -> None:
        self.problems = problems
        lines = [f"{path}:\n  " + "\n  ".join(reasons) for path, reasons in problems.items()]
        super().__init__("公告未入库（全部未应用）:\n" + "\n".join(lines))


@dataclass(frozen=True)
class Change:
    """What ingesting one record does."""

    id: str
    kind: Literal["point", "script"]
    action: Action
    title: str
    detail: str
    source_file: str
    doc: Doc | None = None
    reembed: bool = False
    steps: tuple[Doc, ...] = ()
    """Earlier states of this id in the same ingest, in order (a point changed by two bulletins from two days)."""

    @property
    def versions(self) -> list[Doc]:
        """Every state to place, in order: the earlier steps, then the final one."""
        return [*self.steps, *([self.doc] if self.doc is not None else [])]


@dataclass
class IngestPlan:
    """The diff a set of bulletins would apply."""

    files: list[str]
    bulletins: list[Bulletin]
    changes: list[Change] = field(default_factory=list)

    @property
    def effective(self) -> list[Change]:
        """Changes that alter the index."""
        return [c for c in self.changes if c.action in ("new", "changed", "retired")]

    @property
    def retired_points(self) -> set[str]:
        """Ids of the knowledge points the plan retires."""
        return {c.id for c in self.changes if c.action == "retired" and c.kind == "point"}

    def summary(self) -> dict[str, int]:
        """Count of changes by kind and action, e.g. point_new."""
        out: dict[str, int] = {}
        for c in self.changes:
            out[f"{c.kind}_{c.action}"] = out.get(f"{c.kind}_{c.action}", 0) + 1
        return out

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (for the CLI and the knowledge manager's page)."""
        return {
            "files": self.files,
            "bulletins": [{"id": b.bulletin_id, "title": b.title, "published": b.published.isoformat()}
                          for b in self.bulletins],
            "summary": self.summary(),
            "changes": [{"id": c.id, "kind": c.kind, "action": c.action, "label": ACTION_LABELS[c.action],
                         "title": c.title, "detail": c.detail, "file": c.source_file} for c in self.changes],
        }


def parse_files(paths: list[Path], names: dict[Path, str] | None = None) -> list[tuple[Path, Bulletin]]:
    """Parse every file; raise `IngestError` listing every bad file (by its name in `names`) and record."""
    label = _labeller(names)
    parsed: list[tuple[Path, Bulletin]] = []
    problems: dict[str, list[str]] = {}
    for path in paths:
        try:
            parsed.append((path, parse_bulletin(path)))
        except BulletinError as exc:
            problems[label(path)] = [p.describe() for p in exc.problems] or [str(exc)]
        except OSError as exc:
            problems[label(path)] = [f"无法读取文件: {exc.strerror or exc}"]
    if problems:
        raise IngestError(problems)
    return parsed


def plan_ingest(paths: list[Path], current: dict[str, Row], names: dict[Path, str] | None = None) -> IngestPlan:
    """Work out what `paths` would change in an index whose documents are `current`.

    Files are named by `names` where given (an upload's own name rather than where it was saved), else by path.

    Raises:
        IngestError: A file could not be parsed, or a record cannot apply (e.g. retiring an unknown id).
    """
    label = _labeller(names)
    parsed = sorted(parse_files(paths, names), key=lambda pb: (pb[1].published, str(pb[0])))
    plan = IngestPlan(files=[label(p) for p, _ in parsed], bulletins=[b for _, b in parsed])
    state: dict[str, Doc] = {}
    problems: dict[str, list[str]] = {}

    def existing(doc_id: str) -> Doc | None:
        if doc_id in state:
            return state[doc_id]
        row = current.get(doc_id)
        return row.doc() if row else None

    came_from: dict[str, str] = {}  # id -> the file of this batch that last set it
    for path, bulletin in parsed:
        docs: list[Doc] = [*bulletin.upserts, *bulletin.scripts]
        for doc in docs:
            old = existing(doc.id)
            refused = _refused(doc, old, came_from.get(doc.id))
            if refused:
                problems.setdefault(label(path), []).append(f"[{doc.id}] {refused}")
                continue
            came_from[doc.id] = label(path)
            change = _upsert(doc, old, label(path))
            plan.changes.append(change)
            if change.doc is not None:
                state[doc.id] = change.doc
        for retirement in bulletin.retirements:
            old = existing(retirement.id)
            if not isinstance(old, KnowledgePoint):
                problems.setdefault(label(path), []).append(f"[{retirement.id}] 下线的知识点不存在")
                continue
            if retirement.effective_to < old.effective_from:  # it was moved to the start day without a word
                problems.setdefault(label(path), []).append(
                    f"[{retirement.id}] 失效日期 {retirement.effective_to} 早于该知识点的生效日期 "
                    f"{old.effective_from}：最早可在 {old.effective_from} 当天失效")
                continue
            change = _retire(old, retirement.effective_to, retirement.reason, label(path))
            plan.changes.append(change)
            if change.doc is not None:
                state[old.id] = change.doc
    if problems:
        raise IngestError(problems)
    # several bulletins may touch one id: one change per id, its final state last, the states before it kept as
    # steps where they start on an earlier day (each answers its own days), embedded if any step changed its text
    final: dict[str, Change] = {}
    for c in plan.changes:
        if c.doc is not None:
            prior = final.get(c.id)
            reembed = c.reembed or (prior.reembed if prior else False)
            steps = prior.versions if prior else []
            steps = [d for d in steps if _start_day(d) < _start_day(c.doc)]
            detail = c.detail + "".join(f"；{_start_day(d)} 起按版本 {getattr(d, 'version', 1)}" for d in steps)
            final[c.id] = Change(c.id, c.kind, c.action if not prior or prior.action != "new" else "new", c.title,
                                 detail, c.source_file, c.doc, reembed, tuple(steps))
    plan.changes = [c for c in plan.changes if c.doc is None] + list(final.values())
    return plan


def _start_day(doc: Doc) -> date:
    return doc.effective_from if isinstance(doc, KnowledgePoint) else doc.valid_from.date()


def _labeller(names: dict[Path, str] | None) -> Callable[[Path], str]:
    return lambda path: (names or {}).get(path, str(path))


IDENTITY = ("title", "business", "category", "body", "region", "channels", "tags", "variant_of")
"""What a point says: a change to any of them is a new version (the validity window may change within one)."""


def _refused(doc: Doc, old: Doc | None, earlier_file: str | None) -> str | None:
    """Why a point cannot replace `old` (the serving one, or one an earlier file of this batch set), or None.

    Its id belongs to another business (a reused id would overwrite that product's point and lose its
    history), or it says something else under the same version (a change needs a higher 版本, so the diff and
    the versions kept stay true).
    """
    if not isinstance(doc, KnowledgePoint) or not isinstance(old, KnowledgePoint) or doc.version < old.version:
        return None
    where = f"本批公告 {earlier_file} 中的" if earlier_file else "在用的"
    if doc.business != old.business:
        return (f"编号已属于{where}业务「{old.business}」，本公告写的是「{doc.business}」：另一业务的知识点请用新编号"
                "（同一业务改名请先下线旧编号）")
    if doc.version == old.version and any(getattr(doc, f) != getattr(old, f) for f in IDENTITY):
        return (f"与{where}版本 {old.version} 内容不同（{what_changed(old, doc)}），但版本号相同："
                f"内容有变化请把版本升为 {old.version + 1}")
    return None


def _upsert(doc: Doc, old: Doc | None, source: str) -> Change:
    kind: Literal["point", "script"] = "point" if isinstance(doc, KnowledgePoint) else "script"
    if old is None:
        return Change(doc.id, kind, "new", doc.title, _window_text(doc), source, doc, True)
    if isinstance(doc, KnowledgePoint) and isinstance(old, KnowledgePoint) and doc.version < old.version:
        return Change(doc.id, kind, "older", doc.title, f"公告版本 {doc.version} 低于在用版本 {old.version}", source)
    if doc.content_hash() == old.content_hash():
        return Change(doc.id, kind, "unchanged", doc.title, "内容相同", source)
    detail = "口径内容或有效期变更"
    if isinstance(doc, KnowledgePoint) and isinstance(old, KnowledgePoint):
        detail = f"版本 {old.version}→{doc.version}：{what_changed(old, doc)}"
        if doc.effective_from > old.effective_from:  # the serving version keeps answering until then
            detail += f"；{doc.effective_from} 起生效，此前仍按版本 {old.version}"
    return Change(doc.id, kind, "changed", doc.title, detail, source, doc,
                  embedding_text(doc) != embedding_text(old))


FIELD_LABELS = {"title": "标题", "business": "业务", "category": "类别", "body": "正文", "region": "适用地区",
                "channels": "办理渠道", "effective_from": "生效日期", "effective_to": "失效日期", "tags": "标签",
                "variant_of": "覆盖全国知识点"}
CONTEXT = 8
"""Characters shown either side of a changed stretch of text."""


def what_changed(old: KnowledgePoint, new: KnowledgePoint) -> str:
    """What a new version changes, for the knowledge manager reading the diff before applying it.

    Short fields show old → new; a changed text shows its first changed stretch with a little context
    ("正文「…每天35元…」→「…每天18元…」").
    """
    parts = []
    for name, label in FIELD_LABELS.items():
        a, b = getattr(old, name), getattr(new, name)
        if a == b:
            continue
        if isinstance(a, str) and isinstance(b, str) and max(len(a), len(b)) > 2 * CONTEXT + 4:
            start = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
            tail, limit = 0, min(len(a), len(b)) - start  # the common ending, not overlapping the common start
            while tail < limit and a[-1 - tail] == b[-1 - tail]:
                tail += 1
            lo = max(0, start - CONTEXT)
            parts.append(f"{label}「…{a[lo:len(a) - tail + CONTEXT]}…」→「…{b[lo:len(b) - tail + CONTEXT]}…」")
        else:
            parts.append(f"{label} {_shown(name, a)}→{_shown(name, b)}")
    return "；".join(parts) or "来源公告"


def _shown(name: str, value: object) -> str:
    if value is None:
        return "长期" if name == "effective_to" else "无"  # an open-ended window; no nationwide point overridden
    if isinstance(value, list):
        return "、".join(value) or "无"
    return str(value)


def _retire(old: KnowledgePoint, last_day: date, reason: str, source: str) -> Change:
    if old.effective_to is not None and old.effective_to <= last_day:
        return Change(old.id, "point", "unchanged", old.title, f"已于 {old.effective_to} 失效", source)
    new = old.model_copy(update={"effective_to": max(last_day, old.effective_from)})
    detail = f"失效日期 → {new.effective_to}" + (f"（{reason}）" if reason else "")
    return Change(old.id, "point", "retired", old.title, detail, source, new, False)


def _window_text(doc: Doc) -> str:
    if isinstance(doc, EmergencyScript):
        return f"{doc.valid_from:%Y-%m-%d %H:%M} 至 {doc.valid_to:%Y-%m-%d %H:%M}"
    end = doc.effective_to.isoformat() if doc.effective_to else "长期"
    return f"{doc.effective_from} 至 {end}"
