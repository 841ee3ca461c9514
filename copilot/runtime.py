"""Build the copilot's services and compiled graph from settings (once per process, at app start)."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from copilot.aftercare import load_aftercare
from copilot.checkpoints import Checkpoints, open_checkpointer
from copilot.graph import EMOTION_LEVELS, TURN_RISKS, CopilotServices, build_graph
from copilot.knowledge import open_knowledge
from copilot.llm import open_llm
from copilot.lookups import load_lookups
from copilot.playbooks.engine import PlaybookEngine
from copilot.playbooks.schema import load_playbooks
from copilot.register import DEFAULT_PATH as REGISTER_PATH
from copilot.register import Register, RegisterError, load_register
from copilot.settings import Settings
from copilot.understand.acknowledgements import load_acknowledgements
from copilot.understand.classifier import IntentClassifier, load_or_train
from copilot.understand.risk import RiskLexicon, load_risks
from copilot.understand.slots import Places
from copilot.understand.statements import load_statements
from knowledge.embedding import create_embedder
from knowledge.manager import KnowledgeManager
from knowledge.search import Searcher
from knowledge.store import KnowledgeIndexError
from knowledge.vocabulary import Vocabulary, load_vocabulary
from tools.backends import Backends
from tools.base.errors import BackendError
from tools.base.toolkit import ToolType

SERVING_THREADS = 1
"""BLAS threads per embedding while serving: concurrency comes from concurrent turns, not from one embedding."""


@dataclass
class CopilotRuntime:
    """The compiled graph and what it runs on."""

    graph: Any
    services: CopilotServices
    checkpoints: Checkpoints
    knowledge: KnowledgeManager
    kb_lock: threading.Lock = field(default_factory=threading.Lock)
    """One ingest at a time."""

    def close(self) -> None:
        """Close the checkpoint store, and hand the heap back to the collector."""
        self.checkpoints.close()
        gc.unfreeze()

    def knowledge_version(self) -> str | None:
        """The knowledge base version being served (None before one is built)."""
        return self.services.searcher.version if self.services.searcher else None

    def after_fork(self, settings: Settings) -> None:
        """In a forked turn worker: its own checkpoint connection, and the graph compiled over it.

        Everything loaded (index, models, playbooks) is the parent's, shared page for page; connections are
        not carried across a fork (the simulator opens one per process and thread by itself).
        """
        self.checkpoints = open_checkpointer(settings)
        self.graph = build_graph(self.services).compile(checkpointer=self.checkpoints.saver)

    def reopen_knowledge(self, searcher: Searcher | None = None) -> None:
        """Serve the knowledge base's current version (after an ingest switched it), and settle the heap again.

        Args:
            searcher: The new version's searcher, as the build validated it (`VersionInfo.searcher`); None
                loads the serving version from disk.

        The old version's objects are collected now, in this one pause, rather than during a later turn.
        """
        self.services.searcher = searcher or self.knowledge.store.open()
        settle_heap()


def settle_heap() -> None:
    """Take what is loaded now (index, models, vocabularies) out of the garbage collector's way.

    A served process holds a few million long-lived objects (the catalogue's rows and tokens, the BM25 and
    phonetic indexes, jieba's dictionary). CPython's full collection walks all of them: here it paused every
    thread for 310-370 ms a few times a minute under load, the turns in flight waiting behind it (the turn
    bench's p99 and max). After one collection they are frozen (`gc.freeze`): later collections walk only
    what turns allocate, and the frozen objects are still freed by reference counting when dropped. What turns
    in flight hold when an ingest settles the heap is frozen with it: a cycle among those objects waits for the
    next settle (the next ingest) to be collected.
    """
    gc.unfreeze()  # what an earlier settle froze is looked at again: a replaced index's cycles are freed
    gc.collect()
    gc.freeze()
    release_free_memory()


def release_free_memory() -> None:
    """Give the memory that freed objects left in the C heap back to the system (glibc's `malloc_trim`).

    Loading a knowledge base version allocates and frees a few hundred megabytes on the way (the vector
    store's batches, the catalogue's JSON); glibc keeps freed memory mapped for reuse. Released before the
    turn workers are forked, it is not counted in the app's resident memory; a C library without
    `malloc_trim` keeps it, as before.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def locate(backends: Backends, msisdn: str) -> tuple[str | None, str | None, str | None]:
    """The caller's (province, city, district) from BOSS; all None when BOSS cannot say."""
    try:
        sub = backends.boss.get_subscriber(msisdn)
    except BackendError:
        return None, None, None
    return sub.province, sub.city, sub.district


def checked_register(register: Register, risks: RiskLexicon, intents: Collection[str] | None = None) -> Register:
    """The register, once its openers and notices are for what the copilot reads and `not_on` names intents.

    Raises:
        RegisterError: Naming the openers' cues that nothing raises, or the intents that do not exist.
    """
    unknown = register.unknown_cues({*EMOTION_LEVELS, *risks.risks, *TURN_RISKS})
    if unknown:
        raise RegisterError(f"{REGISTER_PATH}: openers 或 notices 的键不是情绪（{'/'.join(EMOTION_LEVELS)}）"
                            f"也不是风险编号: {unknown}")
    strange = sorted({i for n in register.notices.values() for i in n.not_on} - set(intents)) if intents else []
    if strange:
        raise RegisterError(f"{REGISTER_PATH}: notices 的 not_on 不是意图编号: {strange}")
    return register


def assemble_services(classifier: IntentClassifier, vocabulary: Vocabulary, backends: Backends,
                      searcher: Searcher | None, places: Mapping[str, str], clock: Callable[[], datetime],
                      llm_settings: Settings | None) -> CopilotServices:
    """The graph's services: the shipped data files (risks, statements, lookups, register ...) and playbooks.

    The app and the evals' in-process replay both build them here, so that they run the same graph.

    Args:
        classifier: The intent classifier.
        vocabulary: Intents and actions.
        backends: The back-office clients (their read and write tools).
        searcher: The knowledge search; None: no knowledge base yet.
        places: The roaming destinations callers name (the search tokenizer's ``places``).
        clock: The product's clock.
        llm_settings: Settings to open the optional model from (when they configure one); None: rules only.
    """
    tools = backends.tools(clock)
    engine = PlaybookEngine(tools, vocabulary)
    risks = load_risks()
    return CopilotServices(
        classifier=classifier,
        vocabulary=vocabulary,
        risks=risks,
        engine=engine,
        playbooks=load_playbooks(vocabulary, set(engine.read_tools)),
        write_tools={t.name: t for t in tools if (t.metadata or {}).get("tool_type") == ToolType.WRITE.value},
        searcher=searcher,
        clock=clock,
        locate=lambda msisdn: locate(backends, msisdn),
        llm=open_llm(llm_settings, tools, clock) if llm_settings is not None else None,
        places=Places(places),
        acknowledgements=load_acknowledgements(),
        aftercare=load_aftercare(),
        statements=load_statements(),
        lookups=load_lookups(set(engine.read_tools)),
        register=checked_register(load_register(), risks, vocabulary.intent_by_id),
    )


def open_runtime(settings: Settings, backends: Backends, clock: Callable[[], datetime]) -> CopilotRuntime:
    """Services (classifier, playbooks, knowledge, tools) and the graph compiled with the configured checkpoints."""
    vocabulary = load_vocabulary()
    knowledge = open_knowledge(settings, clock, threads=SERVING_THREADS)
    try:
        searcher = knowledge.store.open()
    except KnowledgeIndexError:
        searcher = None  # no knowledge base built yet: diagnosis still works
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    embedder = searcher.embedder if searcher else create_embedder(threads=SERVING_THREADS)
    classifier = load_or_train(embedder, settings.models_dir or settings.data_dir / "models",
                               tokenizer=knowledge.store.tokenizer)
    services = assemble_services(classifier, vocabulary, backends, searcher, knowledge.store.tokenizer.places, clock,
                                 settings)
    checkpoints = open_checkpointer(settings)
    graph = build_graph(services).compile(checkpointer=checkpoints.saver)
    runtime = CopilotRuntime(graph, services, checkpoints, knowledge)
    settle_heap()
    return runtime
