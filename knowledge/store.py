"""Versioned index storage: every change builds a new version beside the serving one and switches atomically.

Layout under ``root``::

    CURRENT            the serving version's name (replaced atomically)
    v0001/             catalog.sqlite, bm25/, chroma/ (embedded mode), phrases.npz (vectors of what each title
                       asks and of each business name, for the second search stage), manifest.json (written last)

A version without a manifest never finished (it failed or was killed); it is never served and is removed
by the next build. In server mode the vectors live in the Chroma collection ``kb_<version>``.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.catalog import Catalog, Doc, Row, keyed, kind_of
from knowledge.embedding import Embedder
from knowledge.lexical import LexicalIndex, Tokenizer
from knowledge.rerank import load_phrases, save_phrases
from knowledge.search import Searcher
from knowledge.vectors import VectorStore, chroma_client

Progress = Callable[[str, int, int], None]
PHRASES = "phrases.npz"


class KnowledgeIndexError(RuntimeError):
    """The index is missing, or a build failed validation (the serving version is untouched)."""


@dataclass(frozen=True)
class VersionInfo:
    """A finished version's manifest (and, right after a build, the searcher that validated it)."""

    name: str
    path: Path
    manifest: dict[str, Any]
    searcher: Searcher | None = field(default=None, compare=False, repr=False)


def no_progress(stage: str, done: int, total: int) -> None:
    """Report nothing."""
    return None


class IndexStore:
    """The index versions under one directory, and how to build, open and switch them."""

    def __init__(self, root: Path, embedder: Callable[[], Embedder], tokenizer: Callable[[], Tokenizer],
                 chroma_url: str | None = None) -> None:
        self.root = root
        self._embedder_factory = embedder
        self._tokenizer_factory = tokenizer
        self._embedder: Embedder | None = None
        self._tokenizer: Tokenizer | None = None
        self.chroma_url = chroma_url

    @property
    def embedder(self) -> Embedder:
        """The embedder, loaded on first use."""
        if self._embedder is None:
            self._embedder = self._embedder_factory()
        return self._embedder

    @property
    def tokenizer(self) -> Tokenizer:
        """The tokenizer, loaded on first use."""
        if self._tokenizer is None:
            self._tokenizer = self._tokenizer_factory()
        return self._tokenizer

    # ------------------------------------------------------------ versions
    def current(self) -> VersionInfo | None:
        """The serving version, or None when nothing was built yet."""
        pointer = self.root / "CURRENT"
        if not pointer.is_file():
            return None
        name = pointer.read_text(encoding="utf-8").strip()
        manifest = self.root / name / "manifest.json"
        if not manifest.is_file():
            raise KnowledgeIndexError(f"CURRENT 指向的索引版本 {name} 不完整")
        return VersionInfo(name, self.root / name, json.loads(manifest.read_text(encoding="utf-8")))

    def _new_version(self) -> tuple[str, Path]:
        self.root.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name[1:]) for p in self.root.glob("v[0-9]*") if p.name[1:].isdigit()]
        seq = self.root / "SEQ"  # names are never reused: Chroma caches clients by path
        if seq.is_file():
            numbers.append(int(seq.read_text(encoding="utf-8").strip() or 0))
        number = max(numbers, default=0) + 1
        seq.write_text(str(number), encoding="utf-8")
        name = f"v{number:04d}"
        path = self.root / name
        path.mkdir()
        return name, path

    @contextlib.contextmanager
    def vectors(self, name: str, path: Path) -> Iterator[VectorStore]:
        """Version `name`'s vector collection, its Chroma client closed when done.

        The embedded client keeps a whole Chroma system per directory (here 50-70 MB) until it is closed: a
        served app that builds a version per ingest would otherwise keep one more after every ingest.
        """
        client = chroma_client(None, self.chroma_url) if self.chroma_url else chroma_client(path / "chroma")
        store = VectorStore(client, f"kb_{name}", self.embedder.model_id)
        try:
            yield store
        finally:
            store.close()

    def _switch(self, name: str) -> None:
        tmp = self.root / "CURRENT.tmp"
        tmp.write_text(name, encoding="utf-8")
        os.replace(tmp, self.root / "CURRENT")

    def cleanup(self, keep: int = 2) -> list[str]:
        """Remove unfinished versions and all but the newest `keep` finished ones (never the serving one)."""
        current = self.current()
        removed = []
        finished = sorted(p for p in self.root.glob("v[0-9]*") if (p / "manifest.json").is_file())
        stale = [p for p in self.root.glob("v[0-9]*") if not (p / "manifest.json").is_file()]
        stale += [p for p in finished[:-keep] if current is None or p.name != current.name]
        for path in stale:
            if self.chroma_url:
                with contextlib.suppress(Exception), self.vectors(path.name, path) as gone:
                    gone.drop()
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
        return removed

    # ------------------------------------------------------------ open
    def open(self) -> Searcher:
        """A searcher over the serving version.

        Raises:
            KnowledgeIndexError: Nothing has been built yet.
        """
        info = self.current()
        if info is None:
            raise KnowledgeIndexError(f"知识库索引不存在: {self.root}（先运行 hotline kb rebuild）")
        return self._open(info.name, info.path)

    def lexicon_changed(self) -> bool:
        """The serving version's words were cut with another lexicon (or an unrecorded one) than the current.

        Search still works, but a question's synonyms, terms and fixes then miss the documents' old tokens:
        `hotline kb rebuild` re-indexes the serving documents with the current lexicon.
        """
        info = self.current()
        return info is not None and info.manifest.get("lexicon") != self.tokenizer.signature

    def _open(self, name: str, path: Path) -> Searcher:
        catalog = Catalog(path / "catalog.sqlite")
        try:
            rows = catalog.rows()
        finally:
            catalog.close()
        with self.vectors(name, path) as stored:
            ids, matrix = stored.all()[:2]
        known = dict(zip(ids, matrix, strict=True))
        return self._searcher(name, rows, known, LexicalIndex.load(self.tokenizer, path / "bm25"),
                              load_phrases(path / PHRASES))

    def _searcher(self, name: str, rows: list[Row], known: dict[str, np.ndarray], lexical: LexicalIndex,
                  phrases: dict[str, np.ndarray]) -> Searcher:
        vectors = np.zeros((len(rows), self.embedder.dim), dtype=np.float32)
        for row in rows:
            if row.key in known:
                vectors[row.row] = known[row.key]
        return Searcher(rows, vectors, lexical, self.embedder, name, phrases=phrases)

    # ------------------------------------------------------------ build
    def build(self, docs: Iterable[Doc], *, note: str, validate: Callable[[Searcher], list[str]] | None = None,
              progress: Progress = no_progress) -> VersionInfo:
        """Build a complete new version from `docs`, validate it, then switch to it.

        Several versions of one point may be given: the one that starts last takes the point's id (`keyed`).

        Raises:
            KnowledgeIndexError: Validation failed; the serving version is untouched.
        """
        items = keyed(docs)
        docs = [doc for _, doc in items]
        self.cleanup()
        name, path = self._new_version()
        catalog = Catalog(path / "catalog.sqlite")
        try:
            with self.vectors(name, path) as vectors:
                # tokenizing (pure Python) runs in a forked worker while this process embeds (BLAS)
                with _token_worker(self.tokenizer) as pool:
                    pending = pool.map_async(_tokens_of, [d.search_text() for d in docs], chunksize=256)
                    known = self._embed_into(vectors, items, progress)
                    progress("分词", 0, 1)
                    tokens = pending.get()
                catalog.upsert((key, doc, words) for (key, doc), words in zip(items, tokens, strict=True))
                lexical = self._write_lexical(catalog, path)
                return self._finish(name, path, catalog, vectors, note, validate, known, lexical, {})
        finally:
            catalog.close()

    def apply(self, docs: list[Doc], *, reembed: set[str], note: str,
              validate: Callable[[Searcher], list[str]] | None = None, progress: Progress = no_progress,
              today: date | None = None) -> VersionInfo:
        """Copy the serving version, upsert `docs` into the copy (embedding only ids in `reembed`), switch.

        A point version that starts later than the serving one leaves the serving one in force until the day
        before (`Catalog.placement`); given `today`, earlier versions whose last day has passed are removed.
        An id given more than once is placed in that order (two bulletins changing a point from two days).

        Raises:
            KnowledgeIndexError: No serving version, or validation failed (the serving version is untouched).
        """
        base = self.current()
        if base is None:
            raise KnowledgeIndexError("没有在用的知识库索引可以增量更新，先运行 hotline kb rebuild")
        self.cleanup()
        name, path = self._new_version()
        shutil.copyfile(base.path / "catalog.sqlite", path / "catalog.sqlite")
        catalog = Catalog(path / "catalog.sqlite")
        try:
            progress("复制向量", 0, 1)
            with self.vectors(name, path) as vectors:
                with self.vectors(base.name, base.path) as serving:
                    known = serving.copy_to(vectors)
                for round_ in _rounds(docs):  # an id given twice is placed twice, in order
                    placement = catalog.placement(round_, today)
                    if placement.moved:  # an earlier version keeps the vector of its text, under its new key
                        moved = list(placement.moved)
                        known.update((key, known[placement.moved[key]]) for key in moved)
                        vectors.upsert(moved, np.stack([known[key] for key in moved]), [{"kind": "point"}] * len(moved))
                    catalog.delete(placement.deleted)
                    vectors.delete(placement.deleted)
                    for key in placement.deleted:
                        known.pop(key, None)
                    catalog.upsert((key, doc, self.tokenizer.tokens(doc.search_text()))
                                   for key, doc in placement.upserts)
                    known.update(self._embed_into(vectors, [(k, d) for k, d in placement.upserts if k in reembed],
                                                  progress))
                lexical = self._write_lexical(catalog, path)
                # the documents it keeps were cut with the base's lexicon: still stale if that was another one
                return self._finish(name, path, catalog, vectors, note, validate, known, lexical,
                                    load_phrases(base.path / PHRASES), base.manifest.get("lexicon", ""))
        finally:
            catalog.close()

    def _embed_into(self, vectors: VectorStore, items: list[tuple[str, Doc]],
                    progress: Progress) -> dict[str, np.ndarray]:
        batch = 1024  # big enough that a multi-threaded embedder keeps every core busy
        known: dict[str, np.ndarray] = {}
        for start in range(0, len(items), batch):
            chunk = items[start:start + batch]
            matrix = self.embedder.embed([embedding_text(d) for _, d in chunk])
            vectors.upsert([k for k, _ in chunk], matrix, [{"kind": kind_of(d)} for _, d in chunk])
            known.update(zip((k for k, _ in chunk), matrix, strict=True))
            progress("向量化", min(start + batch, len(items)), len(items))
        return known

    def _write_lexical(self, catalog: Catalog, path: Path) -> LexicalIndex:
        lexical = LexicalIndex.from_tokens(self.tokenizer, [r.tokens for r in catalog.rows()])
        lexical.save(path / "bm25")
        return lexical

    def _finish(self, name: str, path: Path, catalog: Catalog, vectors: VectorStore, note: str,
                validate: Callable[[Searcher], list[str]] | None, known: dict[str, np.ndarray],
                lexical: LexicalIndex, phrases: dict[str, np.ndarray],
                lexicon: str | None = None) -> VersionInfo:
        rows = catalog.rows()
        problems = []
        if vectors.count() != len(rows):
            problems.append(f"向量数 {vectors.count()} 与文档数 {len(rows)} 不一致")
        if [r.row for r in rows] != list(range(len(rows))):
            problems.append("文档行号不连续")
        missing = [r.key for r in rows if r.key not in known]
        if missing:
            problems.append(f"{len(missing)} 条文档没有向量: {', '.join(missing[:5])}")
        searcher = self._searcher(name, rows, known, lexical, phrases)
        save_phrases(path / PHRASES, searcher.reranker.phrases, searcher.reranker.phrase_vectors)
        if validate is not None:
            problems += validate(searcher)
        if problems:
            raise KnowledgeIndexError(f"新索引 {name} 校验失败，继续使用原索引: " + "；".join(problems))
        counts: dict[str, int] = {}
        for r in rows:
            counts[r.kind] = counts.get(r.kind, 0) + 1
        manifest = {
            "version": name, "built_at": datetime.now().isoformat(timespec="seconds"), "note": note,
            "counts": counts, "embedding_model": self.embedder.model_id, "dim": self.embedder.dim,
            "chroma": self.chroma_url or "embedded",
            "lexicon": self.tokenizer.signature if lexicon is None else lexicon,
        }
        catalog.set_meta({k: json.dumps(v, ensure_ascii=False) for k, v in manifest.items()})
        (path / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        self._switch(name)
        return VersionInfo(name, path, manifest, searcher)

    def rows(self) -> list[Row]:
        """Every document of the serving version."""
        info = self.current()
        if info is None:
            return []
        catalog = Catalog(info.path / "catalog.sqlite")
        try:
            return catalog.rows()
        finally:
            catalog.close()


def _rounds(docs: list[Doc]) -> list[list[Doc]]:
    """The first state of each id, then the second of those given twice, and so on."""
    rounds: list[list[Doc]] = []
    seen: dict[str, int] = {}
    for doc in docs:
        n = seen.get(doc.id, 0)
        seen[doc.id] = n + 1
        if n == len(rounds):
            rounds.append([])
        rounds[n].append(doc)
    return rounds


EMBED_CHARS = 100


_WORKER_TOKENIZER: Tokenizer | None = None


def _tokens_of(text: str) -> list[str]:
    assert _WORKER_TOKENIZER is not None
    return _WORKER_TOKENIZER.tokens(text)


@contextlib.contextmanager
def _token_worker(tokenizer: Tokenizer) -> Iterator[Any]:
    """One forked process that inherits the loaded tokenizer (jieba takes seconds to load)."""
    global _WORKER_TOKENIZER
    _WORKER_TOKENIZER = tokenizer
    context = multiprocessing.get_context("fork")
    pool = context.Pool(processes=1)
    try:
        yield pool
    finally:
        pool.close()
        pool.join()
        _WORKER_TOKENIZER = None


def embedding_text(doc: Doc) -> str:
    """What is embedded: the title, business, category and tags, and the opening of the body.

    use-m3 is a sentence encoder: on the labelled dev queries the first 120 characters retrieved better than
    the first 240 (dense recall@5 0.53 vs 0.47) and 80 nearly as well (0.51) at twice the speed; 100 keeps
    the full build of 13,700 documents under a minute on 2 cores (`hotline kb bench`, ``build``).
    """
    return doc.search_text()[:EMBED_CHARS]
