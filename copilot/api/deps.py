"""FastAPI dependencies, as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from copilot.settings import Settings
from tools.backends import Backends


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_backends(request: Request) -> Backends:
    """The back-office clients opened at start-up."""
    backends: Backends = request.app.state.backends
    return backends


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
BackendsDep = Annotated[Backends, Depends(get_backends)]
