"""FastAPI dependencies, as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from copilot.api.registry import CallRegistry
from copilot.runtime import CopilotRuntime
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


def get_runtime(request: Request) -> CopilotRuntime:
    """The compiled graph and its services."""
    runtime: CopilotRuntime = request.app.state.runtime
    return runtime


def get_calls(request: Request) -> CallRegistry:
    """The calls being followed."""
    calls: CallRegistry = request.app.state.calls
    return calls


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
BackendsDep = Annotated[Backends, Depends(get_backends)]
RuntimeDep = Annotated[CopilotRuntime, Depends(get_runtime)]
CallsDep = Annotated[CallRegistry, Depends(get_calls)]
