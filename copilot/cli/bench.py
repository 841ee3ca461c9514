"""`hotline bench turn`: the copilot's latency, throughput and memory under many concurrent calls."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from copilot.settings import get_settings

app = typer.Typer(help="Benchmarks (not tests): print one JSON object.", no_args_is_help=True)


@app.command()
def turn(
    calls: Annotated[int, typer.Option(min=1, max=2000, help="Concurrent calls")] = 200,
    utterances: Annotated[int, typer.Option(min=1, max=50, help="Caller utterances per call")] = 6,
    think_ms: Annotated[int, typer.Option(min=0, help="Pause between a call's utterances (ms)")] = 1500,
    rate: Annotated[float | None, typer.Option(
        min=0.1, help="Utterances a second the calls offer together, on a clock (open loop; replaces "
                      "--think-ms): the latency at that load")] = None,
    port: Annotated[int, typer.Option(help="Port for the served app")] = 8765,
    workers: Annotated[int | None, typer.Option(
        min=0, max=32, help="Turn worker processes of the served app (HOTLINE_TURN_WORKERS; 0: turns in the API "
                            "process)")] = None,
    ingest: Annotated[Path | None, typer.Option(
        exists=True, dir_okay=False, help="A bulletin to ingest before the calls (into a copy of the knowledge "
                                          "base): memory after a knowledge manager's ingest")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object (the default)")] = True,
) -> None:
    """Serve the app on the demo data, replay many calls at once over HTTP + SSE, report latency and memory."""
    from copilot.loadtest import run_turn_bench

    settings = get_settings()
    if not settings.sim_db_path.is_file():
        typer.echo(f"模拟后台数据库不存在: {settings.sim_db_path}\n先运行: make data", err=True)
        raise typer.Exit(2)
    report = run_turn_bench(settings.sim_db_path, settings.kb_path,
                            settings.models_dir or settings.data_dir / "models", calls, utterances, think_ms / 1000,
                            port, settings.turn_workers if workers is None else workers, ingest, rate)
    typer.echo(json.dumps(report, ensure_ascii=False, indent=None if as_json else 2))
