"""Health: liveness (`/healthz`) and readiness of each dependency (`/readyz`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from copilot import __version__
from copilot.api.deps import BackendsDep, IndexWatcherDep, RuntimeDep, SettingsDep, TurnsDep
from tools.backends import Backends
from tools.base.errors import InvalidInput, RecordNotFound

router = APIRouter(tags=["health"])
PROBE_MSISDN = "13800000000"
"""A number no one has: a system that answers "not found" for it is up."""


@router.get("/healthz")
def healthz(backends: BackendsDep, settings: SettingsDep) -> dict[str, Any]:
    """Liveness, the version, each system's backend (sim or http), and whether replies come from a model."""
    llm = bool(settings.llm_base_url and settings.llm_model and settings.llm_api_key)
    return {
        "status": "ok",
        "version": __version__,
        "backends": {system.value: kind for system, kind in backends.kinds.items()},
        "sim_db": str(settings.sim_db_path) if "sim" in backends.kinds.values() else None,
        "mode": "llm" if llm else "deterministic",
    }


def _probes(b: Backends) -> dict[str, Callable[[], Any]]:
    return {
        "boss": lambda: b.boss.get_subscriber(PROBE_MSISDN),
        "aaa": lambda: b.aaa.get_profile(PROBE_MSISDN),
        "pon": lambda: b.pon.find_accounts(PROBE_MSISDN),
        "coverage": lambda: b.coverage.list_active_outages(),
        "ticketing": lambda: b.ticketing.list_tickets(PROBE_MSISDN, limit=1),
    }


def _check(probe: Callable[[], Any]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        probe()
        ok, error = True, None
    except (RecordNotFound, InvalidInput):
        ok, error = True, None  # it answered
    except Exception as exc:
        ok, error = False, f"{type(exc).__name__}: {exc}"
    return {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1), **({"error": error} if error else {})}


@router.get("/readyz")
def readyz(backends: BackendsDep, runtime: RuntimeDep, turns: TurnsDep, watcher: IndexWatcherDep) -> JSONResponse:
    """Each dependency: systems, knowledge index, classifier, checkpoints, turn workers; 503 if any fails."""
    checks = {name: _check(probe) for name, probe in _probes(backends).items()}
    searcher = runtime.services.searcher
    checks["knowledge"] = ({"ok": True, "index": searcher.version, "docs": len(searcher.rows)} if searcher
                           else {"ok": False, "error": "知识库索引不存在，先运行 hotline kb rebuild"})
    if watcher.last_error:  # a version switched on disk that cannot be served: the old one still is
        checks["knowledge"]["watch_error"] = watcher.last_error
    checks["classifier"] = {"ok": runtime.services.classifier is not None}
    checks["checkpoints"] = _check(runtime.checkpoints.ping)
    if turns.workers is not None:
        alive = turns.workers.alive()
        size = turns.workers.size
        checks["turn_workers"] = {"ok": alive == size, "alive": alive, "of": size, "pids": turns.workers.pids(),
                                  "cpus": turns.workers.cpus(),
                                  **({} if alive == size else {"error": "有轮次工作进程已退出，请重启服务"})}
    ready = all(c["ok"] for c in checks.values())
    return JSONResponse({"status": "ready" if ready else "not_ready", "checks": checks},
                        status_code=200 if ready else 503)
