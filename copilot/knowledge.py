"""Turn settings into the knowledge base the copilot and the knowledge manager use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from copilot.settings import Settings
from knowledge.embedding import Embedder, QueryCache, create_embedder
from knowledge.lexical import Tokenizer, load_lexicon
from knowledge.manager import KnowledgeManager
from knowledge.store import IndexStore


def open_knowledge(settings: Settings, clock: Callable[[], datetime], threads: int = 2) -> KnowledgeManager:
    """The knowledge manager over the configured index (embedded or server Chroma, configured embedder).

    Args:
        settings: Where the index lives and which embedder it uses.
        clock: The product's now.
        threads: BLAS threads for embedding: 2 for batch work (rebuild, ingest); the serving app uses 1,
            because many requests embed at once and two threads each thrash two cores.
    """

    def embedder() -> Embedder:
        return QueryCache(create_embedder(settings.embedding_provider, settings.embedding_model_path,
                                          threads=threads))

    store = IndexStore(settings.kb_path / "index", embedder, lambda: Tokenizer(load_lexicon()),
                       chroma_url=settings.chroma_url)
    return KnowledgeManager(store, clock=clock)
