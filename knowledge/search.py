"""Hybrid search over one index version: BM25 and dense candidates, reranked by a second stage, filters inside.

The first stage takes the best BM25 matches (jieba tokens, the telecom lexicon) and the best dense matches
(use-m3 cosine); the second stage (`knowledge.rerank`) adds every point of the best-matching businesses and
scores all of them with a linear model of the business match, the kind of answer the question asks for
(怎么退 -> 退订规则) and how close the question is to what each title asks. Modes ``bm25`` and ``dense`` rank by
the first stage alone (the benchmark's baselines). On the 518 test queries (`hotline kb bench`) recall@5 was
0.94 hybrid against 0.78 BM25 and 0.63 dense (0.75 for the reciprocal-rank fusion this stage replaced). A third
first-stage source matches the question's sound against the titles' (`knowledge.phonetic`), and before any
search, words speech recognition misspelled are respelled by sound into the corpus's own (淘餐 -> 套餐).

Filters (kind, region, validity at a moment) become one boolean mask over the rows, applied inside both
searches: BM25 scores masked rows as 0 and the dense scan reads only the caller's regions and zeroes what
the mask hides, so a filtered query costs no more than an unfiltered one. (Chroma's own `where` filters on
region `$in` plus a date range measured about 20x slower than its unfiltered query here; `hotline kb bench`
reports both.) The dense scan is exact, over
an in-memory copy of the version's vectors read from Chroma when the version is opened, kept in region order:
a caller's rows (nationwide, the province, the city) are then a few contiguous blocks, multiplied in place
rather than gathered row by row (0.5-0.8 ms instead of 1.0-1.2 ms a search with the caches cold, as they are
when many calls share two cores).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import numpy as np

from knowledge.catalog import Row
from knowledge.embedding import Embedder
from knowledge.lexical import LexicalIndex
from knowledge.phonetic import PhoneticIndex, Respeller, title_text
from knowledge.rerank import Candidates, Reranker, RerankModel, load_model
from knowledge.schema import region_keys

Mode = Literal["hybrid", "bm25", "dense"]
RRF_K = 60  # bm25 and dense modes score a hit 1 / (RRF_K + rank)
# Each first-stage search passes its best 50 (on the labelled dev queries, the answer was among the union of
# both, plus the points of the three best lexical businesses, for 98% of the queries).
CANDIDATES = 50
PIN_LEX_RANK = 3  # an outage script is pinned first when it is among the top lexical matches...
PIN_LEX_SHARE = 0.6  # ...scoring at least this share of the best match...
PIN_COSINE = 0.5  # ...or close in meaning
MASKS_KEPT = 256  # masks kept (a caller's scope and kinds, for as long as no row starts or ends)



@dataclass(frozen=True)
class Hit:
    """One search result and why it matched."""

    id: str
    kind: str
    title: str
    region: str
    score: float
    rank: int
    why: dict[str, Any] = field(default_factory=dict)
    key: str = ""
    """The row's key: the id, or id@effective_from for an earlier version of a point (`Searcher.row`)."""


@dataclass
class _Stages:
    """What the first stage found (per mode) and the second stage's candidates (hybrid only)."""

    query_tokens: list[str] = field(default_factory=list)
    respelled: dict[str, str] = field(default_factory=dict)
    lex: np.ndarray | None = None
    lex_rank: dict[int, int] = field(default_factory=dict)
    dense: np.ndarray | None = None
    dense_rank: dict[int, int] = field(default_factory=dict)
    sound_rank: dict[int, int] = field(default_factory=dict)
    second: Candidates | None = None


class Searcher:
    """Searches one opened index version."""

    def __init__(self, rows: list[Row], vectors: np.ndarray, lexical: LexicalIndex, embedder: Embedder,
                 version: str, rerank: RerankModel | None = None,
                 phrases: dict[str, np.ndarray] | None = None) -> None:
        self.rows = rows
        self.version = version
        self.embedder = embedder
        self.lexical = lexical
        self._ids = [r.key for r in rows]
        self._row_of = {r.key: i for i, r in enumerate(rows)}
        self._earlier: dict[int, list[int]] = {}  # a point's newest row -> the rows of its earlier versions
        for i, r in enumerate(rows):
            if r.earlier and r.id in self._row_of:
                self._earlier.setdefault(self._row_of[r.id], []).append(i)
        self._region_codes: dict[str, int] = {}
        self._region = np.array([self._region_codes.setdefault(r.region, len(self._region_codes)) for r in rows],
                                dtype=np.int32)
        self._is_script = np.array([r.kind == "script" for r in rows], dtype=bool)
        self._scopes = {kind: {r.region for r in rows if r.kind == kind} for kind in ("point", "script")}
        # the vectors in region order (stable: within a region, in row order), each region one block
        self._dense_rows = np.argsort(self._region, kind="stable")
        self._dense = np.ascontiguousarray(vectors[self._dense_rows])
        self._blocks = np.searchsorted(self._region[self._dense_rows], np.arange(len(self._region_codes) + 1))
        self._district = np.array([r.district or "" for r in rows])
        self._start = np.array([np.datetime64(r.start_ts) for r in rows], dtype="datetime64[s]")
        far = np.datetime64("9999-12-31T23:59:59")
        self._end = np.array([np.datetime64(r.end_ts) if r.end_ts else far for r in rows], dtype="datetime64[s]")
        # the moments at which some row comes into force or goes out of it: between two, every mask stays the same
        self._changes = np.unique(np.concatenate([self._start, self._end + np.timedelta64(1, "s")]))
        self._masks: dict[tuple[Any, ...], np.ndarray] = {}
        self._masks_lock = threading.Lock()
        self._outage = np.array([r.outage_script for r in rows])
        self._tied = np.array([bool(r.outage_id) for r in rows])  # to an outage notice of the coverage system
        self._overrides = np.array([self._row_of.get(r.variant_of, -1) if r.variant_of else -1 for r in rows],
                                   dtype=np.int64)
        self._has_override = self._overrides >= 0
        self.reranker = Reranker(rows, embedder, lexical.tokenizer.question_types, rerank or load_model(),
                                 phrases)
        self.phonetic = PhoneticIndex([lexical.tokenizer.normalize(title_text(r.title)) for r in rows])
        self.respeller = Respeller(lexical.document_frequencies())

    def scope(self, province: str | None, city: str | None,
              kinds: tuple[str, ...] = ("point", "script")) -> tuple[str, ...]:
        """The scopes covering a caller that hold rows of `kinds`: callers of one scope are shown the same rows.

        A city enters only where something of those kinds is written for it: callers in the cities of a
        province that have no points of their own share one scope for points, a city with its own points has
        its own; a district never enters (it only pins outage scripts).
        """
        held = set().union(*(self._scopes.get(kind, set()) for kind in kinds))
        return tuple(k for k in region_keys(province, city) if k in held)

    def _codes(self, province: str | None, city: str | None) -> list[int]:
        return [self._region_codes[k] for k in region_keys(province, city) if k in self._region_codes]

    def mask(self, province: str | None, city: str | None, at: datetime,
             kinds: tuple[str, ...] = ("point", "script")) -> np.ndarray:
        """Rows a caller in (province, city) may be shown at `at` (read-only: one mask serves many searches).

        A mask is kept until some row comes into force or goes out of it: the calls from one city share it.
        """
        moment = np.datetime64(at.replace(microsecond=0).isoformat())
        key = (province, city, tuple(kinds), int(np.searchsorted(self._changes, moment, side="right")))
        allowed = self._masks.get(key)
        if allowed is None:
            allowed = self._mask(province, city, moment, kinds)
            allowed.flags.writeable = False
            with self._masks_lock:
                if len(self._masks) >= MASKS_KEPT:
                    self._masks.pop(next(iter(self._masks)))
                self._masks[key] = allowed
        return allowed

    def _mask(self, province: str | None, city: str | None, moment: np.datetime64,
              kinds: tuple[str, ...]) -> np.ndarray:
        codes = self._codes(province, city)
        region_ok = np.zeros(len(self._region_codes) + 1, dtype=bool)
        region_ok[codes] = True
        allowed = region_ok[self._region]
        if "point" not in kinds:
            allowed &= self._is_script
        if "script" not in kinds:
            allowed &= ~self._is_script
        allowed &= (self._start <= moment) & (self._end >= moment)
        overridden = self._overrides[allowed & self._has_override]
        if overridden.size:  # a regional variant in force hides the nationwide point it overrides
            allowed[overridden] = False
            for row in set(overridden.tolist()) & self._earlier.keys():  # and each version of it
                allowed[self._earlier[row]] = False
        return allowed

    def search(
        self,
        query: str,
        *,
        province: str | None,
        city: str | None,
        at: datetime,
        district: str | None = None,
        kinds: tuple[str, ...] = ("point", "script"),
        k: int = 10,
        mode: Mode = "hybrid",
        heard: bool = True,
    ) -> list[Hit]:
        """Rank documents for a caller's words.

        Args:
            query: What the caller (or the agent) said.
            province: Caller's province; None searches nationwide points only.
            city: Caller's city.
            at: The moment (validity windows are checked against it).
            district: Caller's district, to pin outage scripts for it.
            kinds: ``point`` and/or ``script``.
            k: How many hits.
            mode: ``hybrid`` (default), ``bm25`` or ``dense``.
            heard: The words were heard (speech recognition may have misspelled them, so misheard words are
                respelled by sound); False for written words, such as a playbook's own searches.

        Returns:
            Hits, best first. Outage scripts covering the caller that match the query come first; a
            province or city variant in force hides the nationwide point it overrides (`variant_of`).
        """
        started = time.perf_counter()
        allowed = self.mask(province, city, at, kinds)
        if not allowed.any() or not query.strip():
            return []
        stages = self._stages(query, allowed, self._codes(province, city), mode, heard)
        lex_rank, lex_scores, dense_rank, dense_scores = stages.lex_rank, stages.lex, stages.dense_rank, stages.dense
        query_tokens, second = stages.query_tokens, stages.second
        if second is not None:
            fused = dict(zip(second.rows.tolist(), self.reranker.scores(second).tolist(), strict=True))
        else:
            fused = {row: 1.0 / (RRF_K + rank) for row, rank in (lex_rank or dense_rank).items()}
        pinned = self._pinned(fused, lex_rank, lex_scores, dense_scores, district)
        order = sorted(fused, key=lambda r: (r not in pinned, -fused[r], self._ids[r]))
        took = (time.perf_counter() - started) * 1000
        hits = []
        for rank, row in enumerate(order[:k], start=1):
            r = self.rows[row]
            why: dict[str, Any] = {"region": r.region, "ms": round(took, 2)}
            if row in lex_rank:
                why["bm25_rank"] = lex_rank[row]
            if row in dense_rank:
                why["dense_rank"] = dense_rank[row]
                why["cosine"] = round(float(dense_scores[row]), 3) if dense_scores is not None else None
            if row in stages.sound_rank:
                why["sound_rank"] = stages.sound_rank[row]
            if row in pinned:
                why["pinned"] = "当前区域故障应急口径"
            if second is not None:
                if r.category in second.question_types:
                    why["question_type"] = r.category
                if row not in lex_rank and row not in dense_rank:
                    why["business_match"] = r.business
            if stages.respelled:
                why["heard_as"] = stages.respelled
            if lex_scores is not None and row in lex_rank:
                why["matched_terms"] = sorted(set(query_tokens) & set(r.tokens))[:8]
            hits.append(Hit(id=r.id, kind=r.kind, title=r.title, region=r.region, score=round(fused[row], 5),
                            rank=rank, why=why, key=r.key))
        return hits

    def candidates(self, query: str, *, province: str | None, city: str | None, at: datetime,
                   kinds: tuple[str, ...] = ("point", "script")) -> Candidates | None:
        """The second stage's candidates and features for a query (what `knowledge.rerank_fit` learns from)."""
        allowed = self.mask(province, city, at, kinds)
        if not allowed.any() or not query.strip():
            return None
        return self._stages(query, allowed, self._codes(province, city), "hybrid").second

    def _stages(self, query: str, allowed: np.ndarray, codes: list[int], mode: Mode, heard: bool = True) -> _Stages:
        stages = _Stages()
        tokenizer = self.lexical.tokenizer
        # ASR fixes, dialect, spoken numbers, then misheard words respelled by sound: for both searches
        normalized = tokenizer.normalize(query)
        if heard:
            normalized, stages.respelled = self.respeller.respell(tokenizer.pieces(normalized))
        if mode in ("hybrid", "bm25"):
            stages.query_tokens = tokenizer.tokens(normalized, normalized=True)
            stages.lex = self.lexical.scores(stages.query_tokens, allowed)
            stages.lex_rank = _top(stages.lex, allowed & (stages.lex > 0), CANDIDATES)
        if mode in ("hybrid", "dense"):
            qv = self.embedder.embed_query(normalized)
            stages.dense = self._cosines(qv, allowed, codes)
            stages.dense_rank = _top(stages.dense, allowed, CANDIDATES)
            if mode == "hybrid":
                assert stages.lex is not None
                sound = self.phonetic.scores(normalized, allowed)  # what ASR misheard, matched by its sound
                stages.sound_rank = _top(sound, allowed & (sound > 0), CANDIDATES)
                first = set(stages.lex_rank) | set(stages.dense_rank) | set(stages.sound_rank)
                stages.second = self.reranker.candidates(normalized, qv, allowed, stages.lex, stages.dense, first,
                                                         sound)
        return stages

    def _cosines(self, query_vector: np.ndarray, allowed: np.ndarray, codes: list[int]) -> np.ndarray:
        """Cosine of every allowed row with the query; 0 elsewhere (a masked row is never ranked).

        Only the blocks of the caller's regions are read, each from its first allowed row to its last (the
        rows between that the mask hides, such as earlier versions and other days' scripts, are scored and
        then zeroed). `allowed` must lie within the regions of `codes`, as `mask` makes it for them.
        """
        out = np.zeros(len(self.rows), dtype=np.float32)
        for code in codes:
            start, stop = int(self._blocks[code]), int(self._blocks[code + 1])
            inside = np.flatnonzero(allowed[self._dense_rows[start:stop]])
            if inside.size:
                first, last = start + int(inside[0]), start + int(inside[-1]) + 1
                out[self._dense_rows[first:last]] = self._dense[first:last] @ query_vector
        out[~allowed] = 0.0
        return out

    def _pinned(self, fused: dict[int, float], lex_rank: dict[int, int], lex: np.ndarray | None,
                dense: np.ndarray | None, district: str | None) -> set[int]:
        pinned = set()
        top = float(lex.max()) if lex is not None and lex.size else 0.0
        for row in fused:
            if not self._outage[row]:
                continue
            if district and self._district[row] and self._district[row] != district:
                continue
            if not self._tied[row] and not (district and self._district[row] == district):
                continue  # a script no outage notice backs is pinned for callers in its own district only
            close = dense is not None and float(dense[row]) >= PIN_COSINE
            strong = (lex is not None and lex_rank.get(row, CANDIDATES + 1) <= PIN_LEX_RANK
                      and float(lex[row]) >= PIN_LEX_SHARE * top)
            if strong or close:
                pinned.add(row)
        return pinned

    def active_scripts(self, province: str | None, city: str | None, at: datetime,
                       district: str | None = None) -> list[Row]:
        """Scripts in force for a caller, outage scripts for the caller's district first."""
        allowed = self.mask(province, city, at, ("script",))
        rows = [self.rows[i] for i in np.flatnonzero(allowed)]
        if district:
            rows = [r for r in rows if not r.district or r.district == district]
        return sorted(rows, key=lambda r: (not r.outage_script, r.district is None, r.id))

    def get(self, doc_id: str, at: datetime | None = None) -> Row | None:
        """A document's row: its version in force at `at` if one is, else its newest."""
        row = self._row_of.get(doc_id)
        if row is None:
            return None
        if at is not None:
            moment = np.datetime64(at.replace(microsecond=0).isoformat())
            for i in self._earlier.get(row, []):
                if self._start[i] <= moment <= self._end[i]:
                    return self.rows[i]
        return self.rows[row]

    def row(self, hit: Hit) -> Row | None:
        """The row a hit came from (the version that was in force)."""
        index = self._row_of.get(hit.key or hit.id)
        return None if index is None else self.rows[index]

    def changes_from(self, row: Row | None) -> str | None:
        """The first day of the version that follows `row` (a change already announced), if one does."""
        newest = self.get(row.id) if row is not None and row.earlier else None
        return newest.start_ts[:10] if newest is not None else None

    def versions(self, doc_id: str) -> list[Row]:
        """Every version of a document the index holds, oldest first."""
        row = self._row_of.get(doc_id)
        if row is None:
            return []
        return [*(self.rows[i] for i in sorted(self._earlier.get(row, []), key=lambda i: self._start[i])),
                self.rows[row]]


def _top(scores: np.ndarray, allowed: np.ndarray, n: int) -> dict[int, int]:
    """Rank (1-based) of the best `n` allowed rows."""
    candidates = np.flatnonzero(allowed)
    if candidates.size == 0:
        return {}
    values = scores[candidates]
    if candidates.size > n:
        part = np.argpartition(-values, n - 1)[:n]
        candidates, values = candidates[part], values[part]
    order = np.lexsort((candidates, -values))
    return {int(candidates[i]): rank for rank, i in enumerate(order, start=1)}
