"""Every prompt the copilot sends to a language model, loaded from ``copilot/data/prompts.yaml`` and validated.

Prompts are data: a knowledge manager edits their wording in the YAML file, and `load_prompts` checks it
against the schema below (every prompt present, placeholders written ``$name`` and limited to those the code
fills in, the required ones kept) before the LLM mode uses it. Nothing is read at import time.
"""

from __future__ import annotations

from pathlib import Path
from string import Template
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "prompts.yaml"

# prompt name -> (placeholders it may use, placeholders it must use)
PLACEHOLDERS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "understand": (frozenset({"today", "intents", "risks", "transcript"}), frozenset({"intents", "transcript"})),
    "draft_reply": (frozenset({"today", "max_chars", "grounds"}), frozenset({"grounds"})),
    "answer": (frozenset({"today", "max_chars", "grounds", "question"}), frozenset({"grounds", "question"})),
}


class PromptError(ValueError):
    """The prompts file cannot be read or does not match the schema."""


class Prompt(BaseModel):
    """One system prompt and its user message, with ``$name`` placeholders."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    system: str = Field(min_length=10, description="System prompt")
    user: str = Field(min_length=1, description="User message template")
    max_chars: int | None = Field(default=None, ge=20, le=2000, description="Longest answer accepted, in characters")

    def placeholders(self) -> set[str]:
        """The placeholder names the system prompt and the user message use."""
        return {*Template(self.system).get_identifiers(), *Template(self.user).get_identifiers()}

    def render(self, **values: Any) -> tuple[str, str]:
        """Fill in the placeholders.

        Args:
            **values: One value per placeholder (``max_chars`` is filled in from the prompt itself).

        Returns:
            The system prompt and the user message.

        Raises:
            KeyError: A placeholder has no value.
        """
        values = {"max_chars": self.max_chars, **values}
        return Template(self.system).substitute(values), Template(self.user).substitute(values)


class GroundHeadings(BaseModel):
    """Headings of the blocks of grounds a draft or an answer receives."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    intent: str = Field(min_length=1)
    transcript: str = Field(min_length=1)
    findings: str = Field(min_length=1)
    facts: str = Field(min_length=1)
    knowledge: str = Field(min_length=1)
    scripts: str = Field(min_length=1)
    actions: str = Field(min_length=1)
    reply: str = Field(min_length=1)
    empty: str = Field(min_length=1, description="Shown when a block has nothing")


class ToolTexts(BaseModel):
    """What the read tools tell the model, besides their results."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    caller_filled: str = Field(min_length=1, description="Added to a tool whose caller number the system fills in")
    account_param: str = Field(min_length=1, description="Describes the optional broadband account parameter")
    not_callers_account: str = Field(min_length=1, description="The account asked for is not the caller's")
    no_broadband: str = Field(min_length=1, description="The caller has no broadband account")
    failed: str = Field(min_length=1, description="Prefix of a failed query")
    no_facts: str = Field(min_length=1, description="A query that succeeded with nothing to cite")


class PromptBook(BaseModel):
    """All prompts of the LLM mode."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1, description="Bumped on incompatible change")
    understand: Prompt = Field(description="Transcript -> intents, slots, emotion, risks (JSON)")
    draft_reply: Prompt = Field(description="Grounds -> the reply to read aloud")
    answer: Prompt = Field(description="The agent's question and the grounds -> an answer")
    grounds: GroundHeadings
    tools: ToolTexts

    @model_validator(mode="after")
    def _placeholders(self) -> PromptBook:
        for name, (allowed, required) in PLACEHOLDERS.items():
            prompt: Prompt = getattr(self, name)
            for part in (prompt.system, prompt.user):
                if not Template(part).is_valid():
                    raise ValueError(f"{name}: 占位符写法有误（用 $名称，字面的 $ 写成 $$）")
            used = prompt.placeholders()
            if used - allowed:
                raise ValueError(f"{name}: 不认识的占位符 {', '.join(sorted(used - allowed))}"
                                 f"（可用: {', '.join(sorted(allowed))}）")
            if required - used:
                raise ValueError(f"{name}: 缺少必需的占位符 {', '.join(sorted(required - used))}")
            if "max_chars" in used and prompt.max_chars is None:
                raise ValueError(f"{name}: 用了 $max_chars 却没有设置 max_chars")
        return self


def load_prompts(path: Path | None = None) -> PromptBook:
    """Load and validate the prompts.

    Args:
        path: The YAML file; the packaged ``copilot/data/prompts.yaml`` when None.

    Returns:
        The prompts.

    Raises:
        PromptError: Naming the file and what is wrong in it.
    """
    path = path or DEFAULT_PATH
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PromptError(f"{path}: 无法读取提示词文件: {exc}") from None
    try:
        return PromptBook.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(根)'}: {e['msg']}" for e in exc.errors())
        raise PromptError(f"{path}: 提示词文件不符合格式: {problems}") from None
