"""The second stage of hybrid search: which business the caller means, and which of its answers.

Most of the corpus is near-identical points of one business (its 资费, 办理渠道, 退订规则 ... and twenty FAQ
questions), so a first-stage ranking that finds the right business often puts the wrong one of its points
first. The second stage scores every candidate (the top BM25 and dense matches, plus every point in force of
the three businesses with the strongest lexical match) with a linear model over a few features:

* ``lex``, ``cosine``: the first-stage BM25 score (as a share of the best) and the dense cosine;
* ``business_lex``: the best BM25 share among the candidate's business's points (how surely this is the
  business meant, from everything written about it);
* ``business_cosine``: the dense cosine between the question and the business's name ("手表用同一个号" and
  eSIM一号双终端);
* ``price``: the question says a number that the business's name gives as its price ("288的那个", "二十块的
  流量包" -> 20元): callers tell near-identical tiers apart by price;
* ``price_unasked``: the business's name gives a price and the question says no number that could be one
  ("那个弹性包能不能办" and 弹性计费包20元档): a caller who means one tier names it, so a question that names none
  is more likely about the business as a whole (弹性计费包's own rules) or about another business;
* ``question_type``: whether the candidate's category is one the question's cue words ask for (the lexicon's
  ``question_types``: 怎么退 -> 退订规则, 多少钱 -> 资费 ...);
* ``aspect_cosine``: the dense cosine between the question and what the point's title asks, with the
  business named in it removed ("{业务}的费用在账单哪一项？" -> "的费用在账单哪一项？"), so the question's
  wording meets the FAQ's own question and not the business name it shares with its siblings;
* ``script``, ``faq``: the kind of document (an emergency script; an FAQ point, 常见问题);
* ``sound``: the BM25 score (as a share of the best) of the question's pinyin against the title's
  (`knowledge.phonetic`), for what speech recognition wrote with the wrong characters (宽待 -> 宽带).

The weights are data (``data/rerank.yaml``), fitted by ``knowledge.rerank_fit`` on fresh labelled draws
(``hotline kb queries --draw 3001`` ... ``3004``), never on the test split the benchmark reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from knowledge.catalog import Row
from knowledge.embedding import Embedder
from knowledge.schema import NATIONWIDE

DEFAULT_MODEL = Path(__file__).resolve().parent / "data" / "rerank.yaml"
FEATURES = ("lex", "cosine", "business_lex", "business_cosine", "price", "price_unasked", "question_type",
            "aspect_cosine", "script", "faq", "sound")
_PRICE = re.compile(r"(\d+(?:\.\d+)?)元")  # a price in a business name: 全球通畅享套餐158元档
# A number a caller says that may be a price: "158的那个", "二十块" (20元); not "5G", "3个G", "5天", "100兆"
_SPOKEN_PRICE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(?![\d.]|\s*(?:[GgMmBbKk兆天日个年月小分点号岁次秒周]))")
FAQ = "常见问题"
_REGION_SUFFIX = re.compile(r"（[^（）]*）$")


class RerankError(ValueError):
    """The rerank model file is unreadable or invalid."""


class RerankModel(BaseModel):
    """Weights of the second-stage score, and how many businesses widen the candidates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1, description="Version")
    fitted_on: str = Field(min_length=1, description="Which labelled queries fitted the weights, and how")
    businesses: int = Field(ge=0, le=20, description="Every point of this many best-matching businesses is a candidate")
    weights: dict[str, float] = Field(description="Feature -> weight")

    @field_validator("weights")
    @classmethod
    def _all_features(cls, value: dict[str, float]) -> dict[str, float]:
        missing, unknown = set(FEATURES) - set(value), set(value) - set(FEATURES)
        if missing or unknown:
            raise ValueError(f"特征权重不完整: 缺少 {sorted(missing)}，未知 {sorted(unknown)}")
        return value

    def vector(self) -> np.ndarray:
        """The weights in FEATURES order."""
        return np.array([self.weights[f] for f in FEATURES], dtype=np.float32)


def load_model(path: Path | None = None) -> RerankModel:
    """Load and validate the rerank model.

    Raises:
        RerankError: Naming the file and what is wrong.
    """
    path = path or DEFAULT_MODEL
    try:
        return RerankModel.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RerankError(f"{path}: 无法读取重排模型: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise RerankError(f"{path}: 重排模型不合法: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None


def aspect_of(title: str, business: str, regional: bool) -> str:
    """What a title asks, without the business it names (and without a variant's region suffix).

    "全球通畅享套餐158元档月费什么时候扣？（江西）" -> "月费什么时候扣？"; where the title names the business in
    its own words ("在日本接电话收费吗？" of 国际漫游日套餐（日本）), the stretches it shares with the business
    name (two characters or more) are removed instead.
    """
    text = _REGION_SUFFIX.sub("", title) if regional else title
    if business and business in text:
        text = text.replace(business, " ")
    else:
        while True:
            shared = _longest_shared(text, business)
            if len(shared) < 2:
                break
            text = text.replace(shared, " ")
    return re.sub(r"\s+", " ", text).strip()


def _longest_shared(text: str, other: str) -> str:
    best = ""
    for i in range(len(other)):
        for j in range(i + len(best) + 1, len(other) + 1):
            if other[i:j] not in text:
                break
            best = other[i:j]
    return best


def embed_phrases(phrases: list[str], embedder: Embedder, known: dict[str, np.ndarray]) -> np.ndarray:
    """Vectors of short phrases, embedding only those not in `known` (a version's saved table)."""
    vectors = np.zeros((len(phrases), embedder.dim), dtype=np.float32)
    missing = []
    for i, phrase in enumerate(phrases):
        vector = known.get(phrase)
        if vector is not None and vector.shape == (embedder.dim,):
            vectors[i] = vector
        else:
            missing.append(i)
    if missing:
        vectors[missing] = embedder.embed([phrases[i] for i in missing])
    return vectors


def save_phrases(path: Path, phrases: list[str], vectors: np.ndarray) -> None:
    """Write a phrase table (text -> vector) so that opening the version embeds none of them again."""
    with path.open("wb") as fh:
        np.savez(fh, phrases=np.array(phrases, dtype=str), vectors=vectors.astype(np.float32))


def load_phrases(path: Path) -> dict[str, np.ndarray]:
    """A phrase table written by `save_phrases`; empty when the file is missing or unreadable."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return dict(zip(data["phrases"].tolist(), data["vectors"], strict=True))
    except (OSError, KeyError, ValueError):
        return {}


@dataclass(frozen=True)
class Candidates:
    """The rows scored by the second stage, their features (rows x FEATURES) and the question types cued."""

    rows: np.ndarray
    features: np.ndarray
    question_types: frozenset[str]


class Reranker:
    """Second-stage features and scores over one index version's rows.

    Rows are grouped by business (an emergency script is a group of its own). The phrases it embeds (what each
    title asks, and each business name) are few, short and shared by many rows: `phrases` and `phrase_vectors`
    are saved with the version so that opening it embeds nothing.
    """

    def __init__(self, rows: list[Row], embedder: Embedder, question_types: dict[str, list[str]],
                 model: RerankModel, known: dict[str, np.ndarray] | None = None) -> None:
        self.model = model
        self._weights = model.vector()
        self._cue_categories: dict[str, set[str]] = {}
        for category, cues in question_types.items():
            for cue in cues:
                self._cue_categories.setdefault(cue.lower(), set()).add(category)
        longest_first = sorted(self._cue_categories, key=lambda c: (-len(c), c))
        self._cue_pattern = re.compile("(?=(" + "|".join(map(re.escape, longest_first)) + "))") \
            if longest_first else None
        keys = [f"script:{r.id}" if r.kind == "script" else r.business for r in rows]
        groups = sorted(set(keys))
        group_of = {name: i for i, name in enumerate(groups)}
        self._business = np.array([group_of[k] for k in keys], dtype=np.int64)
        self._order = np.argsort(self._business, kind="stable")
        self._starts = np.flatnonzero(np.r_[True, np.diff(self._business[self._order]) != 0])
        self._members = np.split(self._order, self._starts[1:])
        self._categories = sorted({r.category for r in rows})
        self._category = np.array([self._categories.index(r.category) for r in rows], dtype=np.int64)
        self._script = np.array([r.kind == "script" for r in rows], dtype=np.float32)
        self._faq = np.array([r.category == FAQ for r in rows], dtype=np.float32)
        aspects = [r.title if r.kind == "script" else aspect_of(r.title, r.business, r.region != NATIONWIDE)
                   or r.category for r in rows]
        businesses = [g for g in groups if not g.startswith("script:")]
        self.phrases = sorted({*aspects, *businesses})
        where = {p: i for i, p in enumerate(self.phrases)}
        self._aspect = np.array([where[a] for a in aspects], dtype=np.int64)
        self._business_phrase = np.array([where.get(g, -1) for g in groups], dtype=np.int64)
        self.phrase_vectors = embed_phrases(self.phrases, embedder, known or {})
        self._prices = [set(_PRICE.findall(g)) if not g.startswith("script:") else set() for g in groups]
        self._priced = np.array([bool(p) for p in self._prices], dtype=np.float32)

    def question_types(self, normalized_query: str) -> frozenset[str]:
        """The categories the question's cue words ask for.

        A cue inside a longer one asks nothing of its own: "什么时候开始收钱" is 生效规则 (开始收钱), not 资费 too
        (收钱), and "能不能用" (办理条件) is not "不能用" (故障处理); cues that only overlap both count
        ("是什么时候": 业务介绍 and 生效规则).
        """
        if self._cue_pattern is None:
            return frozenset()
        found = [(m.start(), m.start() + len(m.group(1)), m.group(1))
                 for m in self._cue_pattern.finditer(normalized_query.lower())]  # the longest cue at each place
        return frozenset(c for start, end, cue in found
                         if not any(s <= start and end <= e and e - s > end - start for s, e, _ in found)
                         for c in self._cue_categories[cue])

    def candidates(self, normalized_query: str, query_vector: np.ndarray, allowed: np.ndarray, lex: np.ndarray,
                   dense: np.ndarray, first_stage: set[int], sound: np.ndarray | None = None) -> Candidates:
        """The first-stage rows plus every allowed row of the best lexical businesses, with their features.

        Args:
            normalized_query: The question as `Tokenizer.normalize` writes it (cue words are matched in it).
            query_vector: The question's embedding.
            allowed: The filter mask.
            lex: BM25 score of every row (0 outside the mask).
            dense: Cosine of every row (0 outside the mask).
            first_stage: Rows the first stage ranked (top BM25, dense and sound-alike matches).
            sound: Sound-alike BM25 score of every row (0 outside the mask); none gives every row 0.
        """
        best = float(lex[allowed].max()) if allowed.any() else 0.0
        lex_share = lex / best if best > 0 else np.zeros_like(lex)
        per_row = np.where(allowed, lex_share, 0.0)[self._order]
        business_lex = np.maximum.reduceat(per_row, self._starts) if per_row.size else per_row
        rows = set(first_stage)
        for b in np.argsort(-business_lex, kind="stable")[:self.model.businesses]:
            if business_lex[b] > 0:
                members = self._members[b]
                rows.update(members[allowed[members]].tolist())
        picked = np.array(sorted(rows), dtype=np.int64)
        types = self.question_types(normalized_query)
        if not picked.size:
            return Candidates(picked, np.zeros((0, len(FEATURES)), dtype=np.float32), types)
        wanted = np.array([c in types for c in self._categories], dtype=np.float32)
        business_phrase = self._business_phrase[self._business[picked]]
        # only the phrases of the candidates' businesses and titles are read (a few hundred of the thousands)
        needed = np.unique(np.concatenate([business_phrase[business_phrase >= 0], self._aspect[picked]]))
        phrase_cos = np.zeros(len(self.phrases), dtype=np.float32)
        phrase_cos[needed] = self.phrase_vectors[needed] @ query_vector
        asked = set(_SPOKEN_PRICE.findall(normalized_query))
        price = np.array([bool(asked & self._prices[b]) for b in self._business[picked]], dtype=np.float32)
        unasked = np.zeros(picked.size, dtype=np.float32) if asked else self._priced[self._business[picked]]
        loudest = float(sound[allowed].max()) if sound is not None and allowed.any() else 0.0
        sound_share = sound[picked] / loudest if sound is not None and loudest > 0 else np.zeros(picked.size)
        features = np.column_stack([
            lex_share[picked],
            dense[picked],
            business_lex[self._business[picked]],
            np.where(business_phrase >= 0, phrase_cos[business_phrase], 0.0),
            price,
            unasked,
            wanted[self._category[picked]],
            phrase_cos[self._aspect[picked]],
            self._script[picked],
            self._faq[picked],
            sound_share,
        ]).astype(np.float32)
        return Candidates(picked, features, types)

    def scores(self, candidates: Candidates) -> np.ndarray:
        """The second-stage score of each candidate."""
        return candidates.features @ self._weights
