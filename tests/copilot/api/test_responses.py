"""The app's JSON: what the sidebar, the audit trail and the event stream read."""

from __future__ import annotations

import json
from datetime import date, datetime

import numpy as np

from copilot.api.responses import to_json
from copilot.api.routers.events import frame


def test_json_keeps_chinese_numbers_as_numbers_and_dates_as_the_stdlib_writes_them() -> None:
    value = {"reply": "您好，流量费\n已核实", "at": datetime(2026, 11, 24, 9, 30), "day": date(2026, 11, 24),
             "score": np.float32(0.5), "rank": np.int64(3), 7: "int key", "ids": {"KP-1"}}
    text = to_json(value).decode()
    assert "您好，流量费" in text and "\n" not in text, "Chinese as it is; a newline in a string escaped"
    assert json.loads(text) == {"reply": "您好，流量费\n已核实", "at": "2026-11-24 09:30:00", "day": "2026-11-24",
                                "score": 0.5, "rank": 3, "7": "int key", "ids": "{'KP-1'}"}


def test_an_event_is_one_sse_frame_with_its_sequence_number_as_id() -> None:
    event = {"seq": 12, "call_id": "c1", "type": "reply", "turn": 2, "at": "2026-11-24T09:30:00.000",
             "data": {"reply": "第一行\n第二行"}}
    wire = frame(event).decode()
    head, data = wire.split("data: ")
    assert head == "id: 12\nevent: reply\n" and data.endswith("\n\n") and data.count("\n") == 2
    assert json.loads(data) == event
