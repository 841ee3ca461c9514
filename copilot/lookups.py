"""System query points: the agent's questions about the caller's line ("几星级？", "宽带多少兆？"), from a data file.

Each lookup is a one-rule playbook: the reads it needs and the answers it may give, in the playbooks' expression
language, run by the same engine, so that an answer states only what the systems returned and cites it. The file
(`copilot/data/lookups.yaml`) is a knowledge manager's to edit.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from copilot.datafile import checked_pattern, load_data_file
from copilot.playbooks.schema import Playbook, ReadStep, Rule

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "lookups.yaml"


class LookupsError(ValueError):
    """The lookups file is unreadable or invalid; the message names the file and the entry."""


class Answer(BaseModel):
    """One answer of a lookup, said when its condition holds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    when: str = Field(default="True", description="Condition over the reads")
    text: str = Field(min_length=2, description="The answer, a template over the reads")
    evidence: list[str] = Field(min_length=1, description="The facts it rests on ('account:星级|品牌')")


class Lookup(BaseModel):
    """One system query point: which questions it answers, what it reads, and what it says."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Lookup id")
    label: str = Field(min_length=2, description="What it looks up, in Chinese (客户星级), named when a system fails")
    cues: str = Field(min_length=1, description="Regular expression over the agent's question")
    unless: str | None = Field(default=None, description="A question that also matches this is not this lookup's "
                                                         "(欠费停机以后多久能恢复 asks the knowledge, not the balance)")
    reads: list[ReadStep] = Field(min_length=1, description="Read tools, as in a playbook")
    let: dict[str, str] = Field(default_factory=dict, description="Derived values, as in a playbook")
    answers: list[Answer] = Field(min_length=1, description="Answers, the first that holds is said")
    _playbook: Playbook | None = PrivateAttr(default=None)
    _cues: re.Pattern[str] | None = PrivateAttr(default=None)
    _unless: re.Pattern[str] | None = PrivateAttr(default=None)

    @field_validator("cues")
    @classmethod
    def _compiles(cls, cues: str) -> str:
        return checked_pattern(cues, "cues")

    @field_validator("unless")
    @classmethod
    def _unless_compiles(cls, unless: str | None) -> str | None:
        return None if unless is None else checked_pattern(unless, "unless")

    @model_validator(mode="after")
    def _as_playbook(self) -> Lookup:
        try:
            self._playbook = Playbook(
                intent="other", title=self.id, reads=self.reads, let=self.let, fallback_reply="（无）",
                rules=[Rule(id=f"answer_{n}", when=a.when, finding=a.text, severity="green", evidence=a.evidence,
                            stop=True) for n, a in enumerate(self.answers)])
        except ValidationError as exc:
            raise ValueError("; ".join(str(e["msg"]) for e in exc.errors())) from None
        self._cues = re.compile(self.cues)
        self._unless = re.compile(self.unless) if self.unless else None
        return self

    @property
    def playbook(self) -> Playbook:
        """The lookup as the engine runs it: its answers are rules that stop at the first that holds."""
        assert self._playbook is not None
        return self._playbook

    def asked(self, question: str) -> bool:
        """Whether `question` asks this."""
        assert self._cues is not None
        return self._cues.search(question) is not None and not (self._unless and self._unless.search(question))


class Lookups(BaseModel):
    """The system query points."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(default=1, ge=1, description="Version")
    lookups: list[Lookup] = Field(default_factory=list, description="Lookups, in the order they are tried")

    @field_validator("lookups")
    @classmethod
    def _unique(cls, lookups: list[Lookup]) -> list[Lookup]:
        ids = [lookup.id for lookup in lookups]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"查询点 id 重复: {twice}")
        return lookups

    def asked(self, question: str) -> list[Lookup]:
        """The lookups `question` asks, in file order."""
        return [lookup for lookup in self.lookups if lookup.asked(question)]


def load_lookups(read_tools: set[str], path: Path | None = None) -> Lookups:
    """The lookups file (`copilot/data/lookups.yaml` by default), checked against the read tools there are.

    Raises:
        LookupsError: Naming the file and each entry that is wrong (cues that do not compile, an expression that
            does not parse, evidence that names no read, a tool that is not a read tool).
    """
    path = path or DEFAULT_PATH
    lookups = load_data_file(path, Lookups, LookupsError)
    unknown = [f"lookups.{lookup.id}.reads.{step.id}: 未知的只读工具 {step.tool}"
               for lookup in lookups.lookups for step in lookup.reads if step.tool not in read_tools]
    if unknown:
        raise LookupsError(f"{path}: {'; '.join(unknown)}")
    return lookups
