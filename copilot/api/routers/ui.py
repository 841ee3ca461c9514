"""The pages: the agent's sidebar at `/`, the knowledge manager's page at `/kb`, and their static files.

Plain HTML, CSS and ES modules from ``copilot/web`` (package files; no CDN, no build step), plus the labels the
pages show for intents, actions and what callers say of their situation, taken from the vocabulary and the statements
file so that a new action or statement shows its Chinese name.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, status
from fastapi.responses import FileResponse

from copilot.api.deps import RuntimeDep
from copilot.api.errors import api_error

router = APIRouter(tags=["ui"])

WEB = Path(__file__).resolve().parents[2] / "web"
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
               ".html": "text/html; charset=utf-8", ".svg": "image/svg+xml"}
_NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]*\.(js|css|html|svg)$")
NO_CACHE = {"Cache-Control": "no-cache"}  # revalidate (ETag) so a new version shows at once


def _file(name: str) -> FileResponse:
    path = WEB / name
    if not _NAME.match(name) or not path.is_file():
        raise api_error(status.HTTP_404_NOT_FOUND, "not_found", f"没有文件 {name}")
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=NO_CACHE)


@router.get("/", include_in_schema=False)
def sidebar() -> FileResponse:
    """The agent's sidebar (demo mode when no call is given)."""
    return _file("index.html")


@router.get("/kb", include_in_schema=False)
def kb_page() -> FileResponse:
    """The knowledge manager's page: bulletin upload, diff, apply, status and search."""
    return _file("kb.html")


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> FileResponse:
    """One of the pages' files (flat folder: names only, no paths)."""
    return _file(name)


@router.get("/v1/ui/labels")
def labels(runtime: RuntimeDep) -> dict[str, Any]:
    """Chinese labels of intents, actions (and whether one needs the agent's confirmation) and statement slots."""
    vocabulary = runtime.services.vocabulary
    return {
        "intents": {i.id: {"label": i.label, "pilot": i.pilot} for i in vocabulary.intents},
        "actions": {a.id: {"label": a.label, "kind": a.kind, "needs_confirmation": a.needs_confirmation}
                    for a in vocabulary.actions},
        "slots": runtime.services.statements.labels(),
    }
