"""Server-Sent Events: one event per card as it becomes ready, in the order it became ready.

A stream first replays the call's events after ``Last-Event-ID`` (or ``?after=``) from the audit log, then
follows live ones; it ends after the wrap-up of a call that ends. Event ids are per-call sequence numbers.
A quiet stream gets a ``: ping`` comment every 15 seconds, so that proxies keep it open.

Each event is written to the wire as it comes, already encoded: under load this route carries most of the
server's messages, and a per-stream task group with memory streams (what a generic SSE encoder adds) cost
more than the encoding itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse

from copilot.api.deps import CallsDep, HubDep, MetricsDep
from copilot.api.events import END, EventHub
from copilot.api.metrics import Metrics
from copilot.api.registry import CallRecord
from copilot.api.responses import to_json

router = APIRouter(prefix="/v1/calls", tags=["events"])
PING_S = 15.0
PING = b": ping\n\n"


def frame(event: dict[str, Any]) -> bytes:
    """One event in the SSE wire format: its sequence number as the id, its type as the event name."""
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (event["seq"], event["type"].encode(), to_json(event))


async def _stream(record: CallRecord, after: int, hub: EventHub, metrics: Metrics) -> AsyncIterator[bytes]:
    call_id = record.call_id
    subscribed = hub.subscribe(call_id)  # before the replay: nothing falls between the two
    queue: asyncio.Queue[dict[str, Any]] | None = subscribed
    if record.ended:  # its end went to the streams open then; the replay below holds its wrap-up
        hub.unsubscribe(call_id, subscribed)
        queue = None
    metrics.streams.inc()
    try:
        seen = after
        for event in hub.audit.events(call_id, after):
            seen = int(event["seq"])
            yield frame(event)
        while queue is not None:
            try:
                event = await asyncio.wait_for(queue.get(), PING_S)
            except TimeoutError:
                yield PING
                continue
            if event is END:
                break
            if int(event["seq"]) > seen:
                seen = int(event["seq"])
                yield frame(event)
    finally:
        metrics.streams.dec()
        if queue is not None:
            hub.unsubscribe(call_id, queue)


@router.get("/{call_id}/events", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}, "description": "The call's events, as SSE"}})
async def events(call_id: str, calls: CallsDep, hub: HubDep, metrics: MetricsDep,
                 after: Annotated[int, Query(ge=0, description="Replay events after this sequence number")] = 0,
                 last_event_id: Annotated[str | None, Header()] = None) -> StreamingResponse:
    """The call's cards as they become ready (understanding, knowledge, diagnosis, reply, answer, wrap-up...)."""
    record = calls.get(call_id, open_only=False)
    if last_event_id and last_event_id.isdigit():
        after = max(after, int(last_event_id))
    return StreamingResponse(_stream(record, after, hub, metrics), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
