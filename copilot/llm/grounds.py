"""The grounds a draft or an answer rests on, rendered for the model with citation tags, masked.

Every ground the model sees carries a short tag (``R1`` finding, ``F1`` fact, ``K1`` knowledge, ``S1`` script,
``T1`` a fact a read tool returned during the answer). The model cites tags in brackets; `SourceBook.resolve`
turns them back into `Source`s and strips them from the text read aloud.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from copilot.aftercare import changed_a_system
from copilot.llm.results import Source
from copilot.pii import mask
from copilot.prompts import GroundHeadings

TRANSCRIPT_UTTERANCES = 3
_CITATION = re.compile(r"\s*[\[【]\s*([A-Za-z][\w\-]*(?:\s*[,，、;；]\s*[A-Za-z][\w\-]*)*)\s*[\]】]")
_SEPARATORS = re.compile(r"\s*[,，、;；]\s*")


class GroundFinding(BaseModel):
    """A finding the playbook established."""

    rule: str = Field(default="", description="Rule id")
    text: str = Field(description="The finding, with its figures")


class GroundSnippet(BaseModel):
    """A knowledge point or an emergency script."""

    id: str = Field(description="Knowledge point or script id")
    title: str = Field(description="Title")
    text: str = Field(default="", description="Body or wording, when known")


class Grounds(BaseModel):
    """What the deterministic pipeline already produced for the call (masked before the model sees it)."""

    intent: str | None = Field(default=None, description="Current intent (id or label)")
    transcript: list[str] = Field(default_factory=list, description="The caller's latest utterances")
    findings: list[GroundFinding] = Field(default_factory=list)
    facts: list[str] = Field(default_factory=list, description="System facts, e.g. 账户状态 = 正常 (BOSS)")
    knowledge: list[GroundSnippet] = Field(default_factory=list)
    scripts: list[GroundSnippet] = Field(default_factory=list, description="Emergency scripts (应急口径)")
    actions: list[str] = Field(default_factory=list, description="Labels of the suggested actions")
    reply: str | None = Field(default=None, description="The deterministic suggested reply")

    @classmethod
    def from_state(cls, state: Mapping[str, Any] | object, *, utterances: int = TRANSCRIPT_UTTERANCES) -> Grounds:
        """Collect the grounds from the graph's call state (a mapping or the `CallState` itself).

        Args:
            state: Holds ``transcript``, ``intents``, ``diagnosis``, ``knowledge``, ``scripts``, ``actions``,
                ``results`` and ``reply`` as `copilot.state.CallState` does; missing keys are empty.
            utterances: How many of the caller's latest utterances to include.

        Returns:
            The grounds (not yet masked: rendering masks them).
        """

        def get(key: str) -> Any:
            return state.get(key) if isinstance(state, Mapping) else getattr(state, key, None)

        said = [u.get("text", "") for u in get("transcript") or [] if u.get("speaker") == "caller"]
        intents = get("intents") or []
        diagnosis = get("diagnosis") or {}
        # what a write done on the call reported ("办理结果 = … (BOSS)"): the systems read since answer as it left them
        facts: list[str] = [r["message"] for r in (get("results") or {}).values()
                            if changed_a_system(r) and r.get("message")]
        for read in diagnosis.get("reads", []):
            if read.get("ok"):
                facts += [f for f in read.get("facts", []) if f not in facts]
        facts += [f for f in diagnosis.get("figures", []) if f not in facts]  # worked out, with the arithmetic
        return cls(
            intent=intents[0][0] if intents else diagnosis.get("intent"),
            transcript=said[-utterances:] if utterances else [],
            findings=[GroundFinding(rule=f.get("rule", ""), text=f.get("text", ""))
                      for f in diagnosis.get("findings", [])],
            facts=facts,
            knowledge=[GroundSnippet(id=k["id"], title=k.get("title", ""),
                                     text=k.get("text") or k.get("snippet") or "") for k in get("knowledge") or []],
            scripts=[GroundSnippet(id=s["id"], title=s.get("title", ""), text=s.get("wording") or s.get("text") or "")
                     for s in get("scripts") or []],
            actions=[a.get("label") or a.get("action", "") for a in get("actions") or []],
            reply=get("reply"),
        )


class SourceBook:
    """The tags of one draft or answer: hands them out, and finds the grounds behind the ones the model cites."""

    def __init__(self) -> None:
        self._by_tag: dict[str, Source] = {}
        self._aliases: dict[str, str] = {}
        self._counts: dict[str, int] = {}

    def add(self, prefix: str, kind: str, ref: str, label: str) -> str:
        """Register a ground and return its tag.

        Args:
            prefix: Tag letter: R, F, K, S or T.
            kind: The `Source.kind`.
            ref: Rule id, knowledge or script id, fact reference or tool name.
            label: The ground as the model sees it (masked).

        Returns:
            The tag, e.g. ``F3``.
        """
        self._counts[prefix] = self._counts.get(prefix, 0) + 1
        tag = f"{prefix}{self._counts[prefix]}"
        self._by_tag[tag] = Source.model_validate({"tag": tag, "kind": kind, "ref": ref, "label": label})
        if kind in ("knowledge", "script"):
            self._aliases.setdefault(ref.upper(), tag)  # the model may cite KP-QQT-00128 itself
        return tag

    def get(self, tag: str) -> Source | None:
        """The ground under a tag (or a knowledge or script id), if any."""
        key = tag.strip().upper()
        return self._by_tag.get(self._aliases.get(key, key))

    def resolve(self, text: str) -> tuple[str, list[Source], list[str]]:
        """Read the citations in an answer.

        Args:
            text: The answer as the model wrote it.

        Returns:
            The text with the citation brackets removed, the sources cited (first citation first, once each), and
            the cited tags that name no ground.
        """
        sources: list[Source] = []
        unknown: list[str] = []
        for match in _CITATION.finditer(text):
            for tag in _SEPARATORS.split(match.group(1)):
                source = self.get(tag)
                if source is None:
                    unknown.append(tag)
                elif source not in sources:
                    sources.append(source)
        clean = _CITATION.sub("", text)
        return re.sub(r"[ \t]+", " ", clean).strip(), sources, unknown


def render_grounds(grounds: Grounds, headings: GroundHeadings, book: SourceBook) -> str:
    """The grounds as the model reads them: tagged, under their headings, every line masked.

    Args:
        grounds: The call's grounds.
        headings: Section headings from the prompts file.
        book: Receives a tag per finding, fact, knowledge point and script.

    Returns:
        The masked text.
    """
    def section(title: str, lines: list[str]) -> str:
        return f"【{title}】\n" + ("\n".join(lines) if lines else headings.empty)

    def tagged(prefix: str, kind: str, ref: str, text: str) -> str:
        label = mask(text)
        return f"[{book.add(prefix, kind, mask(ref), label)}] {label}"

    def snippet(s: GroundSnippet) -> str:
        return f"{s.id} {s.title}" + (f"：{s.text}" if s.text else "")

    parts = [
        section(headings.intent, [mask(grounds.intent)] if grounds.intent else []),
        section(headings.transcript, [f"- {mask(t)}" for t in grounds.transcript]),
        section(headings.findings, [tagged("R", "finding", f.rule or f.text[:20], f.text) for f in grounds.findings]),
        section(headings.facts, [tagged("F", "fact", f, f) for f in grounds.facts]),
        section(headings.knowledge, [tagged("K", "knowledge", k.id, snippet(k)) for k in grounds.knowledge]),
        section(headings.scripts, [tagged("S", "script", s.id, snippet(s)) for s in grounds.scripts]),
        section(headings.actions, [f"- {mask(a)}" for a in grounds.actions]),
        section(headings.reply, [mask(grounds.reply)] if grounds.reply else []),
    ]
    return "\n\n".join(parts)
