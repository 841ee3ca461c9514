"""The app's JSON: one encoder for responses, the audit trail and the event stream, and a response class on it."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import JSONResponse

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_PASSTHROUGH_DATETIME
"""Dates and times fall through to `str` ("2026-11-24 09:30:00", as the stdlib's ``default=str`` writes them)."""


def to_json(content: Any) -> bytes:
    """Compact UTF-8 JSON (Chinese as it is, not escaped); values JSON has no type for (dates, sets) as strings.

    One line whatever the content: newlines inside strings are escaped, so an SSE ``data:`` line stays one line.
    """
    return orjson.dumps(content, default=str, option=_OPTIONS)


class PlainJSON(JSONResponse):
    """JSON for payloads the graph built (dicts of plain values): encoded once, no response model."""

    def render(self, content: Any) -> bytes:
        """Encode the payload."""
        return to_json(content)
