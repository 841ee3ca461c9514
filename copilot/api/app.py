"""Create the FastAPI app from settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from copilot import __version__
from copilot.api.audit import AuditLog
from copilot.api.errors import install_error_handlers
from copilot.api.events import EventHub
from copilot.api.forkgate import ForkGate
from copilot.api.kbswitch import IndexWatcher
from copilot.api.metrics import Metrics
from copilot.api.registry import CallRegistry
from copilot.api.routers import actions, assist, caller, calls, demo, events, health, kb, metrics, ui
from copilot.api.turns import TurnRunner
from copilot.api.workers import TurnWorkers
from copilot.backends import open_backends, wall_clock
from copilot.runtime import open_runtime
from copilot.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; back-office clients are opened when it starts, not at import.

    Args:
        settings: Settings to run with; `get_settings()` when None.

    Returns:
        The FastAPI app.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.backends, app.state.clock = open_backends(settings)
        app.state.runtime = open_runtime(settings, app.state.backends, app.state.clock)
        app.state.gate = ForkGate()
        # forked now, loaded and before serving: the workers share what is loaded, and no turn is running
        app.state.workers = (TurnWorkers.start(settings.turn_workers, app.state.runtime, settings, app.state.gate)
                             if settings.turn_workers else None)
        app.state.calls = CallRegistry()
        app.state.metrics = Metrics()
        app.state.hub = EventHub(AuditLog(settings.data_dir / "audit.sqlite", wall_clock, app.state.gate))
        app.state.turns = TurnRunner(app.state.runtime.graph, app.state.hub, app.state.metrics,
                                     app.state.runtime.services.vocabulary, settings.turn_concurrency,
                                     workers=app.state.workers, gate=app.state.gate)
        # a version `hotline kb ingest` / `kb rebuild` switched on disk is served without a restart
        app.state.index_watcher = IndexWatcher(app.state.runtime, app.state.workers, settings.kb_watch_s,
                                               app.state.gate).start()
        try:
            yield
        finally:
            app.state.index_watcher.stop()
            if app.state.workers is not None:
                app.state.workers.close()
            app.state.hub.audit.close()
            app.state.runtime.close()

    app = FastAPI(title="Hotline Copilot", version=__version__, lifespan=lifespan)
    app.state.settings = settings
    install_error_handlers(app)
    for module in (health, metrics, ui, calls, caller, events, actions, assist, kb, demo):
        app.include_router(module.router)
    return app
