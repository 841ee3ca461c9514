"""What callers say of their own situation ("一直上不去", "光猫有个灯红了", "我从来没订过"), from a data file.

Each statement is a slot a playbook reads (``slots.symptoms``, ``slots.lights``, ``slots.ordered`` ...), so that it
does not ask the caller what the caller has already said. The words are data (`copilot/data/statements.yaml`) that
a knowledge manager can edit; this module validates them and finds them in an utterance.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from copilot.datafile import checked_pattern, load_data_file

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "statements.yaml"
_NAME = re.compile(r"^[a-z][a-z_]*$")
BUILT_IN = frozenset({"amounts_yuan", "data_mb", "dates", "months", "addresses", "numbers", "destinations", "risks",
                      "emotion", "written"})
"""Slot names the copilot fills itself (`copilot.understand.slots`, the graph): no statement may take one."""


class StatementsError(ValueError):
    """The statements file is unreadable or invalid; the message names the file and the entry."""


class StatementValue(BaseModel):
    """One thing a caller may say of a slot, and the words that say it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1, description="What the sidebar shows for it (Chinese)")
    patterns: tuple[str, ...] = Field(min_length=1, description="Regular expressions over the masked utterance")

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(checked_pattern(p) for p in patterns)


class StatementSlot(BaseModel):
    """A slot: what its values are, and whether all said or only the last one count."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1, description="The slot's name in the sidebar (Chinese)")
    keep: Literal["all", "last"] = Field(description="all: every value said, in order; last: the last one said")
    values: dict[str, StatementValue] = Field(min_length=1, description="Value id -> its label and words")

    @field_validator("values")
    @classmethod
    def _value_ids(cls, values: dict[str, StatementValue]) -> dict[str, StatementValue]:
        bad = [v for v in values if not _NAME.match(v)]
        if bad:
            raise ValueError(f"取值编号须为小写字母和下划线: {bad}")
        return values


class Statements(BaseModel):
    """Slot name -> what callers say of it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(default=1, ge=1, description="Version")
    slots: dict[str, StatementSlot] = Field(default_factory=dict, description="Slot name -> its values")
    _compiled: dict[str, list[tuple[str, re.Pattern[str]]]] | None = PrivateAttr(default=None)

    @field_validator("slots")
    @classmethod
    def _slot_names(cls, slots: dict[str, StatementSlot]) -> dict[str, StatementSlot]:
        bad = [s for s in slots if not _NAME.match(s)]
        if bad:
            raise ValueError(f"槽位名须为小写字母和下划线: {bad}")
        taken = sorted(BUILT_IN & set(slots))
        if taken:
            raise ValueError(f"槽位名已由系统使用: {taken}")
        return slots

    @property
    def names(self) -> frozenset[str]:
        """The slots these statements fill."""
        return frozenset(self.slots)

    @property
    def latest_last(self) -> frozenset[str]:
        """The slots whose last-said value is what the caller means now."""
        return frozenset(name for name, slot in self.slots.items() if slot.keep == "last")

    def labels(self) -> dict[str, dict[str, object]]:
        """Slot name -> its Chinese label and its values' labels, for the sidebar."""
        return {name: {"label": slot.label, "values": {v: value.label for v, value in slot.values.items()}}
                for name, slot in self.slots.items()}

    def find(self, text: str) -> dict[str, list[str]]:
        """The statements in `text`: slot name -> values (only slots said).

        A match inside a longer match of another value of the slot does not count ("没有红灯" holds "红灯").
        """
        if self._compiled is None:
            self._compiled = {name: [(value_id, re.compile("|".join(f"(?:{p})" for p in value.patterns)))
                                     for value_id, value in slot.values.items()]
                              for name, slot in self.slots.items()}
        found: dict[str, list[str]] = {}
        for name, patterns in self._compiled.items():
            spans = [(m.start(), m.end(), value_id) for value_id, pattern in patterns
                     for m in pattern.finditer(text)]
            said = sorted((start, value_id) for start, end, value_id in spans if not any(
                other != value_id and s <= start and end <= e and (e - s) > (end - start)
                for s, e, other in spans))
            if not said:
                continue
            if self.slots[name].keep == "last":
                found[name] = [said[-1][1]]
            else:
                found[name] = list(dict.fromkeys(value_id for _, value_id in said))
        return found


def load_statements(path: Path | None = None) -> Statements:
    """The statements file (`copilot/data/statements.yaml` by default).

    Raises:
        StatementsError: Naming the file and each entry that is wrong (a pattern that does not compile or
            matches the empty string, an unknown key, a bad slot or value name).
    """
    return load_data_file(path or DEFAULT_PATH, Statements, StatementsError)
