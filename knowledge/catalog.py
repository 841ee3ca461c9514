"""The catalogue of one index version: every document's metadata, filter fields and cached tokens.

Row numbers tie the catalogue to the vectors and to the BM25 index: document ``row`` is row ``row``
of both. A changed document keeps its row; a new one gets the next row.

A knowledge point may have more than one version in the catalogue: a bulletin announces a change from a
later day (``effective_from``) while today's version still answers today's callers. The newest version is
stored under the point's id; an earlier one still in the timeline under ``id@effective_from`` (its key),
its window ending the day before the next version starts. Searches see whichever version is in force.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from knowledge.schema import EmergencyScript, KnowledgePoint

SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    id TEXT PRIMARY KEY,  -- the document's key: its id, or id@effective_from for an earlier version
    row INTEGER NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('point', 'script')),
    version INTEGER NOT NULL,
    hash TEXT NOT NULL,
    title TEXT NOT NULL,
    business TEXT NOT NULL,
    category TEXT NOT NULL,
    region TEXT NOT NULL,
    district TEXT,
    outage_id TEXT,
    variant_of TEXT,
    start_ts TEXT NOT NULL,
    end_ts TEXT,
    source TEXT NOT NULL,
    tokens TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

Doc = KnowledgePoint | EmergencyScript
VERSION_MARK = "@"


def earlier_key(point: KnowledgePoint) -> str:
    """The key an earlier version of a point is kept under, once a newer version takes its id."""
    return f"{point.id}{VERSION_MARK}{point.effective_from.isoformat()}"


def keyed(docs: Iterable[Doc]) -> list[tuple[str, Doc]]:
    """Each document with its key: the newest version of a point (latest start) its id, others `earlier_key`."""
    docs = list(docs)
    newest: dict[str, Doc] = {}
    for doc in docs:
        best = newest.get(doc.id)
        if best is None or _start(doc) > _start(best):
            newest[doc.id] = doc
    return [(doc.id if newest[doc.id] is doc else earlier_key(doc), doc) for doc in docs]  # type: ignore[arg-type]


def _start(doc: Doc) -> tuple[date, int]:
    if isinstance(doc, KnowledgePoint):
        return doc.effective_from, doc.version
    return doc.valid_from.date(), 1


@dataclass
class Placement:
    """What `Catalog.placement` decided: rows to write, earlier versions moved off an id, rows to remove."""

    upserts: list[tuple[str, Doc]] = field(default_factory=list)
    moved: dict[str, str] = field(default_factory=dict)
    """New key of an earlier version -> the key (its point's id) whose vector it keeps."""
    deleted: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    """A catalogue row, as the searcher and the differ need it (`id` is the document's, `key` the row's)."""

    key: str
    row: int
    kind: str
    version: int
    hash: str
    title: str
    business: str
    category: str
    region: str
    district: str | None
    outage_id: str | None
    variant_of: str | None
    start_ts: str
    end_ts: str | None
    source: str
    tokens: list[str]
    payload: str

    @property
    def id(self) -> str:
        """The document's id (shared by every version of a point)."""
        return self.key.split(VERSION_MARK, 1)[0]

    @property
    def outage_script(self) -> bool:
        """A script about an outage: tied to an outage notice, or of topic ``outage`` (the system may not know it)."""
        return self.kind == "script" and (bool(self.outage_id) or self.category == "outage")

    @property
    def earlier(self) -> bool:
        """An earlier version of a point, kept for the days before its newest version starts."""
        return VERSION_MARK in self.key

    @property
    def text(self) -> str:
        """What the agent reads: a point's body or a script's wording.

        Read from the stored record (validated when it was ingested) without building the model, which costs
        several times more: a turn's knowledge card reads five.
        """
        return str(json.loads(self.payload).get("body" if self.kind == "point" else "wording", ""))

    def doc(self) -> Doc:
        """The full knowledge point or script."""
        if self.kind == "point":
            return KnowledgePoint.model_validate_json(self.payload)
        return EmergencyScript.model_validate_json(self.payload)


def window(doc: Doc) -> tuple[str, str | None]:
    """The document's validity window as ISO datetimes (a point's last day runs to 23:59:59)."""
    if isinstance(doc, KnowledgePoint):
        end = datetime.combine(doc.effective_to, time(23, 59, 59)).isoformat() if doc.effective_to else None
        return datetime.combine(doc.effective_from, time()).isoformat(), end
    return doc.valid_from.isoformat(timespec="seconds"), doc.valid_to.isoformat(timespec="seconds")


def kind_of(doc: Doc) -> str:
    """Point or script."""
    return "point" if isinstance(doc, KnowledgePoint) else "script"


class Catalog:
    """One version's catalogue (SQLite)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = sqlite3.connect(path)
        self._conn.row_factory = sqlite3.Row
        self._conn.executescript(SCHEMA)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def rows(self) -> list[Row]:
        """Every row, in row order."""
        return [self._row(r) for r in self._conn.execute("SELECT * FROM docs ORDER BY row")]

    def get(self, key: str) -> Row | None:
        """One row by key (a document's id gives its newest version)."""
        r = self._conn.execute("SELECT * FROM docs WHERE id = ?", (key,)).fetchone()
        return self._row(r) if r else None

    def earlier_versions(self, doc_id: str) -> list[Row]:
        """The earlier versions kept for a point, oldest first."""
        low, high = doc_id + VERSION_MARK, doc_id + chr(ord(VERSION_MARK) + 1)  # every key "id@..."
        return [self._row(r) for r in self._conn.execute(
            "SELECT * FROM docs WHERE id > ? AND id < ? ORDER BY start_ts", (low, high))]

    def next_row(self) -> int:
        """The row a new document gets."""
        return int(self._conn.execute("SELECT COALESCE(MAX(row), -1) + 1 FROM docs").fetchone()[0])

    def delete(self, keys: Iterable[str]) -> None:
        """Remove rows and renumber the rest, in order, so that row numbers stay 0..n-1."""
        keys = list(keys)
        if not keys:
            return
        with self._conn:
            self._conn.executemany("DELETE FROM docs WHERE id = ?", [(k,) for k in keys])
            order = [r[0] for r in self._conn.execute("SELECT id FROM docs ORDER BY row")]
            self._conn.execute("UPDATE docs SET row = -1 - row")  # out of the way of the UNIQUE constraint
            self._conn.executemany("UPDATE docs SET row = ? WHERE id = ?", [(i, k) for i, k in enumerate(order)])

    def upsert(self, items: Iterable[tuple[str, Doc, list[str]]]) -> dict[str, int]:
        """Insert or replace documents by key (with their tokens); return key -> row."""
        placed: dict[str, int] = {}
        with self._conn:
            for key, doc, tokens in items:
                existing = self._conn.execute("SELECT row FROM docs WHERE id = ?", (key,)).fetchone()
                row = existing["row"] if existing else self.next_row()
                start, end = window(doc)
                is_point = isinstance(doc, KnowledgePoint)
                self._conn.execute(
                    "INSERT OR REPLACE INTO docs (id, row, kind, version, hash, title, business, category, region,"
                    " district, outage_id, variant_of, start_ts, end_ts, source, tokens, payload)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (key, row, kind_of(doc), doc.version if is_point else 1,  # type: ignore[union-attr]
                     doc.content_hash(), doc.title,
                     doc.business if is_point else "应急口径",  # type: ignore[union-attr]
                     doc.category if is_point else doc.topic,  # type: ignore[union-attr]
                     doc.region, None if is_point else doc.district,  # type: ignore[union-attr]
                     None if is_point else doc.outage_id,  # type: ignore[union-attr]
                     doc.variant_of if is_point else None,  # type: ignore[union-attr]
                     start, end, doc.source, json.dumps(tokens, ensure_ascii=False), doc.model_dump_json()),
                )
                placed[key] = row
        return placed

    def placement(self, docs: Iterable[Doc], today: date | None = None) -> Placement:
        """Where the newest versions `docs` go, and what happens to the versions they follow.

        A point version that starts later than the one in the catalogue takes the point's id; the one it
        follows is kept under `earlier_key`, its window ending the day before (a bulletin dated tomorrow must
        not take today's answer away). An earlier version left with no days, or (given `today`) whose last
        day has passed, is removed.
        """
        out = Placement()
        for doc in docs:
            out.upserts.append((doc.id, doc))
            if not isinstance(doc, KnowledgePoint):
                continue
            first = doc.effective_from
            earlier = [(r.key, r.doc(), False) for r in self.earlier_versions(doc.id)]
            current = self.get(doc.id)
            if current is not None and current.kind == "point":
                old = current.doc()
                assert isinstance(old, KnowledgePoint)
                if old.effective_from < first:
                    earlier.append((earlier_key(old), old, True))
            for key, version, moving in earlier:
                assert isinstance(version, KnowledgePoint)
                last = min(version.effective_to or date.max, first - timedelta(days=1))
                if last < version.effective_from or (today is not None and last < today):
                    if not moving:
                        out.deleted.append(key)
                    continue
                if moving:
                    out.moved[key] = doc.id
                if moving or last != version.effective_to:
                    out.upserts.append((key, version.model_copy(update={"effective_to": last})))
        if today is not None:
            ended = datetime.combine(today, time()).isoformat()
            placed = {key for key, _ in out.upserts}
            out.deleted += [r[0] for r in self._conn.execute(
                f"SELECT id FROM docs WHERE id LIKE '%{VERSION_MARK}%' AND end_ts < ?", (ended,))
                if r[0] not in placed and r[0] not in out.deleted]
        return out

    def set_meta(self, values: dict[str, str]) -> None:
        """Write manifest values."""
        with self._conn:
            self._conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", values.items())

    def meta(self) -> dict[str, str]:
        """Manifest values."""
        return {r["key"]: r["value"] for r in self._conn.execute("SELECT key, value FROM meta")}

    def counts(self, at: datetime | None = None) -> dict[str, int]:
        """Documents by kind, earlier versions kept, and (given `at`) rows in force, expired, not yet effective."""
        out: dict[str, int] = {}
        for r in self._conn.execute(f"SELECT kind, COUNT(*) AS n FROM docs WHERE id NOT LIKE '%{VERSION_MARK}%'"
                                    " GROUP BY kind"):
            out[r["kind"]] = r["n"]
        earlier = self._conn.execute(f"SELECT COUNT(*) FROM docs WHERE id LIKE '%{VERSION_MARK}%'").fetchone()[0]
        if earlier:
            out["point_earlier_versions"] = int(earlier)
        if at is not None:
            now = at.isoformat(timespec="seconds")
            for name, cond in (("in_force", "start_ts <= :now AND (end_ts IS NULL OR end_ts >= :now)"),
                               ("expired", "end_ts IS NOT NULL AND end_ts < :now"),
                               ("not_yet_effective", "start_ts > :now")):
                for r in self._conn.execute(f"SELECT kind, COUNT(*) AS n FROM docs WHERE {cond} GROUP BY kind",
                                            {"now": now}):
                    out[f"{r['kind']}_{name}"] = r["n"]
        return out

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows())

    @staticmethod
    def _row(r: sqlite3.Row) -> Row:
        # a served index holds about a million tokens, mostly repeats of a few thousand words: one string each
        # (interned) rather than one per occurrence saves about 85 MB in every process that loads a version
        return Row(
            key=r["id"], row=r["row"], kind=r["kind"], version=r["version"], hash=r["hash"], title=r["title"],
            business=r["business"], category=r["category"], region=r["region"], district=r["district"],
            outage_id=r["outage_id"], variant_of=r["variant_of"], start_ts=r["start_ts"], end_ts=r["end_ts"],
            source=r["source"],
            tokens=[sys.intern(t) for t in json.loads(r["tokens"])], payload=r["payload"],
        )


def as_datetime(day: date | datetime) -> datetime:
    """A date as the start of that day; a datetime unchanged."""
    return day if isinstance(day, datetime) else datetime.combine(day, time())
