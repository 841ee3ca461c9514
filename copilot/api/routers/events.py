"""Server-Sent Events: one event per card as it becomes ready, in the order it became ready.

A stream first replays the call's events after ``Last-Event-ID`` (or ``?after=``) from the audit log, then
follows live ones; it ends after the wrap-up of a call that ends. Event ids are per-call sequence numbers.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.sse import EventSourceResponse, ServerSentEvent

from copilot.api.deps import CallsDep, HubDep, MetricsDep
from copilot.api.events import END

router = APIRouter(prefix="/v1/calls", tags=["events"])


def _sse(event: dict[str, object]) -> ServerSentEvent:
    return ServerSentEvent(id=str(event["seq"]), event=str(event["type"]),
                           raw_data=json.dumps(event, ensure_ascii=False, default=str))


@router.get("/{call_id}/events", response_class=EventSourceResponse)
async def events(call_id: str, calls: CallsDep, hub: HubDep, metrics: MetricsDep,
                 after: Annotated[int, Query(ge=0, description="Replay events after this sequence number")] = 0,
                 last_event_id: Annotated[str | None, Header()] = None) -> AsyncIterator[ServerSentEvent]:
    """The call's cards as they become ready (understanding, knowledge, diagnosis, reply, answer, wrap-up...)."""
    record = calls.get(call_id, open_only=False)
    if last_event_id and last_event_id.isdigit():
        after = max(after, int(last_event_id))
    queue = None if record.ended else hub.subscribe(call_id)
    metrics.streams.inc()
    try:
        seen = after
        for event in hub.audit.events(call_id, after):
            seen = int(event["seq"])
            yield _sse(event)
        while queue is not None:
            event = await queue.get()
            if event is END:
                break
            if int(event["seq"]) > seen:
                seen = int(event["seq"])
                yield _sse(event)
    finally:
        metrics.streams.dec()
        if queue is not None:
            hub.unsubscribe(call_id, queue)
