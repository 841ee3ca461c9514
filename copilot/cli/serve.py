"""`hotline serve` and `hotline version`."""

from __future__ import annotations

from typing import Annotated

import typer

from copilot import __version__
from copilot.settings import get_settings


def serve(
    host: Annotated[str | None, typer.Option(help="Listen address (HOTLINE_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (HOTLINE_PORT)")] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level: info, warning, error")] = "info",
) -> None:
    """Serve the copilot's API and web UI."""
    import uvicorn

    from copilot.api.app import create_app

    settings = get_settings()
    if not any(settings.http_endpoints()) and not settings.sim_db_path.is_file():
        typer.echo(f"模拟后台数据库不存在: {settings.sim_db_path}\n先运行: hotline sim generate", err=True)
        raise typer.Exit(2)
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port,
                log_level=log_level)


def version() -> None:
    """Print the version."""
    typer.echo(__version__)
