"""Lexical search: BM25 (bm25s) over jieba tokens, with a telecom lexicon and synonym groups."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from knowledge.numbers import normalize_numbers

DEFAULT_LEXICON = Path(__file__).resolve().parent / "data" / "lexicon.yaml"
_KEEP = re.compile(r"[\w\u4e00-\u9fff]")
_CHINESE = re.compile(r"[\u4e00-\u9fff]+")


class LexiconError(ValueError):
    """The lexicon file is unreadable or invalid."""


class Lexicon(BaseModel):
    """User words, synonym groups, ASR confusions and stopwords."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1, description="Version")
    terms: list[str] = Field(default_factory=list, description="Words jieba keeps whole")
    synonyms: list[list[str]] = Field(default_factory=list, description="Groups of one meaning; first is canonical")
    asr_confusions: dict[str, str] = Field(default_factory=dict, description="Misrecognised word -> intended word")
    dialect: dict[str, str] = Field(default_factory=dict, description="Dialect word -> Mandarin word")
    stopwords: list[str] = Field(default_factory=list, description="Ignored tokens")
    question_types: dict[str, list[str]] = Field(
        default_factory=dict, description="Knowledge category -> words in a question that ask for it")
    places: dict[str, list[str]] = Field(
        default_factory=dict, description="Roaming destination as the knowledge writes it -> the names callers use")

    def search_groups(self) -> list[list[str]]:
        """The synonym groups, and one per place: its callers' names searched as the word its documents hold.

        That word is the name jieba finds inside the destination's own (台湾 in 中国台湾), else the destination:
        ``中国台湾: [台湾, 台北]`` searches 台北 as 台湾, ``泰国: [曼谷]`` searches 曼谷 as 泰国.
        """
        groups = [list(group) for group in self.synonyms]
        for place, names in self.places.items():
            inner = next((n for n in names if n in place), None)
            head = inner or place
            members = [head, *(n for n in names if n != head)]
            if len(members) > 1:
                groups.append(members)
        return groups

    def place_names(self) -> dict[str, str]:
        """Every name of a place (the destination's own too) -> the destination."""
        return {name: place for place, names in self.places.items() for name in (place, *names)}

    @field_validator("question_types")
    @classmethod
    def _cues_not_empty(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for category, cues in value.items():
            if not category.strip() or not cues or any(not c.strip() for c in cues):
                raise ValueError(f"问题类型 {category!r} 需要至少一个非空提示词")
        return value


CUTTING_CODE = (Path(__file__), Path(__file__).with_name("numbers.py"))
"""The code that turns text into search words with a lexicon (this module, and spoken numbers to digits)."""


def lexicon_signature(lexicon: Lexicon) -> str:
    """Identifies how text is cut into words: the lexicon's content and the code that applies it.

    An index or a model built on the words is stale once either changes (an edited lexicon, or a release that
    reads 一百五一个月 differently).
    """
    digest = hashlib.sha256(lexicon.model_dump_json().encode())
    for path in CUTTING_CODE:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_lexicon(path: Path | None = None) -> Lexicon:
    """Load and validate the lexicon.

    Raises:
        LexiconError: Naming the file and what is wrong.
    """
    path = path or DEFAULT_LEXICON
    try:
        return Lexicon.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise LexiconError(f"{path}: 无法读取词典: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise LexiconError(f"{path}: 词典不合法: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None


class Tokenizer:
    """jieba with the lexicon's words; maps synonyms to their group's canonical word and fixes ASR confusions."""

    def __init__(self, lexicon: Lexicon) -> None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        self.signature = lexicon_signature(lexicon)
        """Identifies the lexicon: what is trained on these tokens is trained again when it changes."""
        words = {*lexicon.terms, *lexicon.asr_confusions, *lexicon.asr_confusions.values()}
        groups = lexicon.search_groups()
        for group in groups:
            words.update(group)
        for word in sorted(words):
            self._jieba.add_word(word, freq=200000)
        self._canonical = {w.lower(): group[0] for group in groups for w in group}
        self.places = lexicon.place_names()
        """A place's every name -> the roaming destination (泰国, 中国香港) the knowledge writes."""
        self._asr = dict(lexicon.asr_confusions)
        self._dialect = dict(lexicon.dialect)
        self._dialect_words = re.compile("|".join(map(re.escape, sorted(self._dialect, key=len, reverse=True))))
        self._stop = set(lexicon.stopwords)
        # cue words as `normalize` writes a question ("一个月多少" -> "1个月多少"), so they match it
        self.question_types = {category: [self.normalize(cue) for cue in cues]
                               for category, cues in lexicon.question_types.items()}

    def normalize(self, text: str) -> str:
        """The text with ASR confusions fixed, dialect words in Mandarin and spoken numbers as digits.

        This is what `tokens` segments, and what question-type cues are matched in.
        """
        for wrong, right in self._asr.items():
            if wrong in text:
                text = text.replace(wrong, right)
        if self._dialect:
            text = self._dialect_words.sub(lambda m: self._dialect[m.group(0)], text)
        return normalize_numbers(text)

    def tokens(self, text: str, *, normalized: bool = False) -> list[str]:
        """Search tokens of a text: words, plus each synonym's canonical word.

        Args:
            text: The text.
            normalized: The text is already what `normalize` writes (it is not normalized twice).
        """
        if not normalized:
            text = self.normalize(text)
        out: list[str] = []
        for raw in self._jieba.cut_for_search(text):
            token = raw.strip().lower()
            if not token or token in self._stop or not _KEEP.search(token):
                continue
            out.append(token)
            canonical = self._canonical.get(token)
            if canonical is not None and canonical != token:
                out.append(canonical.lower())
        return out

    def pieces(self, normalized: str) -> list[tuple[str, bool]]:
        """The words jieba cuts a normalized text into, each with whether it is unsure.

        Unsure is Chinese that is not a stopword and is either a lone character or a word jieba's dictionary
        lacks: where speech recognition's wrong characters of the right sound hide (淘餐, 听 机).
        """
        known = self._jieba.FREQ
        return [(word, bool(_CHINESE.fullmatch(word)) and word not in self._stop
                 and (len(word) == 1 or not known.get(word)))
                for word in self._jieba.cut(normalized, HMM=True)]


class LexicalIndex:
    """A BM25 index over documents in a fixed order (row i = document i)."""

    def __init__(self, tokenizer: Tokenizer, model: Any = None) -> None:
        self.tokenizer = tokenizer
        self._model = model

    @classmethod
    def build(cls, tokenizer: Tokenizer, texts: list[str]) -> LexicalIndex:
        """Index `texts` (row order is kept)."""
        return cls.from_tokens(tokenizer, [tokenizer.tokens(t) for t in texts])

    @classmethod
    def from_tokens(cls, tokenizer: Tokenizer, corpus: list[list[str]]) -> LexicalIndex:
        """Index documents already tokenized by `tokenizer` (row order is kept)."""
        import bm25s

        model = bm25s.BM25()
        model.index([tokens or ["<empty>"] for tokens in corpus], show_progress=False)
        return cls(tokenizer, model)

    def save(self, directory: Path) -> None:
        """Write the index files into `directory`."""
        directory.mkdir(parents=True, exist_ok=True)
        self._model.save(str(directory))

    @classmethod
    def load(cls, tokenizer: Tokenizer, directory: Path) -> LexicalIndex:
        """Read an index written by `save`."""
        import bm25s

        return cls(tokenizer, bm25s.BM25.load(str(directory), mmap=False))

    def document_frequency(self, token: str) -> int:
        """How many documents hold one token (0 for a word the index has never seen)."""
        index = self._model.vocab_dict.get(token)
        indptr = self._model.scores["indptr"]
        return 0 if index is None or index + 1 >= len(indptr) else int(indptr[index + 1] - indptr[index])

    def document_frequencies(self) -> dict[str, int]:
        """How many documents hold each indexed token."""
        counts = np.diff(self._model.scores["indptr"])
        return {token: int(counts[i]) for token, i in self._model.vocab_dict.items() if i < counts.size}

    def scores(self, query: str | list[str], mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every row for `query` (text, or its tokens); rows outside `mask` score 0."""
        words = self.tokenizer.tokens(query) if isinstance(query, str) else query
        tokens = [t for t in words if t in self._model.vocab_dict]
        n = self._model.scores["num_docs"]
        if not tokens:
            return np.zeros(n, dtype=np.float32)
        weights = None if mask is None else mask.astype(np.float32)
        return np.asarray(self._model.get_scores(tokens, weight_mask=weights), dtype=np.float32)
