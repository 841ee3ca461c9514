"""Turn settings into the knowledge base the copilot and the knowledge manager use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from copilot.settings import Settings
from knowledge.embedding import Embedder, create_embedder
from knowledge.lexical import Tokenizer, load_lexicon
from knowledge.manager import KnowledgeManager
from knowledge.store import IndexStore


def open_knowledge(settings: Settings, clock: Callable[[], datetime]) -> KnowledgeManager:
    """The knowledge manager over the configured index (embedded or server Chroma, configured embedder)."""

    def embedder() -> Embedder:
        return create_embedder(settings.embedding_provider, settings.embedding_model_path)

    store = IndexStore(settings.kb_path / "index", embedder, lambda: Tokenizer(load_lexicon()),
                       chroma_url=settings.chroma_url)
    return KnowledgeManager(store, clock=clock)
