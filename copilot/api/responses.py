"""A JSON response for payloads the graph built (dicts of plain values): encoded once, no response model."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import JSONResponse


class PlainJSON(JSONResponse):
    """JSON straight from `json.dumps` (dates and other odd values as strings), skipping FastAPI's encoder."""

    def render(self, content: Any) -> bytes:
        """Encode the payload."""
        return json.dumps(content, ensure_ascii=False, default=str, separators=(",", ":")).encode("utf-8")
