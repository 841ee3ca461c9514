"""use-m3 with each token's first stages kept: the package's own vectors, whatever the table holds."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from knowledge.embedding import UseM3Embedder
from knowledge.usem3_cache import TOKEN_BUDGET, TokenCachedForward

TEXTS = [
    "我手机怎么上不了网",
    "喂 你好 我那个光猫LOS灯一直红的 是不是欠费了",
    "全球通畅享套餐158元档包含40GB国内通用流量，超出后按5元/GB计费，每月最多收取60元。",
    "",
    "APN",
    "宽带" * 300,  # longer than a micro-batch on its own
]


def package_vectors(embedder: UseM3Embedder, texts: list[str]) -> np.ndarray:
    """What the package's own numpy backend writes for `texts`."""
    return np.asarray(embedder._backend.encode(texts), dtype=np.float32)


def test_vectors_are_the_packages_for_single_texts_and_batches(embedder: UseM3Embedder) -> None:
    forward = TokenCachedForward.over(embedder._backend)
    assert forward is not None
    many = [f"{TEXTS[i % 3]}（第{i}问）" for i in range(60)] + TEXTS  # spans several micro-batches
    assert sum(len(embedder._sp.encode(t)) + 2 for t in many) > 2 * TOKEN_BUDGET
    reference = package_vectors(embedder, many)
    batch = forward.encode(many)
    assert batch.shape == (len(many), 512)
    assert np.abs(batch - reference).max() < 1e-5
    for text, row in zip(many[-len(TEXTS):], reference[-len(TEXTS):], strict=True):
        assert np.abs(forward.encode([text])[0] - row).max() < 1e-5  # now from the table
    assert 0 < forward.tokens_kept <= forward.capacity


def test_a_full_table_keeps_no_more_tokens_and_still_gives_the_same_vectors(embedder: UseM3Embedder) -> None:
    forward = TokenCachedForward.over(embedder._backend, capacity=8)
    assert forward is not None
    reference = package_vectors(embedder, TEXTS)
    first = forward.encode(TEXTS)
    again = forward.encode(TEXTS)
    assert forward.tokens_kept == 8
    assert np.abs(first - reference).max() < 1e-5 and np.abs(again - reference).max() < 1e-5


def test_threads_filling_the_table_together_get_the_same_vectors(embedder: UseM3Embedder) -> None:
    forward = TokenCachedForward.over(embedder._backend, capacity=64)
    assert forward is not None
    texts = [f"{t}，{i}号" for i in range(40) for t in TEXTS[:3]]
    reference = package_vectors(embedder, texts)
    with ThreadPoolExecutor(4) as pool:
        rows = list(pool.map(lambda t: forward.encode([t])[0], texts))
    assert np.abs(np.stack(rows) - reference).max() < 1e-5
    assert forward.tokens_kept == 64


def test_a_backend_of_another_layout_is_used_as_it_is(embedder: UseM3Embedder,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    class Other:
        def encode(self, texts: list[str]) -> np.ndarray:
            return np.ones((len(texts), 512), dtype=np.float32)

    assert TokenCachedForward.over(Other()) is None

    class SameShapesOtherArithmetic:  # a release that kept the weights' shapes but changed what encode does
        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

        def encode(self, texts: list[str]) -> np.ndarray:
            return np.asarray(real.encode(texts)) * -1.0

    real = embedder._backend
    assert TokenCachedForward.over(SameShapesOtherArithmetic()) is None
    monkeypatch.setattr(embedder, "_backend", Other())
    monkeypatch.setattr(embedder, "_forward", TokenCachedForward.over(embedder._backend))
    assert np.array_equal(embedder.embed(["宽带断了"]), np.ones((1, 512), dtype=np.float32))


def test_a_questions_vector_does_not_depend_on_what_was_embedded_before(embedder: UseM3Embedder) -> None:
    question = "我这个月流量费怎么扣了三百多，是不是开热点了"
    fresh = TokenCachedForward.over(embedder._backend)
    seasoned = TokenCachedForward.over(embedder._backend)
    assert fresh is not None and seasoned is not None
    seasoned.encode([f"{t}（{i}）" for i in range(30) for t in TEXTS] + [question[:7]])  # tokens met in big batches
    assert np.array_equal(fresh.encode([question]), seasoned.encode([question]))
