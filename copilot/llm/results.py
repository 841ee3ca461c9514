"""What the LLM mode hands back: a validated result, or a typed failure that says why the model was not used."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FailureKind = Literal[
    "first_token_timeout",  # no token within the first-token budget
    "timeout",  # the whole answer took longer than its budget
    "http_error",  # the server answered with an HTTP error status
    "connection_error",  # the server could not be reached
    "model_error",  # the server's answer could not be read (broken stream, error event)
    "invalid_tool_call",  # bad JSON arguments, an unknown tool, a tool that is not a read tool, bad arguments
    "tool_rounds_exceeded",  # still calling tools after the allowed rounds
    "invalid_json",  # understand: the answer is not a JSON object
    "invalid_output",  # the answer does not match what was asked (schema, empty, too long)
    "ungrounded",  # the answer cites a source or states a number that is not in the grounds
    "internal_error",  # a bug on our side; the deterministic path stands
]


class LlmFailure(BaseModel):
    """Why the model's answer is not used; the deterministic suggestion stands."""

    model_config = ConfigDict(frozen=True)

    kind: FailureKind = Field(description="What went wrong")
    reason: str = Field(description="One line, e.g. 'no first token within 2.0 s', 'HTTP 500'")

    @property
    def notice(self) -> str:
        """The line the card shows, in Chinese."""
        return f"大模型建议未采用（{self.reason}），显示规则建议"


class IntentScore(BaseModel):
    """An intent from the vocabulary and the model's confidence in it."""

    model_config = ConfigDict(frozen=True)

    intent: str = Field(description="Intent id from the vocabulary")
    confidence: float = Field(ge=0.0, le=1.0, description="0..1")


class Understanding(BaseModel):
    """The model's reading of the (masked) transcript, validated against the vocabularies."""

    model_config = ConfigDict(frozen=True)

    intents: list[IntentScore] = Field(description="Known intents only, best first")
    slots: dict[str, str] = Field(default_factory=dict, description="What the caller stated (masked)")
    emotion: Literal["calm", "anxious", "angry"] = Field(description="The caller's emotion")
    risks: list[str] = Field(default_factory=list, description="Known risk ids only")
    dropped: list[str] = Field(default_factory=list, description="Intent or risk ids the model made up (ignored)")

    def as_pairs(self) -> list[tuple[str, float]]:
        """Intents as the graph's state holds them: ``[(intent, confidence), ...]``."""
        return [(i.intent, i.confidence) for i in self.intents]


class Source(BaseModel):
    """One ground an answer may cite, under the tag the model sees (``F3``, ``K1``, ``T2`` ...)."""

    model_config = ConfigDict(frozen=True)

    tag: str = Field(description="Tag shown to the model, e.g. F3")
    kind: Literal["finding", "fact", "knowledge", "script", "tool"] = Field(description="What kind of ground")
    ref: str = Field(description="Rule id, knowledge or script id, fact reference or tool name")
    label: str = Field(description="The ground itself, masked (e.g. 账户状态 = 欠费停机 (BOSS))")


class ToolCallRecord(BaseModel):
    """A read tool the model had run, with the arguments actually used (masked)."""

    model_config = ConfigDict(frozen=True)

    tool: str = Field(description="Tool name")
    args: dict[str, Any] = Field(description="Arguments used, caller's number from the call context, masked")
    ok: bool = Field(description="False when the query failed or was refused")


class DraftedReply(BaseModel):
    """The model's reply to read aloud, grounded and checked."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(description="The reply, citation tags removed")
    cited: str = Field(description="The reply as the model wrote it, with its [tags]")
    sources: list[Source] = Field(description="The grounds it cites, in order of first citation")
    tool_calls: list[ToolCallRecord] = Field(default_factory=list, description="Read tools run on its behalf")


class GroundedAnswer(BaseModel):
    """The model's answer to the agent's question."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(description="The answer, citation tags removed")
    cited: str = Field(description="The answer as the model wrote it, with its [tags]")
    sources: list[Source] = Field(description="The grounds it cites, in order of first citation")
    tool_calls: list[ToolCallRecord] = Field(default_factory=list, description="Read tools run on its behalf")

    @property
    def grounded(self) -> bool:
        """Whether the answer rests on at least one cited ground (an 'I do not know' cites none)."""
        return bool(self.sources)
