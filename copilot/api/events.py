"""Per-call event fan-out: turns (run in worker threads) publish cards; SSE streams (on the event loop) read them.

Every event is written to the audit log first, which gives it its sequence number; then it is handed to each
open stream of that call through the stream's event loop. A stream that connects late (or reconnects with
``Last-Event-ID``) first replays what it missed from the audit log.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from copilot.api.audit import AuditLog

END = {"type": "__end__"}


class EventHub:
    """Publishes a call's events to the audit log and to its live streams."""

    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit
        self._streams: dict[str, list[tuple[asyncio.AbstractEventLoop, asyncio.Queue[dict[str, Any]]]]] = {}
        self._guard = threading.Lock()
        self._order = threading.Lock()

    def publish(self, call_id: str, type_: str, turn: int, data: dict[str, Any]) -> dict[str, Any]:
        """Store an event and push it to every stream open on the call; safe from any thread."""
        with self._order:  # numbered and handed on in one step: streams see every call's events in order
            event = self.audit.append(call_id, type_, turn, data)
            self._push(call_id, event)
        return event

    def close_call(self, call_id: str) -> None:
        """Tell the call's streams that no more events will come."""
        self._push(call_id, END)

    def _push(self, call_id: str, event: dict[str, Any]) -> None:
        with self._guard:
            streams = list(self._streams.get(call_id, []))
        for loop, queue in streams:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, event)
            except RuntimeError:  # the stream's loop is gone
                self.unsubscribe(call_id, queue)

    def subscribe(self, call_id: str) -> asyncio.Queue[dict[str, Any]]:
        """A queue of the call's events from now on (call from the event loop)."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        with self._guard:
            self._streams.setdefault(call_id, []).append((asyncio.get_running_loop(), queue))
        return queue

    def unsubscribe(self, call_id: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        """Stop feeding a stream."""
        with self._guard:
            streams = [s for s in self._streams.get(call_id, []) if s[1] is not queue]
            if streams:
                self._streams[call_id] = streams
            else:
                self._streams.pop(call_id, None)
