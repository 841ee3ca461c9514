"""Create the FastAPI app from settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from copilot import __version__
from copilot.api.registry import CallRegistry
from copilot.api.routers import calls, health, ui
from copilot.backends import open_backends
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
        app.state.calls = CallRegistry()
        try:
            yield
        finally:
            app.state.runtime.close()

    app = FastAPI(title="Hotline Copilot", version=__version__, lifespan=lifespan)
    app.state.settings = settings
    app.include_router(health.router)
    app.include_router(ui.router)
    app.include_router(calls.router)
    return app
