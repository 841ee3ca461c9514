"""`hotline kb bench`: retrieval quality and speed on the generated corpus and its labelled query set.

Everything is built in a temporary directory; the serving index is never touched.
"""

from __future__ import annotations

import json
import math
import resource
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.catalog import Doc
from knowledge.embedding import Embedder, WrappedEmbedder, create_embedder
from knowledge.lexical import Tokenizer, load_lexicon
from knowledge.manager import KnowledgeManager, load_jsonl
from knowledge.schema import EmergencyScript, KnowledgePoint, RegionScope, region_keys
from knowledge.search import Mode, Searcher
from knowledge.store import IndexStore

MODES: tuple[Mode, ...] = ("bm25", "dense", "hybrid")


class CountingEmbedder(WrappedEmbedder):
    """Wraps an embedder and counts the texts it embeds for indexing (queries are not counted)."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner)
        self.embedded = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed and count."""
        self.embedded += len(texts)
        return self.inner.embed(texts)


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 3) if values else 0.0


def _moment(query: dict[str, Any]) -> datetime:
    if query.get("at"):
        return datetime.fromisoformat(query["at"])
    return datetime.combine(date.fromisoformat(query["date"]), dtime(12, 0))


def evaluate(searcher: Searcher, queries: list[dict[str, Any]]) -> dict[str, Any]:
    """recall@1, recall@5, MRR@10, nDCG@10 and latency per mode, overall and by noise type."""
    out: dict[str, Any] = {}
    for mode in MODES:
        ranks: list[int | None] = []
        ndcg: list[float] = []
        latency: list[float] = []
        by_noise: dict[str, list[int | None]] = {}
        for q in queries:
            scope = RegionScope.parse(q["region"])
            kinds = ("script",) if q.get("kind") == "script" else ("point", "script")
            started = time.perf_counter()
            hits = searcher.search(q["query"], province=scope.province, city=scope.city, district=q.get("district"),
                                   at=_moment(q), kinds=kinds, k=10, mode=mode)
            latency.append((time.perf_counter() - started) * 1000)
            relevant = set(q["relevant"])
            rank = next((h.rank for h in hits if h.id in relevant), None)
            ranks.append(rank)
            by_noise.setdefault(q.get("noise", "clean"), []).append(rank)
            gains = [1.0 / math.log2(h.rank + 1) for h in hits if h.id in relevant]
            ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), 10)))
            ndcg.append(sum(gains) / ideal if ideal else 0.0)
        n = len(queries) or 1
        out[mode] = {
            "recall@1": round(sum(1 for r in ranks if r == 1) / n, 4),
            "recall@5": round(sum(1 for r in ranks if r is not None and r <= 5) / n, 4),
            "mrr@10": round(sum(1.0 / r for r in ranks if r is not None) / n, 4),
            "ndcg@10": round(sum(ndcg) / n, 4),
            "latency_ms_p50": _pct(latency, 50),
            "latency_ms_p95": _pct(latency, 95),
            "recall@5_by_noise": {k: round(sum(1 for r in v if r is not None and r <= 5) / len(v), 4)
                                  for k, v in sorted(by_noise.items())},
        }
    return out


def _query_embedding_latency(embedder: Embedder, queries: list[dict[str, Any]]) -> dict[str, float]:
    times = []
    for q in queries:
        started = time.perf_counter()
        embedder.embed_query(q["query"])
        times.append((time.perf_counter() - started) * 1000)
    return {"p50": _pct(times, 50), "p95": _pct(times, 95)}


def _chroma_filtered(store: IndexStore, searcher: Searcher, queries: list[dict[str, Any]]) -> dict[str, float]:
    """Dense search through Chroma's own metadata filters, for comparison with the in-mask scan."""
    info = store.current()
    assert info is not None
    with store.vectors(info.name, info.path) as vectors:
        ids, matrix, _ = vectors.all()
        rows = {r.key: r for r in searcher.rows}
        metas = []
        for doc_id in ids:
            r = rows[doc_id]
            metas.append({"kind": r.kind, "region": r.region,
                          "start": int(datetime.fromisoformat(r.start_ts).timestamp()),
                          "end": int(datetime.fromisoformat(r.end_ts).timestamp()) if r.end_ts else 2**31})
        vectors.upsert(ids, matrix, metas)
        unfiltered, filtered = [], []
        for q in queries[:200]:
            scope = RegionScope.parse(q["region"])
            qv = searcher.embedder.embed_query(q["query"])
            ts = int(_moment(q).timestamp())
            started = time.perf_counter()
            vectors.query(qv, 10)
            unfiltered.append((time.perf_counter() - started) * 1000)
            where = {"$and": [{"region": {"$in": region_keys(scope.province, scope.city)}},
                              {"start": {"$lte": ts}}, {"end": {"$gte": ts}}]}
            started = time.perf_counter()
            vectors.query(qv, 10, where=where)
            filtered.append((time.perf_counter() - started) * 1000)
    return {"unfiltered_p50": _pct(unfiltered, 50), "filtered_p50": _pct(filtered, 50),
            "filtered_p95": _pct(filtered, 95)}


def run_bench(
    kb_root: Path,
    *,
    queries_path: Path | None = None,
    split: str = "test",
    chroma_url: str | None = None,
    embedder_factory: Callable[[], Embedder] = create_embedder,
) -> dict[str, Any]:
    """Build the corpus into a temporary index and measure it.

    Returns:
        One JSON-ready object: quality per mode, latencies, build and re-ingest times, peak RSS.
    """
    from knowledge.corpus import CorpusPaths

    corpus = CorpusPaths.under(kb_root / "corpus")
    queries = [json.loads(line) for line in (queries_path or corpus.queries).read_text(encoding="utf-8").splitlines()
               if line.strip()]
    if split != "all":
        queries = [q for q in queries if q.get("split") == split]
    docs: list[Doc] = load_jsonl(corpus.points, KnowledgePoint) + load_jsonl(corpus.scripts, EmergencyScript)
    counting = CountingEmbedder(embedder_factory())
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        store = IndexStore(Path(tmp) / "index", lambda: counting, lambda: Tokenizer(load_lexicon()),
                           chroma_url=chroma_url)
        store.tokenizer  # load jieba before timing the build  # noqa: B018
        started = time.perf_counter()
        store.build(docs, note="bench")
        build_s = time.perf_counter() - started
        searcher = store.open()
        # before the searches: the questions' own words are not yet in use-m3's token table (only the corpus's)
        query_embedding = _query_embedding_latency(counting, queries)
        quality = evaluate(searcher, queries)
        manager = KnowledgeManager(store, clock=lambda: max(datetime.fromisoformat(r.start_ts) for r in searcher.rows))
        pending = sorted((corpus.bulletins / "pending").glob("*.*"))
        reingest: dict[str, Any] = {}
        if pending:
            before = counting.embedded
            started = time.perf_counter()
            plan, info = manager.ingest(pending[:1])
            if info is None or info.searcher is None:
                store.open()
            took = round(time.perf_counter() - started, 3)
            reingest = {"bulletin": pending[0].name, "seconds_until_searchable": took,
                        "changes": plan.summary(), "embedded": counting.embedded - before}
            before = counting.embedded
            _, again = manager.ingest(pending[:1])
            reingest["noop_reingest_embedded"] = counting.embedded - before
            reingest["noop_reingest_new_version"] = again is not None
        chroma = _chroma_filtered(store, store.open(), queries) if chroma_url is None else {}
    return {
        "corpus": {"points": sum(isinstance(d, KnowledgePoint) for d in docs),
                   "scripts": sum(isinstance(d, EmergencyScript) for d in docs)},
        "queries": {"split": split, "count": len(queries)},
        "embedding_model": counting.model_id,
        "quality": {m: {k: v for k, v in quality[m].items() if not k.startswith("latency")} for m in MODES},
        "latency_ms": {**{m: {"p50": quality[m]["latency_ms_p50"], "p95": quality[m]["latency_ms_p95"]}
                          for m in MODES}, "query_embedding": query_embedding, "chroma_dense_only": chroma},
        "build": {"seconds": round(build_s, 2), "docs_per_s": round(len(docs) / build_s, 1)},
        "reingest_one_bulletin": reingest,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
