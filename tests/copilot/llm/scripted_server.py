"""A scripted OpenAI-compatible server: POST /v1/chat/completions replays one scripted turn per request.

Streams like vLLM when asked (``stream: true``): an opening role-only chunk, then text and tool-call deltas as
SSE ``data: {...}`` chunks, a finish chunk and ``data: [DONE]``; otherwise answers one JSON completion. It
records every request body as received, so tests can check what the model was (and was not) sent.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse


@dataclass
class Turn:
    """One scripted answer."""

    content: str = ""
    tool_calls: list[tuple[str, str]] = field(default_factory=list)
    """(tool name, arguments exactly as the model writes them: a JSON string, possibly broken)."""
    status: int = 200
    delay_s: float = 0.0
    """Pause before the first token (after the role-only chunk when streaming)."""


def say(content: str) -> Turn:
    """A plain answer."""
    return Turn(content=content)


def call(name: str, arguments: str | dict[str, Any]) -> Turn:
    """A turn that calls one tool."""
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
    return Turn(tool_calls=[(name, raw)])


def pieces(text: str, size: int) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)]


class ScriptedModel:
    """The script and what was received."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.turns: deque[Turn] = deque()
        self.plain: deque[Turn] = deque()
        self.bodies: list[str] = []

    def script(self, *turns: Turn, plain: tuple[Turn, ...] = ()) -> None:
        """Replace the script and forget what was received.

        `plain` answers non-streamed requests (understanding) first, so a test can script a turn whose
        understanding and streamed draft run at the same time; without it, every request takes `turns` in order.
        """
        with self._lock:
            self.turns = deque(turns)
            self.plain = deque(plain)
            self.bodies = []

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The request bodies received, parsed."""
        return [json.loads(b) for b in self.bodies]

    def _next(self, body: str, stream: bool) -> Turn:
        with self._lock:
            self.bodies.append(body)
            if not stream and self.plain:
                return self.plain.popleft()
            return self.turns.popleft() if self.turns else Turn(status=500, content="script exhausted")

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def completions(request: Request) -> Response:
            body = (await request.body()).decode("utf-8")
            payload = json.loads(body)
            turn = self._next(body, bool(payload.get("stream")))
            if turn.status != 200:
                return JSONResponse({"error": {"message": turn.content or "scripted failure", "type": "server_error",
                                               "code": turn.status}}, status_code=turn.status)
            if payload.get("stream"):
                return StreamingResponse(self._stream(turn, payload["model"]), media_type="text/event-stream")
            await asyncio.sleep(turn.delay_s)
            message: dict[str, Any] = {"role": "assistant", "content": turn.content}
            if turn.tool_calls:
                message["tool_calls"] = [{"id": f"call_{i}", "type": "function",
                                          "function": {"name": name, "arguments": args}}
                                         for i, (name, args) in enumerate(turn.tool_calls)]
            return JSONResponse({
                "id": "chatcmpl-scripted", "object": "chat.completion", "created": 0, "model": payload["model"],
                "choices": [{"index": 0, "message": message,
                             "finish_reason": "tool_calls" if turn.tool_calls else "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            })

        return app

    async def _stream(self, turn: Turn, model: str) -> AsyncIterator[str]:
        def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
            data = {"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": 0, "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

        yield chunk({"role": "assistant", "content": ""})
        if turn.delay_s:
            await asyncio.sleep(turn.delay_s)
        for piece in pieces(turn.content, 4):
            yield chunk({"content": piece})
        for i, (name, args) in enumerate(turn.tool_calls):
            yield chunk({"tool_calls": [{"index": i, "id": f"call_{i}", "type": "function",
                                         "function": {"name": name, "arguments": ""}}]})
            for piece in pieces(args, 7):
                yield chunk({"tool_calls": [{"index": i, "function": {"arguments": piece}}]})
        yield chunk({}, "tool_calls" if turn.tool_calls else "stop")
        yield "data: [DONE]\n\n"
