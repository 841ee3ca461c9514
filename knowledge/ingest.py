"""Ingestion: bulletins become a diff against the serving index, shown before it is applied.

Ids are stable and content is hashed: an unchanged point is left alone (never re-embedded), a changed one
replaces its old version in every index, a retirement ends a point's validity so it stops being returned.
A point whose text is unchanged (a retirement, a new validity window) keeps its vector. Bulletins are
applied oldest first; the same bulletin twice changes nothing. If any file or record is bad, nothing from
any file is applied.
"""

from __future__ import annotations

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


def parse_files(paths: list[Path]) -> list[tuple[Path, Bulletin]]:
    """Parse every file; raise `IngestError` listing every bad file and record."""
    parsed: list[tuple[Path, Bulletin]] = []
    problems: dict[str, list[str]] = {}
    for path in paths:
        try:
            parsed.append((path, parse_bulletin(path)))
        except BulletinError as exc:
            problems[str(path)] = [p.describe() for p in exc.problems] or [str(exc)]
        except OSError as exc:
            problems[str(path)] = [f"无法读取文件: {exc.strerror or exc}"]
    if problems:
        raise IngestError(problems)
    return parsed


def plan_ingest(paths: list[Path], current: dict[str, Row]) -> IngestPlan:
    """Work out what `paths` would change in an index whose documents are `current`.

    Raises:
        IngestError: A file could not be parsed, or a record cannot apply (e.g. retiring an unknown id).
    """
    parsed = sorted(parse_files(paths), key=lambda pb: (pb[1].published, str(pb[0])))
    plan = IngestPlan(files=[str(p) for p, _ in parsed], bulletins=[b for _, b in parsed])
    state: dict[str, Doc] = {}
    problems: dict[str, list[str]] = {}

    def existing(doc_id: str) -> Doc | None:
        if doc_id in state:
            return state[doc_id]
        row = current.get(doc_id)
        return row.doc() if row else None

    for path, bulletin in parsed:
        docs: list[Doc] = [*bulletin.upserts, *bulletin.scripts]
        for doc in docs:
            change = _upsert(doc, existing(doc.id), str(path))
            plan.changes.append(change)
            if change.doc is not None:
                state[doc.id] = change.doc
        for retirement in bulletin.retirements:
            old = existing(retirement.id)
            if not isinstance(old, KnowledgePoint):
                problems.setdefault(str(path), []).append(f"[{retirement.id}] 下线的知识点不存在")
                continue
            change = _retire(old, retirement.effective_to, retirement.reason, str(path))
            plan.changes.append(change)
            if change.doc is not None:
                state[old.id] = change.doc
    if problems:
        raise IngestError(problems)
    # several bulletins may touch one id: keep each id's final state, embedded if any step changed its text
    final: dict[str, Change] = {}
    for c in plan.changes:
        if c.doc is not None:
            prior = final.get(c.id)
            reembed = c.reembed or (prior.reembed if prior else False)
            final[c.id] = Change(c.id, c.kind, c.action if not prior or prior.action != "new" else "new", c.title,
                                 c.detail, c.source_file, state[c.id], reembed)
    plan.changes = [c for c in plan.changes if c.doc is None] + list(final.values())
    return plan


def _upsert(doc: Doc, old: Doc | None, source: str) -> Change:
    kind: Literal["point", "script"] = "point" if isinstance(doc, KnowledgePoint) else "script"
    if old is None:
        return Change(doc.id, kind, "new", doc.title, _window_text(doc), source, doc, True)
    if isinstance(doc, KnowledgePoint) and isinstance(old, KnowledgePoint) and doc.version < old.version:
        return Change(doc.id, kind, "older", doc.title, f"公告版本 {doc.version} 低于在用版本 {old.version}", source)
    if doc.content_hash() == old.content_hash():
        return Change(doc.id, kind, "unchanged", doc.title, "内容相同", source)
    detail = (f"版本 {old.version}→{doc.version}" if isinstance(doc, KnowledgePoint)
              and isinstance(old, KnowledgePoint) else "口径内容或有效期变更")
    return Change(doc.id, kind, "changed", doc.title, detail, source, doc,
                  embedding_text(doc) != embedding_text(old))


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
