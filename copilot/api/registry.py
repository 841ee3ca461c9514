"""The calls the app follows, with one lock per call."""

from __future__ import annotations

import threading

from fastapi import status
from pydantic import BaseModel, Field

from copilot.api.errors import api_error


class CallRecord(BaseModel):
    """A call the copilot follows."""

    call_id: str
    msisdn: str
    agent_id: str
    ended: bool = False
    turns: int = 0
    number_turns: int = Field(default=0, exclude=True)  # the API's own bookkeeping, not part of the call's record
    """Utterances left in which the rest of a personal number may be read out (`copilot.pii.mask_in_call`)."""


class CallRegistry:
    """The calls being followed, each with a lock so that one call's turns run one at a time."""

    def __init__(self) -> None:
        self._records: dict[str, CallRecord] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def add(self, record: CallRecord) -> bool:
        """Register a call; False when the id is taken."""
        with self._guard:
            if record.call_id in self._records:
                return False
            self._records[record.call_id] = record
            self._locks[record.call_id] = threading.Lock()
            return True

    def get(self, call_id: str, *, open_only: bool = True) -> CallRecord:
        """The call, or an HTTP error naming what is wrong."""
        record = self._records.get(call_id)
        if record is None:
            raise api_error(status.HTTP_404_NOT_FOUND, "unknown_call", f"没有通话 {call_id}")
        if open_only and record.ended:
            raise api_error(status.HTTP_409_CONFLICT, "call_ended", f"通话 {call_id} 已结束")
        return record

    def open_count(self) -> int:
        """Calls not yet ended."""
        return sum(1 for r in self._records.values() if not r.ended)

    def lock(self, call_id: str) -> threading.Lock:
        """The call's turn lock."""
        return self._locks[call_id]
