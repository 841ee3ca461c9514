"""FastAPI dependencies, as `Annotated` aliases.

Each only reads what start-up put on `app.state`, so each is a coroutine: FastAPI awaits it on the event loop,
where a plain function would be sent to the thread pool and back, one trip per dependency per request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from copilot.api.audit import AuditLog
from copilot.api.events import EventHub
from copilot.api.forkgate import ForkGate
from copilot.api.kbswitch import IndexWatcher
from copilot.api.metrics import Metrics
from copilot.api.registry import CallRegistry
from copilot.api.turns import TurnRunner
from copilot.runtime import CopilotRuntime
from copilot.settings import Settings
from tools.backends import Backends


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_backends(request: Request) -> Backends:
    """The back-office clients opened at start-up."""
    backends: Backends = request.app.state.backends
    return backends


async def get_runtime(request: Request) -> CopilotRuntime:
    """The compiled graph and its services."""
    runtime: CopilotRuntime = request.app.state.runtime
    return runtime


async def get_calls(request: Request) -> CallRegistry:
    """The calls being followed."""
    calls: CallRegistry = request.app.state.calls
    return calls


async def get_hub(request: Request) -> EventHub:
    """The calls' event channels."""
    hub: EventHub = request.app.state.hub
    return hub


async def get_audit(request: Request) -> AuditLog:
    """The audit trail."""
    audit: AuditLog = request.app.state.hub.audit
    return audit


async def get_turns(request: Request) -> TurnRunner:
    """Runs calls' turns through the graph."""
    turns: TurnRunner = request.app.state.turns
    return turns


async def get_metrics(request: Request) -> Metrics:
    """The app's Prometheus metrics."""
    metrics: Metrics = request.app.state.metrics
    return metrics


async def get_gate(request: Request) -> ForkGate:
    """The fork gate: the API process's own SQLite work and back-office calls run inside it."""
    gate: ForkGate = request.app.state.gate
    return gate


async def get_index_watcher(request: Request) -> IndexWatcher:
    """The watch on the knowledge base's `CURRENT` (a version the CLI switched)."""
    watcher: IndexWatcher = request.app.state.index_watcher
    return watcher


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
BackendsDep = Annotated[Backends, Depends(get_backends)]
RuntimeDep = Annotated[CopilotRuntime, Depends(get_runtime)]
CallsDep = Annotated[CallRegistry, Depends(get_calls)]
HubDep = Annotated[EventHub, Depends(get_hub)]
AuditDep = Annotated[AuditLog, Depends(get_audit)]
TurnsDep = Annotated[TurnRunner, Depends(get_turns)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
GateDep = Annotated[ForkGate, Depends(get_gate)]
IndexWatcherDep = Annotated[IndexWatcher, Depends(get_index_watcher)]
