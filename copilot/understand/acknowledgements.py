"""Acknowledgements: caller turns that ask for nothing new ("好的谢谢", "嗯嗯，行吧"), from a data file.

Such a turn keeps what the call is about, so the copilot neither reads the intent again nor searches the
knowledge again (`copilot.understand.calls.read_call`, the graph's retrieval): on the turn bench's calls one
caller line in six is one.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "acknowledgements.yaml"
_SEPARATORS = re.compile(r"[\s,.!?~，。！？、；;：:…～\-—'\"“”‘’()（）]+")


class AcknowledgementsError(ValueError):
    """The acknowledgements file is unreadable or invalid; the message names the file and the entry."""


class Acknowledgements(BaseModel):
    """Words that acknowledge, agree or thank; a turn made only of them asks for nothing new."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(default=1, ge=1, description="Version")
    words: tuple[str, ...] = Field(default=(), description="Acknowledging words, without punctuation")

    @field_validator("words")
    @classmethod
    def _plain_words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        bad = [w for w in words if not w.strip() or _SEPARATORS.search(w)]
        if bad:
            raise ValueError(f"词不能为空或含标点、空格: {bad}")
        return words

    def covers(self, text: str) -> bool:
        """Whether `text` is made only of these words (at least one), punctuation and spaces aside."""
        rest = _SEPARATORS.sub("", text)
        return bool(rest) and self._pattern is not None and self._pattern.fullmatch(rest) is not None

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        """One or more of the words, the longest tried first."""
        if not self.words:
            return None
        words = sorted(set(self.words), key=len, reverse=True)
        return re.compile("(?:" + "|".join(map(re.escape, words)) + ")+")


def load_acknowledgements(path: Path | None = None) -> Acknowledgements:
    """Load the acknowledgements file.

    Raises:
        AcknowledgementsError: The file is missing, not YAML, or an entry is invalid (named).
    """
    path = path or DEFAULT_PATH
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Acknowledgements.model_validate(raw)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise AcknowledgementsError(f"{path}: 无法读取: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise AcknowledgementsError(f"{path}: {problems}") from None
