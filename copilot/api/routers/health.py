"""Health: version and which implementation backs each system."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from copilot import __version__
from copilot.api.deps import BackendsDep, SettingsDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(backends: BackendsDep, settings: SettingsDep) -> dict[str, Any]:
    """Liveness, the version, and each system's backend (sim or http)."""
    return {
        "status": "ok",
        "version": __version__,
        "backends": {system.value: kind for system, kind in backends.kinds.items()},
        "sim_db": str(settings.sim_db_path) if "sim" in backends.kinds.values() else None,
    }
