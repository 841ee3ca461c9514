"""Acknowledgements: caller turns that ask for nothing new ("好的谢谢", "嗯嗯，行吧"), from a data file.

Such a turn keeps what the call is about, so the copilot neither reads the intent again nor searches the
knowledge again (`copilot.understand.calls.read_call`, the graph's retrieval). In the development calls 19 of
470 caller turns are one; in the turn bench's calls 12 of the 72 lines, about 4% of its turns once each call's
own openers and closers are added ("请问一下，好的，你看看" is not one).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from copilot.datafile import load_data_file

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "acknowledgements.yaml"
_SEPARATORS = re.compile(r"[\s,.!?~，。！？、；;：:…～\-—'\"“”‘’()（）]+")


class AcknowledgementsError(ValueError):
    """The acknowledgements file is unreadable or invalid; the message names the file and the entry."""


def plain(text: str) -> str:
    """Full-width letters folded (ＯＫ), case folded (Ok), punctuation and spaces dropped: how caller words match."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text).casefold())


def unpunctuated(words: tuple[str, ...]) -> list[str]:
    """The words of a data file's list that are empty or hold punctuation or spaces (which `plain` drops)."""
    return [w for w in words if not w.strip() or _SEPARATORS.search(w)]


class Acknowledgements(BaseModel):
    """Words that acknowledge, agree or thank; a turn made only of them asks for nothing new."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(default=1, ge=1, description="Version")
    words: tuple[str, ...] = Field(default=(), description="Acknowledging words, without punctuation")
    _compiled: tuple[tuple[str, ...], re.Pattern[str] | None] | None = PrivateAttr(default=None)

    @field_validator("words")
    @classmethod
    def _plain_words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        bad = unpunctuated(words)
        if bad:
            raise ValueError(f"词不能为空或含标点、空格: {bad}")
        folded = [plain(w) for w in words]
        twice = sorted({w for w, f in zip(words, folded, strict=True) if folded.count(f) > 1})
        if twice:
            raise ValueError(f"词重复（不计大小写与全角半角）: {twice}")
        return words

    def covers(self, text: str) -> bool:
        """Whether `text` is made only of these words (at least one), punctuation, spaces and case aside."""
        rest = plain(text)
        pattern = self._pattern()
        return bool(rest) and pattern is not None and pattern.fullmatch(rest) is not None

    def _pattern(self) -> re.Pattern[str] | None:
        """One or more of the words, the longest tried first; compiled once for the words held."""
        if self._compiled is None or self._compiled[0] is not self.words:  # a model_copy may hold other words
            words = sorted({plain(w) for w in self.words}, key=len, reverse=True)
            pattern = re.compile("(?:" + "|".join(map(re.escape, words)) + ")+") if words else None
            self._compiled = (self.words, pattern)
        return self._compiled[1]


def load_acknowledgements(path: Path | None = None) -> Acknowledgements:
    """Load the acknowledgements file.

    Raises:
        AcknowledgementsError: The file is missing, not YAML, or an entry is invalid (named).
    """
    return load_data_file(path or DEFAULT_PATH, Acknowledgements, AcknowledgementsError)
