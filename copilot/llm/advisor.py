"""The LLM mode's entry point: `open_llm` builds an `LlmAdvisor` when the settings name a model, else None.

The advisor never raises for what the model or the network does: each method returns its validated result or
an `LlmFailure` saying why, and the deterministic suggestion stands on a failure.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from langchain_core.tools import BaseTool

from copilot.context import CallContext
from copilot.llm.client import ModelClient, internal_failure, open_chat_model
from copilot.llm.compose import write_grounded
from copilot.llm.grounds import Grounds, SourceBook, render_grounds
from copilot.llm.results import DraftedReply, GroundedAnswer, LlmFailure, Understanding
from copilot.llm.tools import ReadToolbox
from copilot.llm.understand import understand
from copilot.prompts import PromptBook, load_prompts
from copilot.settings import Settings

Written = TypeVar("Written", DraftedReply, GroundedAnswer)


class LlmAdvisor:
    """Understands the transcript, drafts the reply, answers the agent, through an OpenAI-compatible model.

    Thread-safe: one advisor serves every call of the process.
    """

    def __init__(self, client: ModelClient, toolbox: ReadToolbox, prompts: PromptBook, *,
                 clock: Callable[[], datetime], timeout_s: float, max_tool_rounds: int) -> None:
        """Wire the parts (`open_llm` does it from settings).

        Args:
            client: The model, with its first-token budget.
            toolbox: The read tools it may call.
            prompts: The prompts.
            clock: The product's clock (only for "today" in the prompts; budgets use the monotonic clock).
            timeout_s: Budget of one whole answer.
            max_tool_rounds: Most read-tool rounds per draft or answer.
        """
        self.client = client
        self.toolbox = toolbox
        self.prompts = prompts
        self.clock = clock
        self.timeout_s = timeout_s
        self.max_tool_rounds = max_tool_rounds
        self._risk_ids: list[str] | None = None

    def _today(self) -> str:
        return self.clock().strftime("%Y-%m-%d")

    def _risks(self) -> list[str]:
        if self._risk_ids is None:  # read once, on first use
            from copilot.understand.risk import load_risks

            self._risk_ids = list(load_risks().risks)
        return self._risk_ids

    def understand(self, transcript: str | Sequence[str], intents: Mapping[str, str] | Sequence[str],
                   risks: Sequence[str] | None = None) -> Understanding | LlmFailure:
        """What the caller wants, from the masked transcript (one non-streamed answer within ``llm_timeout_s``).

        Args:
            transcript: The caller's latest utterance(s); masked before they are sent.
            intents: The intent vocabulary: id -> Chinese label, or ids.
            risks: Risk ids; those of ``copilot/data/risks.yaml`` when None.

        Returns:
            Intents from `intents` only (best first, with confidence), slots, emotion (calm/anxious/angry) and
            risks from `risks` only; or an `LlmFailure` (timeout, http_error, connection_error, model_error,
            invalid_json, invalid_output).
        """
        try:
            if risks is None:
                risks = self._risks()
            said = [transcript] if isinstance(transcript, str) else list(transcript)
            vocabulary = dict(intents) if isinstance(intents, Mapping) else {i: i for i in intents}
            return understand(self.client, self.prompts.understand, said, vocabulary, list(risks),
                              today=self._today(), deadline=time.monotonic() + self.timeout_s)
        except Exception as exc:
            return internal_failure(exc)

    def draft_reply(self, grounds: Grounds, context: CallContext, *,
                    on_token: Callable[[str], None] | None = None) -> DraftedReply | LlmFailure:
        """Draft the reply to read aloud from the call's grounds, running read tools for the caller if needed.

        Args:
            grounds: Findings, facts, knowledge, scripts and the deterministic reply (masked before sending).
            context: The call; its MSISDN is the only number the read tools run with.
            on_token: Receives the reply's text as it streams; provisional until this returns a `DraftedReply`.

        Returns:
            The reply (citation tags removed) with the sources it cites and the tools run; or an `LlmFailure`
            (first_token_timeout, timeout, http_error, connection_error, model_error, invalid_tool_call,
            tool_rounds_exceeded, invalid_output, ungrounded).
        """
        return self._write(DraftedReply, self.prompts.draft_reply, grounds, context, on_token)

    def answer(self, question: str, grounds: Grounds, context: CallContext, *,
               on_token: Callable[[str], None] | None = None) -> GroundedAnswer | LlmFailure:
        """Answer the agent's own question ("这个客户能办弹性计费包吗?") from the call's grounds.

        Args:
            question: The agent's question (masked before sending; never part of the caller's transcript).
            grounds: The call's grounds, as for `draft_reply`.
            context: The call; its MSISDN is the only number the read tools run with.
            on_token: Receives the answer's text as it streams; provisional until this returns.

        Returns:
            The answer with its sources (none when it says it does not know: see `GroundedAnswer.grounded`);
            or an `LlmFailure` (the same kinds as `draft_reply`).
        """
        return self._write(GroundedAnswer, self.prompts.answer, grounds, context, on_token, question=question)

    def _write(self, result: type[Written], prompt: Any, grounds: Grounds, context: CallContext,
               on_token: Callable[[str], None] | None, **fields: str) -> Written | LlmFailure:
        """One grounded piece of writing (a draft or an answer): render the prompt, let the model write, check."""
        try:
            book = SourceBook()
            system, user = prompt.render(today=self._today(), **fields,
                                         grounds=render_grounds(grounds, self.prompts.grounds, book))
            written = write_grounded(self.client, self.toolbox, system=system, user=user, book=book,
                                     msisdn=context.msisdn, deadline=time.monotonic() + self.timeout_s,
                                     max_rounds=self.max_tool_rounds, max_chars=prompt.max_chars, on_token=on_token)
            if isinstance(written, LlmFailure):
                return written
            return result(text=written.text, cited=written.cited, sources=written.sources,
                          tool_calls=written.tool_calls)
        except Exception as exc:
            return internal_failure(exc)


def open_llm(settings: Settings, tools: Sequence[BaseTool], clock: Callable[[], datetime]) -> LlmAdvisor | None:
    """The LLM advisor, when ``HOTLINE_LLM_BASE_URL``, ``_MODEL`` and ``_API_KEY`` are all set.

    Args:
        settings: The settings (the ``llm_*`` block).
        tools: The back-office tools; only the READ ones are offered to the model.
        clock: The product's clock.

    Returns:
        The advisor, or None when the LLM mode is off. Nothing is connected yet.

    Raises:
        copilot.prompts.PromptError: The prompts file is invalid.
    """
    if not (settings.llm_base_url and settings.llm_model and settings.llm_api_key):
        return None
    prompts = load_prompts()
    chat = open_chat_model(base_url=settings.llm_base_url, model=settings.llm_model, api_key=settings.llm_api_key,
                           first_token_s=settings.llm_first_token_s, timeout_s=settings.llm_timeout_s)
    return LlmAdvisor(ModelClient(chat, settings.llm_first_token_s), ReadToolbox(tools, prompts.tools), prompts,
                      clock=clock, timeout_s=settings.llm_timeout_s, max_tool_rounds=settings.llm_max_tool_rounds)
