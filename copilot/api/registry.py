"""The calls the app follows, with one lock per call."""

from __future__ import annotations

import threading

from fastapi import HTTPException, status
from pydantic import BaseModel


class CallRecord(BaseModel):
    """A call the copilot follows."""

    call_id: str
    msisdn: str
    agent_id: str
    ended: bool = False


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
            raise HTTPException(status.HTTP_404_NOT_FOUND,
                                detail={"code": "unknown_call", "message": f"没有通话 {call_id}"})
        if open_only and record.ended:
            raise HTTPException(status.HTTP_409_CONFLICT,
                                detail={"code": "call_ended", "message": f"通话 {call_id} 已结束"})
        return record

    def lock(self, call_id: str) -> threading.Lock:
        """The call's turn lock."""
        return self._locks[call_id]
