"""The eval world: a simulator database and a knowledge index built once, with fixed seeds, and cached.

Every scenario is replayed over a copy of this world, so results depend on the suite and the copilot only, never
on today's date or on the demo data in ``data/``. Layout of a world directory::

    world.json        the manifest (seed, subscribers, as-of, knowledge sample, index version); written last
    sim.sqlite        the pristine simulator database (never written to: each case gets a copy)
    kb/corpus/        the generated knowledge corpus (points, scripts, bulletins, labelled queries)
    kb/index/         the built knowledge index (`knowledge.store.IndexStore` layout)
    serve/sim.sqlite  the database a server replayed with ``--url`` runs on (reset before each case)

A world whose manifest matches the requested `WorldSpec` is reused (a sampled world also when it keeps more ids
than asked for); a missing, half-built or different one is built again in a temporary directory beside it and
renamed into place, so a world is never seen half-written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from copilot.settings import Settings
from knowledge.catalog import Doc
from knowledge.embedding import Embedder, create_embedder
from knowledge.lexical import Tokenizer, lexicon_signature, load_lexicon
from knowledge.manager import golden_check, load_jsonl
from knowledge.schema import EmergencyScript, KnowledgePoint
from knowledge.search import Searcher
from knowledge.store import IndexStore

WORLD_FORMAT = 2  # 2: the corpus's bulletins retire products only, not handling procedures
"""Bumped when the layout or the way a world is built changes: older worlds are rebuilt."""
WORLD_SEED = 7
WORLD_SUBSCRIBERS = 400
WORLD_AS_OF = datetime(2026, 11, 20, 10, 0, 0)
"""Fixed, independent of today's date: knowledge ids and validity windows are the same on every machine."""
MANIFEST = "world.json"
SAMPLE_SCRIPT_DAYS = 1
"""A sampled world keeps the scripts in force within this many days of the as-of (and every outage script)."""

Say = Callable[[str], None]


class WorldError(RuntimeError):
    """The world directory is missing, incomplete or unusable."""


def _quiet(message: str) -> None:
    return None


@dataclass(frozen=True)
class WorldSpec:
    """What world to build: the same spec always gives the same world."""

    seed: int = WORLD_SEED
    subscribers: int = WORLD_SUBSCRIBERS
    as_of: datetime = WORLD_AS_OF
    kb_sample: int | None = None
    """Index only this many knowledge points (a deterministic sample), plus `keep_ids` and the scripts near the
    as-of; None indexes the whole corpus (real runs)."""
    keep_ids: tuple[str, ...] = ()
    """Knowledge point and script ids a sampled world must keep (e.g. every gold knowledge id of a suite)."""
    embedding: str = "use-m3"
    """The embedding provider (and model path), as in the settings."""

    def key(self) -> dict[str, Any]:
        """What a manifest must match for the world to be reused."""
        return {"format": WORLD_FORMAT, "seed": self.seed, "subscribers": self.subscribers,
                "as_of": self.as_of.isoformat(timespec="seconds"), "kb_sample": self.kb_sample,
                "keep_ids": sorted(set(self.keep_ids)) if self.kb_sample is not None else [],
                "embedding": self.embedding, "lexicon": lexicon_signature(load_lexicon())}

    @classmethod
    def from_settings(cls, settings: Settings, *, kb_sample: int | None = None,
                      keep_ids: tuple[str, ...] | list[str] = ()) -> WorldSpec:
        """The standard world (seed 7, 400 lines, as of 2026-11-20 10:00) with the settings' embedder."""
        return cls(kb_sample=kb_sample, keep_ids=tuple(sorted(set(keep_ids))), embedding=embedding_of(settings))


def embedding_of(settings: Settings) -> str:
    """The embedder a settings object names, as recorded in a world's manifest."""
    path = settings.embedding_model_path
    return f"{settings.embedding_provider}:{path}" if path else settings.embedding_provider


@dataclass(frozen=True)
class World:
    """A built world."""

    root: Path
    manifest: dict[str, Any] = field(compare=False)

    @property
    def sim_db(self) -> Path:
        """The pristine simulator database (copy it; never write to it)."""
        return self.root / "sim.sqlite"

    @property
    def kb_dir(self) -> Path:
        """The knowledge home (corpus/ and index/): what ``HOTLINE_KB_DIR`` names for a server."""
        return self.root / "kb"

    @property
    def index_dir(self) -> Path:
        """The knowledge index."""
        return self.kb_dir / "index"

    @property
    def serve_dir(self) -> Path:
        """The data directory of a server that the harness replays against over HTTP."""
        return self.root / "serve"

    @property
    def serve_db(self) -> Path:
        """The simulator database such a server runs on; the harness resets it before each case."""
        return self.serve_dir / "sim.sqlite"

    @property
    def as_of(self) -> datetime:
        """The world's "now"."""
        return datetime.fromisoformat(self.manifest["as_of"])

    def serve_command(self, port: int = 8000) -> str:
        """The shell command that starts a server on this world (for ``hotline eval run --url``)."""
        return (f"HOTLINE_DATA_DIR={self.serve_dir} HOTLINE_SIM_DB={self.serve_db} HOTLINE_KB_DIR={self.kb_dir} "
                f"hotline serve --port {port}")


def default_world_dir(settings: Settings, kb_sample: int | None = None) -> Path:
    """``<data_dir>/eval-world`` (``eval-world-sample<N>`` for a sampled world, so the two never evict each other)."""
    return settings.data_dir / ("eval-world" if kb_sample is None else f"eval-world-sample{kb_sample}")


def open_world(root: Path) -> World:
    """A complete world at `root`.

    Raises:
        WorldError: Nothing complete is there (run ``hotline eval world``).
    """
    root = Path(root)
    path = root / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise WorldError(f"评测世界不存在或不完整: {root}（先运行 hotline eval world --world {root}）") from None
    world = World(root, manifest)
    if not world.sim_db.is_file() or not (world.index_dir / "CURRENT").is_file():
        raise WorldError(f"评测世界不完整: {root}（缺少 sim.sqlite 或 kb/index，重新运行 hotline eval world）")
    return world


def _matches(root: Path, spec: WorldSpec) -> World | None:
    """The world at `root` when it was built for `spec` (a sample that keeps more ids than asked for will do)."""
    try:
        world = open_world(root)
    except WorldError:
        return None
    wanted = spec.key()
    kept = set(world.manifest.get("keep_ids") or [])
    same = all(world.manifest.get(k) == v for k, v in wanted.items() if k != "keep_ids")
    return world if same and set(wanted["keep_ids"]) <= kept else None


def prepare_world(root: Path, spec: WorldSpec, *, embedder: Callable[[], Embedder] | None = None,
                  clock: Callable[[], datetime] = datetime.now, say: Say = _quiet) -> World:
    """The world `spec` describes, reused from `root` when its manifest matches, else built and cached there.

    Args:
        root: The world directory.
        spec: What to build.
        embedder: Gives the embedder to index with (loaded only when something is built); the spec's provider
            when None.
        clock: Stamps the manifest's ``built_at``.
        say: Progress messages.

    Returns:
        The world; its ``serve/sim.sqlite`` exists.
    """
    root = Path(root)
    world = _matches(root, spec)
    if world is None:
        say(f"构建评测世界: {root}（种子 {spec.seed}，{spec.subscribers} 条线路，时点 {spec.as_of:%Y-%m-%d %H:%M}）")
        world = _build(root, spec, embedder or _embedder_for(spec), clock, say)
    if not world.serve_db.is_file():
        world.serve_dir.mkdir(parents=True, exist_ok=True)
        tmp = world.serve_db.with_name(f".sim.{os.getpid()}.tmp")
        shutil.copyfile(world.sim_db, tmp)
        os.replace(tmp, world.serve_db)
    return world


def _embedder_for(spec: WorldSpec) -> Callable[[], Embedder]:
    provider, _, path = spec.embedding.partition(":")
    return lambda: create_embedder(provider, path or None)


def _build(root: Path, spec: WorldSpec, embedder: Callable[[], Embedder], clock: Callable[[], datetime],
           say: Say) -> World:
    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{root.name}.building-", dir=root.parent))
    try:
        manifest = _build_into(tmp, spec, embedder, clock, say)
        _swap_in(tmp, root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return World(root, manifest)


def _swap_in(tmp: Path, root: Path) -> None:
    """Move a built world into place; whatever was at `root` (stale, half-built) goes."""
    old = None
    if root.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{root.name}.old-", dir=root.parent))
        old.rmdir()
        root.rename(old)
    tmp.rename(root)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _build_into(tmp: Path, spec: WorldSpec, embedder: Callable[[], Embedder], clock: Callable[[], datetime],
                say: Say) -> dict[str, Any]:
    from knowledge.corpus import CorpusPaths, OutageRef, generate_corpus
    from tools.backends import build_backends
    from tools.sim.db import SimDatabase
    from tools.sim.generator import generate_database

    say("生成模拟后台数据库")
    counts = generate_database(tmp / "sim.sqlite", subscribers=spec.subscribers, seed=spec.seed, as_of=spec.as_of)
    day = spec.as_of.date()
    midnight = datetime.combine(day, datetime.min.time())
    coverage = build_backends(sim_db=SimDatabase(tmp / "sim.sqlite")).coverage
    outages = [OutageRef.model_validate(o.model_dump())  # the outages `hotline kb generate` links scripts to
               for o in coverage.list_outages((midnight - timedelta(days=31)).isoformat(),
                                              (midnight + timedelta(days=1)).isoformat())]
    say("生成知识库语料")
    paths = CorpusPaths.under(tmp / "kb" / "corpus")
    generate_corpus(paths.root, seed=spec.seed, as_of=day, outages=outages)
    docs = load_jsonl(paths.points, KnowledgePoint) + load_jsonl(paths.scripts, EmergencyScript)
    docs, missing = sample_docs(docs, spec)
    say(f"构建知识库索引（{len(docs)} 条）")
    store = IndexStore(tmp / "kb" / "index", embedder, lambda: Tokenizer(load_lexicon()))
    info = store.build(docs, note=f"eval world seed={spec.seed} as_of={spec.as_of:%Y-%m-%d}",
                       validate=lambda s: golden_check(s, spec.as_of))
    (tmp / "serve").mkdir()
    shutil.copyfile(tmp / "sim.sqlite", tmp / "serve" / "sim.sqlite")
    manifest = {**spec.key(), "kb_version": info.name, "kb_counts": info.manifest.get("counts", {}),
                "embedding_model": info.manifest.get("embedding_model"), "sim_rows": counts.get("subscribers"),
                "outages": len(outages), "missing_keep_ids": missing,
                "built_at": clock().isoformat(timespec="seconds")}
    (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def _rank(doc_id: str, seed: int) -> str:
    return hashlib.sha256(f"{seed}:{doc_id}".encode()).hexdigest()


def sample_docs(docs: list[Doc], spec: WorldSpec) -> tuple[list[Doc], list[str]]:
    """The documents a world indexes, and the `keep_ids` the corpus does not have.

    Without a sample, everything. With one: `kb_sample` points chosen by a seeded hash of their ids (the same
    ones on every machine), every id in `keep_ids`, and the scripts in force within `SAMPLE_SCRIPT_DAYS` of the
    as-of plus every outage script (what a caller in the world can be read).
    """
    ids = {d.id for d in docs}
    missing = sorted(set(spec.keep_ids) - ids)
    if spec.kb_sample is None:
        return docs, missing
    keep = set(spec.keep_ids)
    points = sorted((d for d in docs if isinstance(d, KnowledgePoint)), key=lambda d: _rank(d.id, spec.seed))
    chosen = {d.id for d in points[:spec.kb_sample]} | keep
    start, end = spec.as_of - timedelta(days=SAMPLE_SCRIPT_DAYS), spec.as_of + timedelta(days=SAMPLE_SCRIPT_DAYS)
    for d in docs:
        if isinstance(d, EmergencyScript) and (d.outage_id or (d.valid_from <= end and d.valid_to >= start)):
            chosen.add(d.id)
    return [d for d in docs if d.id in chosen], missing


def keep_ids_of(golds: list[list[str]]) -> tuple[str, ...]:
    """The knowledge ids a sampled world must keep for these gold ``knowledge`` lists."""
    return tuple(sorted({i for ids in golds for i in ids}))


def open_searcher(world: World, embedder: Embedder, tokenizer: Tokenizer) -> Searcher:
    """A searcher over the world's own index (read only)."""
    return IndexStore(world.index_dir, lambda: embedder, lambda: tokenizer).open()


def publish_scripts(world: World, scripts: list[EmergencyScript], parent: Path, embedder: Embedder,
                    tokenizer: Tokenizer) -> Searcher:
    """A copy of the world's index, in a new directory under `parent`, with `scripts` added (only they are embedded).

    The world's own index is never changed. Each call uses a directory of its own (Chroma caches its clients by
    path, so a path is never reused); the caller removes `parent` when done.
    """
    parent.mkdir(parents=True, exist_ok=True)
    dest = Path(tempfile.mkdtemp(prefix="index-", dir=parent))
    name = (world.index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    shutil.copytree(world.index_dir / name, dest / name)
    (dest / "CURRENT").write_text(name, encoding="utf-8")
    store = IndexStore(dest, lambda: embedder, lambda: tokenizer)

    def published(searcher: Searcher) -> list[str]:
        absent = [s.id for s in scripts if searcher.get(s.id) is None]
        return [f"口径未发布: {', '.join(absent)}"] if absent else []

    info = store.apply(list(scripts), reembed={s.id for s in scripts}, note="eval suite scripts",
                       validate=published)
    return info.searcher or store.open()
