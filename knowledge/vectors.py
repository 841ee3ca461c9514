"""The vector store: Chroma, embedded (PersistentClient) or a server (HttpClient).

Vectors are always computed by our embedder and passed in; the collection carries an embedding
function that refuses to run, so Chroma's default model (which downloads weights) can never load.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

BATCH = 2000


class NoDefaultEmbedding(EmbeddingFunction[Documents]):
    """Stands in for Chroma's default embedding function, which must never load."""

    def __init__(self, model_id: str = "external") -> None:
        self.model_id = model_id

    def __call__(self, input: Documents) -> Embeddings:
        """Refuse: every vector is computed by the project's embedder and passed explicitly."""
        raise RuntimeError("向量由 knowledge.embedding 计算后传入，Chroma 不得自行计算向量")

    @staticmethod
    def name() -> str:
        """Name recorded in the collection's configuration."""
        return "hotline-external"

    def get_config(self) -> dict[str, Any]:
        """Configuration recorded in the collection."""
        return {"model_id": self.model_id}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> NoDefaultEmbedding:
        """Rebuild from the recorded configuration."""
        return NoDefaultEmbedding(str(config.get("model_id", "external")))

    def default_space(self) -> Any:
        """Cosine similarity."""
        return "cosine"


def chroma_client(path: Path | None = None, url: str | None = None) -> Any:
    """An embedded client at `path`, or an HTTP client for `url`."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if url:
        parsed = urlparse(url)
        return chromadb.HttpClient(host=parsed.hostname or "127.0.0.1", port=parsed.port or 8000,
                                   ssl=parsed.scheme == "https", settings=settings)
    if path is None:
        raise ValueError("嵌入式 Chroma 需要目录")
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


HNSW = {"hnsw:space": "cosine", "hnsw:M": 8, "hnsw:construction_ef": 32}
"""A light HNSW graph: the copilot's own search is an exact scan over the vectors (with its filters as a mask),
so Chroma's graph serves only Chroma's own queries; building the default graph (M 16, ef 100) took 12 s of a
one-minute build of 13,668 vectors, this one 5 s."""


class VectorStore:
    """One Chroma collection holding one index version's vectors."""

    def __init__(self, client: Any, collection: str, model_id: str) -> None:
        self.client = client
        self.name = collection
        self.collection = client.get_or_create_collection(
            name=collection, embedding_function=NoDefaultEmbedding(model_id), metadata=HNSW,
        )

    def upsert(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]]) -> None:
        """Insert or replace vectors by id."""
        for start in range(0, len(ids), BATCH):
            end = start + BATCH
            self.collection.upsert(ids=ids[start:end], embeddings=np.ascontiguousarray(vectors[start:end]),
                                   metadatas=metadatas[start:end])

    def close(self) -> None:
        """Release the client (an embedded one's whole Chroma system, once no other client shares it)."""
        close = getattr(self.client, "close", None)  # an older chromadb has none: its systems stay cached
        if close is not None:
            close()

    def delete(self, ids: list[str]) -> None:
        """Remove vectors."""
        if ids:
            self.collection.delete(ids=ids)

    def count(self) -> int:
        """How many vectors."""
        return int(self.collection.count())

    def all(self) -> tuple[list[str], np.ndarray, list[dict[str, Any]]]:
        """Every id, vector and metadata."""
        ids: list[str] = []
        vectors: list[np.ndarray] = []
        metas: list[dict[str, Any]] = []
        total = self.count()
        for offset in range(0, total, BATCH):
            got = self.collection.get(include=["embeddings", "metadatas"], limit=BATCH, offset=offset)
            ids.extend(got["ids"])
            vectors.append(np.asarray(got["embeddings"], dtype=np.float32))
            metas.extend(got["metadatas"] or [{}] * len(got["ids"]))
        matrix = np.concatenate(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)
        return ids, matrix, metas

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """Nearest ids with cosine similarity, optionally filtered by Chroma metadata."""
        res = self.collection.query(query_embeddings=[vector.tolist()], n_results=k, where=where,
                                    include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def copy_to(self, other: VectorStore) -> dict[str, np.ndarray]:
        """Copy every vector into another collection (copy-on-write); return them by id."""
        ids, vectors, metas = self.all()
        if ids:
            other.upsert(ids, vectors, metas)
        return dict(zip(ids, vectors, strict=True))

    def drop(self) -> None:
        """Delete the collection."""
        self.client.delete_collection(self.name)
