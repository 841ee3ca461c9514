"""Grounded writing: the model drafts from tagged grounds and may run read tools for a few rounds.

Its text is checked before anyone sees it: citations name real grounds, every number appears in the grounds,
and it is short enough to read aloud.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from copilot.llm.client import ModelClient, masked
from copilot.llm.grounds import SourceBook
from copilot.llm.results import LlmFailure, Source, ToolCallRecord
from copilot.llm.tools import ReadToolbox, ToolCall

MAX_CALLS_PER_ROUND = 6
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL)


@dataclass
class Written:
    """A checked text: as written (with tags), without tags, what it cites, and the tools run for it."""

    cited: str
    text: str
    sources: list[Source]
    tool_calls: list[ToolCallRecord] = field(default_factory=list)


def numbers(text: str) -> set[Decimal]:
    """The numbers written in digits in `text` (``480`` and ``480.0`` are the same number)."""
    found = set()
    for match in _NUMBER.findall(text):
        try:
            found.add(Decimal(match))
        except InvalidOperation:  # pragma: no cover - the pattern only matches decimals
            continue
    return found


def write_grounded(client: ModelClient, toolbox: ReadToolbox | None, *, system: str, user: str, book: SourceBook,
                   msisdn: str, deadline: float, max_rounds: int, max_chars: int | None,
                   on_token: Callable[[str], None] | None = None) -> Written | LlmFailure:
    """Let the model write from the grounds, running the read tools it asks for, then check what it wrote.

    Args:
        client: The model.
        toolbox: The read tools it may call (None: none).
        system: The system prompt.
        user: The user message, the tagged grounds in it.
        book: The tags of the grounds; tool results add theirs.
        msisdn: The caller's number, from the call context (never from the model).
        deadline: Monotonic time by which everything must be done.
        max_rounds: Most tool rounds; the turn after the last offers no tools.
        max_chars: Longest text accepted.
        on_token: Receives the text as it streams (provisional until the result is returned).

    Returns:
        The checked text, or the failure: the client's (first token, timeout, HTTP...), ``invalid_tool_call``,
        ``tool_rounds_exceeded``, ``invalid_output`` (empty, too long) or ``ungrounded`` (a citation or a number
        that is not in the grounds).
    """
    messages: list[BaseMessage] = [SystemMessage(system), HumanMessage(user)]
    records: list[ToolCallRecord] = []
    rounds = 0
    while True:
        offer = toolbox.schemas() if toolbox is not None and toolbox.names and rounds < max_rounds else None
        turn = client.stream(messages, offer, deadline=deadline, on_token=on_token)
        if isinstance(turn, LlmFailure):
            return turn
        chunks = turn.tool_call_chunks
        if not chunks:
            break
        if offer is None or toolbox is None:
            return LlmFailure(kind="tool_rounds_exceeded", reason=f"still calling tools after {rounds} tool rounds")
        if len(chunks) > MAX_CALLS_PER_ROUND:
            return LlmFailure(kind="invalid_tool_call",
                              reason=f"invalid tool call: {len(chunks)} calls in one round (at most "
                                     f"{MAX_CALLS_PER_ROUND})")
        calls: list[ToolCall] = []
        for n, chunk in enumerate(chunks):
            parsed = toolbox.parse(chunk.get("name") or "", chunk.get("args"), chunk.get("id") or f"call_{rounds}_{n}")
            if isinstance(parsed, LlmFailure):
                return parsed
            calls.append(parsed)
        replies: list[BaseMessage] = []
        for call in calls:
            outcome = toolbox.run(call, msisdn, book)
            if isinstance(outcome, LlmFailure):
                return outcome
            records.append(outcome.record)
            replies.append(ToolMessage(content=outcome.content, tool_call_id=call.id))
        # echo the model's calls without any caller number it wrote (the context's was used)
        echoed = [{"name": c.name, "id": c.id, "type": "tool_call",
                   "args": {k: v for k, v in c.args.items() if k not in ("msisdn", "subject")}} for c in calls]
        said = turn.content if isinstance(turn.content, str) else ""
        messages += [AIMessage(content=said, tool_calls=echoed), *replies]
        rounds += 1
        if time.monotonic() >= deadline:
            return LlmFailure(kind="timeout", reason="the answer did not finish within its time budget")
    content = turn.content if isinstance(turn.content, str) else ""
    grounds_text = "\n".join(m.content for m in masked(messages) if isinstance(m.content, str))
    return check(_THINK.sub("", content).strip(), book, grounds_text, max_chars, records)


def check(cited: str, book: SourceBook, grounds_text: str, max_chars: int | None,
          records: list[ToolCallRecord]) -> Written | LlmFailure:
    """Check a finished text against its grounds.

    Args:
        cited: The text as the model wrote it, with its citation tags.
        book: The tags it may cite.
        grounds_text: Everything the model was shown (its numbers are the ones it may state).
        max_chars: Longest text accepted, citation tags not counted.
        records: The tools run for it.

    Returns:
        The checked text, or an ``invalid_output`` or ``ungrounded`` failure.
    """
    if not cited:
        return LlmFailure(kind="invalid_output", reason="the model returned an empty answer")
    text, sources, unknown = book.resolve(cited)
    if unknown:
        return LlmFailure(kind="ungrounded", reason=f"cites unknown source [{unknown[0]}]")
    if not text:
        return LlmFailure(kind="invalid_output", reason="the answer holds nothing but citations")
    if max_chars is not None and len(text) > max_chars:
        return LlmFailure(kind="invalid_output", reason=f"answer too long ({len(text)} > {max_chars} characters)")
    stray = sorted(numbers(text) - numbers(grounds_text))
    if stray:
        return LlmFailure(kind="ungrounded", reason=f"states {stray[0]}, a number not in the grounds")
    return Written(cited=cited, text=text, sources=sources, tool_calls=records)
