"""The model over HTTP: one streamed turn or one completion, within a first-token budget and a deadline.

Each request runs in a short-lived worker thread that hands chunks over a queue, so the budgets hold whether
the caller is a plain thread or sits inside an event loop, and a late model never holds up the call: the
worker is told to stop and finishes on its own (at the latest when the HTTP timeout ends it). Every message
is masked (`copilot.pii.mask`) here, on its way out, whatever built it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage

from copilot.llm.results import LlmFailure
from copilot.pii import mask

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from pydantic import SecretStr

log = logging.getLogger(__name__)


def open_chat_model(*, base_url: str, model: str, api_key: SecretStr, first_token_s: float,
                    timeout_s: float) -> BaseChatModel:
    """A `ChatOpenAI` for an OpenAI-compatible server (vLLM, ...), with no retries: the budget is what counts.

    Args:
        base_url: API base URL, e.g. ``http://vllm:8000/v1``.
        model: Model name served there.
        api_key: API key.
        first_token_s: Budget for the first token (also bounds connecting).
        timeout_s: Budget for a whole answer (the HTTP timeout of each request).

    Returns:
        The chat model. Nothing is connected yet.
    """
    import httpx
    from langchain_openai import ChatOpenAI

    # `streaming` is left unset: set to False, it would turn `.stream()` into one blocking call
    return ChatOpenAI(model=model, base_url=base_url, api_key=api_key, max_retries=0, temperature=0,
                      stream_usage=False, timeout=httpx.Timeout(timeout_s, connect=min(first_token_s, timeout_s)))


def masked(messages: list[BaseMessage]) -> list[BaseMessage]:
    """Copies of `messages` with every text and every tool-call argument masked."""
    out: list[BaseMessage] = []
    for message in messages:
        update: dict[str, Any] = {"content": _mask_value(message.content)}
        if isinstance(message, AIMessage) and message.tool_calls:
            update["tool_calls"] = [{**call, "args": _mask_value(call["args"])} for call in message.tool_calls]
        out.append(message.model_copy(update=update))
    return out


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: _mask_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_value(v) for v in value]
    return value


def failure_from(exc: BaseException) -> LlmFailure:
    """The failure an exception raised while talking to the model stands for."""
    import httpx
    import openai

    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        return LlmFailure(kind="timeout", reason="the model's HTTP request timed out")
    if isinstance(exc, openai.APIStatusError):
        return LlmFailure(kind="http_error", reason=f"HTTP {exc.status_code}")
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError):
        return LlmFailure(kind="connection_error", reason="cannot reach the model server")
    if isinstance(exc, openai.APIError | httpx.HTTPError | ValueError):
        return LlmFailure(kind="model_error", reason=f"unreadable answer from the model ({type(exc).__name__})")
    return internal_failure(exc)


def internal_failure(exc: BaseException) -> LlmFailure:
    """A bug on our side, logged with its traceback, as a failure (the deterministic suggestion stands)."""
    log.error("LLM mode failed", exc_info=exc)
    return LlmFailure(kind="internal_error", reason=f"internal error ({type(exc).__name__})")


class _Worker:
    """Runs a producer in a daemon thread and hands its items over a queue."""

    def __init__(self, produce: Callable[[], Iterator[Any]]) -> None:
        self._box: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._stop = threading.Event()
        self._produce = produce
        threading.Thread(target=self._work, name="llm-request", daemon=True).start()

    def _work(self) -> None:
        items: Iterator[Any] | None = None
        try:
            items = self._produce()
            for item in items:
                self._box.put(("item", item))
                if self._stop.is_set():
                    return
            self._box.put(("done", None))
        except Exception as exc:
            self._box.put(("error", exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()  # a stopped stream closes its HTTP response

    def next(self, until: float) -> tuple[str, Any] | None:
        """The next ``(kind, item)``, kind being item, done or error; None when `until` (monotonic) passes."""
        try:
            return self._box.get(timeout=max(until - time.monotonic(), 0.0))
        except queue.Empty:
            return None

    def stop(self) -> None:
        """Ask the worker to stop after the item it is waiting for."""
        self._stop.set()


class ModelClient:
    """Talks to the model within budgets; never raises for what the model or the network does."""

    def __init__(self, chat: BaseChatModel, first_token_s: float) -> None:
        self.chat = chat
        self.first_token_s = first_token_s

    def stream(self, messages: list[BaseMessage], tools: list[dict[str, Any]] | None, *, deadline: float,
               on_token: Callable[[str], None] | None = None) -> AIMessageChunk | LlmFailure:
        """One streamed turn of the model.

        Args:
            messages: The conversation so far (masked here before it is sent).
            tools: OpenAI function schemas to offer, or None to offer none.
            deadline: Monotonic time by which the whole turn must be done.
            on_token: Called with each piece of text as it arrives.

        Returns:
            The turn's message, its chunks merged (text and tool-call chunks), or the failure: no first token
            (text or tool call; the role-only opening chunk does not count) within the first-token budget,
            the deadline passed, an HTTP error, a connection error, an unreadable stream.
        """
        runnable: Any = self.chat.bind_tools(tools) if tools else self.chat
        outgoing = masked(messages)
        worker = _Worker(lambda: runnable.stream(outgoing))
        first_by = min(time.monotonic() + self.first_token_s, deadline)
        merged: AIMessageChunk | None = None
        started = False
        try:
            while True:
                got = worker.next(deadline if started else first_by)
                if got is None:
                    if not started and first_by < deadline:
                        return LlmFailure(kind="first_token_timeout",
                                          reason=f"no first token within {self.first_token_s:g} s")
                    return LlmFailure(kind="timeout", reason="the answer did not finish within its time budget")
                kind, item = got
                if kind == "error":
                    return failure_from(item)
                if kind == "done":
                    break
                chunk: AIMessageChunk = item
                merged = chunk if merged is None else merged + chunk
                if chunk.content or chunk.tool_call_chunks:
                    started = True
                    if on_token is not None and isinstance(chunk.content, str) and chunk.content:
                        on_token(chunk.content)
        finally:
            worker.stop()
        if merged is None:
            return LlmFailure(kind="invalid_output", reason="the model returned nothing")
        return merged

    def complete(self, messages: list[BaseMessage], *, deadline: float) -> str | LlmFailure:
        """One non-streamed answer.

        Args:
            messages: The conversation (masked here before it is sent).
            deadline: Monotonic time by which the answer must be in.

        Returns:
            The answer's text, or the failure (deadline, HTTP or connection error, unreadable answer).
        """
        outgoing = masked(messages)
        worker = _Worker(lambda: iter([self.chat.invoke(outgoing)]))
        try:
            got = worker.next(deadline)
        finally:
            worker.stop()
        if got is None:
            return LlmFailure(kind="timeout", reason="the answer did not come within its time budget")
        kind, item = got
        if kind == "error":
            return failure_from(item)
        content = item.content if isinstance(item, AIMessage) else None
        if not isinstance(content, str):
            return LlmFailure(kind="invalid_output", reason="the model's answer has no text")
        return content
