"""The model's reading of the masked transcript: intents from the vocabulary, slots, emotion, risks, as JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field, ValidationError, field_validator

from copilot.llm.client import ModelClient
from copilot.llm.results import IntentScore, LlmFailure, Understanding
from copilot.pii import mask
from copilot.prompts import Prompt

_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL)


class _Said(BaseModel):
    """The JSON the model must return (before the vocabularies are applied)."""

    intents: list[IntentScore] = Field(default_factory=list)
    slots: dict[str, Any] = Field(default_factory=dict)
    emotion: Literal["calm", "anxious", "angry"]
    risks: list[str] = Field(default_factory=list)

    @field_validator("slots")
    @classmethod
    def _flat(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key, item in value.items():
            if item is not None and not isinstance(item, str | int | float):
                raise ValueError(f"slot {key} is not a plain value")
        return value


def json_object(text: str) -> dict[str, Any] | None:
    """The JSON object in a model's answer (code fences and a leading ``<think>`` block allowed), if any."""
    text = _FENCE.sub("", _THINK.sub("", text).strip()).strip()
    if not text.startswith(("{", "[")):  # prose around the object
        start, end = text.find("{"), text.rfind("}")
        if start < 0 or end <= start:
            return None
        text = text[start:end + 1]
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def understand(client: ModelClient, prompt: Prompt, transcript: Sequence[str], intents: Mapping[str, str],
               risks: Sequence[str], *, today: str, deadline: float) -> Understanding | LlmFailure:
    """Ask the model what the caller wants.

    Args:
        client: The model.
        prompt: The understand prompt.
        transcript: The caller's latest utterances (masked before they are sent).
        intents: The intent vocabulary, id -> Chinese label.
        risks: The risk ids.
        today: Today's date, for the prompt.
        deadline: Monotonic time by which the answer must be in.

    Returns:
        Intents (vocabulary ids only, best first; made-up ids listed in ``dropped``), slots (masked), emotion and
        risks; or the failure: the client's, ``invalid_json`` (not a JSON object) or ``invalid_output`` (does not
        match the schema).
    """
    system, user = prompt.render(
        today=today,
        intents="\n".join(f"- {i}：{label}" for i, label in intents.items()),
        risks="\n".join(f"- {r}" for r in risks),
        transcript="\n".join(f"- {mask(t)}" for t in transcript),
    )
    answer = client.complete([SystemMessage(system), HumanMessage(user)], deadline=deadline)
    if isinstance(answer, LlmFailure):
        return answer
    raw = json_object(answer)
    if raw is None:
        return LlmFailure(kind="invalid_json", reason="invalid JSON: the answer is not a JSON object")
    try:
        said = _Said.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(root)"
        return LlmFailure(kind="invalid_output", reason=f"answer does not match the schema: {where}: {first['msg']}")
    best: dict[str, float] = {}
    dropped = []
    for score in said.intents:
        if score.intent in intents:
            best[score.intent] = max(best.get(score.intent, 0.0), score.confidence)
        else:
            dropped.append(score.intent)
    known_risks = [r for r in dict.fromkeys(said.risks) if r in risks]
    dropped += [r for r in said.risks if r not in risks]
    return Understanding(
        intents=[IntentScore(intent=i, confidence=c) for i, c in sorted(best.items(), key=lambda kv: -kv[1])],
        slots={k: mask(str(v)) for k, v in said.slots.items() if v is not None},
        emotion=said.emotion,
        risks=known_risks,
        dropped=[mask(d) for d in dropped],
    )
