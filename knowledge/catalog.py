"""The catalogue of one index version: every document's metadata, filter fields and cached tokens.

Row numbers tie the catalogue to the vectors and to the BM25 index: document ``row`` is row ``row``
of both. A changed document keeps its row; a new one gets the next row.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from knowledge.schema import EmergencyScript, KnowledgePoint

SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    id TEXT PRIMARY KEY,
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


@dataclass(frozen=True)
class Row:
    """A catalogue row, as the searcher and the differ need it."""

    id: str
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

    def get(self, doc_id: str) -> Row | None:
        """One row by id."""
        r = self._conn.execute("SELECT * FROM docs WHERE id = ?", (doc_id,)).fetchone()
        return self._row(r) if r else None

    def hashes(self) -> dict[str, tuple[str, int]]:
        """Id -> (hash, version) of every document."""
        return {r["id"]: (r["hash"], r["version"]) for r in self._conn.execute("SELECT id, hash, version FROM docs")}

    def next_row(self) -> int:
        """The row a new document gets."""
        return int(self._conn.execute("SELECT COALESCE(MAX(row), -1) + 1 FROM docs").fetchone()[0])

    def upsert(self, items: Iterable[tuple[Doc, list[str]]]) -> dict[str, int]:
        """Insert or replace documents (with their tokens); return id -> row."""
        placed: dict[str, int] = {}
        with self._conn:
            for doc, tokens in items:
                existing = self._conn.execute("SELECT row FROM docs WHERE id = ?", (doc.id,)).fetchone()
                row = existing["row"] if existing else self.next_row()
                start, end = window(doc)
                is_point = isinstance(doc, KnowledgePoint)
                self._conn.execute(
                    "INSERT OR REPLACE INTO docs (id, row, kind, version, hash, title, business, category, region,"
                    " district, outage_id, variant_of, start_ts, end_ts, source, tokens, payload)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (doc.id, row, kind_of(doc), doc.version if is_point else 1,  # type: ignore[union-attr]
                     doc.content_hash(), doc.title,
                     doc.business if is_point else "应急口径",  # type: ignore[union-attr]
                     doc.category if is_point else doc.topic,  # type: ignore[union-attr]
                     doc.region, None if is_point else doc.district,  # type: ignore[union-attr]
                     None if is_point else doc.outage_id,  # type: ignore[union-attr]
                     doc.variant_of if is_point else None,  # type: ignore[union-attr]
                     start, end, doc.source, json.dumps(tokens, ensure_ascii=False), doc.model_dump_json()),
                )
                placed[doc.id] = row
        return placed

    def set_meta(self, values: dict[str, str]) -> None:
        """Write manifest values."""
        with self._conn:
            self._conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", values.items())

    def meta(self) -> dict[str, str]:
        """Manifest values."""
        return {r["key"]: r["value"] for r in self._conn.execute("SELECT key, value FROM meta")}

    def counts(self, at: datetime | None = None) -> dict[str, int]:
        """Documents by kind, and (given `at`) how many are in force, expired, or not yet effective."""
        out: dict[str, int] = {}
        for r in self._conn.execute("SELECT kind, COUNT(*) AS n FROM docs GROUP BY kind"):
            out[r["kind"]] = r["n"]
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
            id=r["id"], row=r["row"], kind=r["kind"], version=r["version"], hash=r["hash"], title=r["title"],
            business=r["business"], category=r["category"], region=r["region"], district=r["district"],
            outage_id=r["outage_id"], variant_of=r["variant_of"], start_ts=r["start_ts"], end_ts=r["end_ts"],
            source=r["source"],
            tokens=[sys.intern(t) for t in json.loads(r["tokens"])], payload=r["payload"],
        )


def as_datetime(day: date | datetime) -> datetime:
    """A date as the start of that day; a datetime unchanged."""
    return day if isinstance(day, datetime) else datetime.combine(day, time())
