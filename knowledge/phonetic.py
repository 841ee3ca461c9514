"""Sound-alike matching for speech-recognised questions: BM25 over the pinyin of each document's title.

Speech recognition writes what it heard with the wrong characters of the same sound (宽待 for 宽带, 听机 for
停机, 验正码 for 验证码, 神舟行 for 神州行). The lexicon fixes the common ones by name; this index catches the
rest: titles and questions are both written as toneless pinyin syllables (and syllable pairs), so 宽待王速 meets
宽带网速 whatever characters were heard. It is one more first-stage source and one more feature of the second
stage (``sound``, `knowledge.rerank`); it is built from the titles when a version is opened (well under a
second for 14,000 titles), so nothing is stored.

`Respeller` goes one step further for the question itself: a run of pieces jieba does not know (淘餐, 听 机,
口钱) is rewritten into the corpus word with the same toneless pinyin (套餐, 停机, 扣钱) before either search
runs, so BM25, the encoder and the question-type cues all see the word the caller said.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import pairwise

import numpy as np

_RUN = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+")
_REGION_SUFFIX = re.compile(r"（[^（）]*）$")
_WORD = re.compile(r"[\u4e00-\u9fff]+")
RESPELL_MIN_DOCUMENTS = 5  # rarer words are too likely to be a coincidence of sound


@lru_cache(maxsize=32768)
def _syllable(char: str) -> str:
    """The character's first (most common) reading, without tone; the character itself when it has none."""
    from pypinyin.pinyin_dict import pinyin_dict

    readings = pinyin_dict.get(ord(char))
    if not readings:
        return char
    first = unicodedata.normalize("NFD", readings.split(",")[0])
    return "".join(c for c in first if not unicodedata.combining(c))


def sound_key(word: str) -> tuple[str, ...]:
    """A word's toneless pinyin, one syllable per character."""
    return tuple(_syllable(c) for c in word)


def sound_tokens(text: str) -> list[str]:
    """Pinyin syllables and adjacent syllable pairs of the Chinese in `text`; letters and digits as they are.

    "宽带网速慢" -> kuan, dai, wang, su, man, kuan_dai, dai_wang, wang_su, su_man.
    """
    out: list[str] = []
    for m in _RUN.finditer(text.lower()):
        run = m.group(0)
        if run[0] < "\u4e00":
            out.append(run)
            continue
        syllables = sound_key(run)
        out += syllables
        out += [f"{a}_{b}" for a, b in pairwise(syllables)]
    return out


def title_text(title: str) -> str:
    """What a title asks, without the region a variant adds (（江西）)."""
    return _REGION_SUFFIX.sub("", title)


class Respeller:
    """Rewrites what speech recognition misspelled into corpus words of the same sound.

    Only words of 2-5 Chinese characters that at least `min_documents` documents hold are targets; where two
    share a sound, the more common one wins. Only runs of unsure pieces (`Tokenizer.pieces`) are rewritten,
    longest match first, so a word the dictionary knows is never changed.
    """

    def __init__(self, document_frequencies: dict[str, int], min_documents: int = RESPELL_MIN_DOCUMENTS) -> None:
        best: dict[tuple[str, ...], tuple[int, str]] = {}
        for word, count in document_frequencies.items():
            if count < min_documents or not 2 <= len(word) <= 5 or not _WORD.fullmatch(word):
                continue
            key = sound_key(word)
            if key not in best or (count, word) > best[key]:
                best[key] = (count, word)
        self._words = {key: word for key, (_, word) in best.items()}

    def respell(self, pieces: list[tuple[str, bool]]) -> tuple[str, dict[str, str]]:
        """The text of `pieces` with misheard runs rewritten, and what was rewritten (heard -> word).

        Args:
            pieces: (word, unsure) pairs in order, as `Tokenizer.pieces` gives them.

        Returns:
            The rewritten text and a map from each rewritten span to its corpus word.
        """
        out: list[str] = []
        changes: dict[str, str] = {}
        i = 0
        while i < len(pieces):
            if not pieces[i][1]:
                out.append(pieces[i][0])
                i += 1
                continue
            end = i
            while end < len(pieces) and pieces[end][1]:
                end += 1
            while i < end:  # within the unsure run, the longest piece-aligned window that sounds like a word
                stop, word = self._match([p for p, _ in pieces[i:end]])
                heard = "".join(p for p, _ in pieces[i:i + stop])
                out.append(word or heard)
                if word:
                    changes[heard] = word
                i += stop
        return "".join(out), changes

    def _match(self, run: list[str]) -> tuple[int, str | None]:
        for stop in range(len(run), 0, -1):
            heard = "".join(run[:stop])
            if 2 <= len(heard) <= 5:
                word = self._words.get(sound_key(heard))
                if word and word != heard:
                    return stop, word
        return 1, None


class PhoneticIndex:
    """BM25 over the sound tokens of texts in a fixed order (row i = text i)."""

    def __init__(self, texts: list[str]) -> None:
        import bm25s

        self._model = bm25s.BM25()
        self._model.index([sound_tokens(t) or ["<empty>"] for t in texts], show_progress=False)
        self._rows = len(texts)

    def scores(self, text: str, mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every row for the sound of `text`; rows outside `mask` score 0."""
        tokens = [t for t in sound_tokens(text) if t in self._model.vocab_dict]
        if not tokens:
            return np.zeros(self._rows, dtype=np.float32)
        weights = None if mask is None else mask.astype(np.float32)
        return np.asarray(self._model.get_scores(tokens, weight_mask=weights), dtype=np.float32)
