"""`hotline sim`: generate, inspect and serve the back-office simulator."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import TypeAdapter, ValidationError

from copilot.backends import wall_clock
from copilot.settings import get_settings
from tools.base.errors import BackendError
from tools.base.faults import FaultConfig
from tools.base.values import System

app = typer.Typer(help="The back-office simulator (BOSS, AAA, PON, coverage, ticketing).", no_args_is_help=True)

DbOption = Annotated[
    Path | None, typer.Option("--db", help="Simulator DB (default: HOTLINE_SIM_DB or data/sim.sqlite)")
]


def _db_path(db: Path | None) -> Path:
    path = db or get_settings().sim_db_path
    if not path.is_file():
        typer.echo(f"模拟后台数据库不存在: {path}\n先运行: hotline sim generate --out {path}", err=True)
        raise typer.Exit(2)
    return path


def _parse_as_of(value: str | None) -> datetime:
    if value is None:
        return wall_clock().replace(hour=10, minute=0, second=0)
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None, microsecond=0)
    except ValueError:
        raise typer.BadParameter(f"时间格式不正确: {value!r}（例: 2026-11-23T10:00:00）") from None


@app.command()
def generate(
    subscribers: Annotated[int, typer.Option(min=50, max=500_000, help="Number of mobile lines")] = 20000,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same data")] = 7,
    out: Annotated[Path | None, typer.Option(help="Output file (default: the configured sim DB)")] = None,
    as_of: Annotated[str | None, typer.Option(help="Simulated 'now', ISO (default: today 10:00 CST)")] = None,
) -> None:
    """Generate the simulator database (seeded and deterministic)."""
    from tools.sim.generator import generate_database

    path = out or get_settings().sim_db_path
    when = _parse_as_of(as_of)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    counts = generate_database(path, subscribers=subscribers, seed=seed, as_of=when)
    took = time.perf_counter() - started
    typer.echo(json.dumps({"out": str(path), "as_of": when.isoformat(), "seed": seed, "seconds": round(took, 2),
                           "rows": counts}, ensure_ascii=False))


@app.command()
def lookup(
    msisdn: Annotated[str, typer.Argument(help="The caller's mobile number")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Print a caller's picture across all five systems."""
    from tools.backends import build_backends
    from tools.picture import caller_picture
    from tools.sim.db import SimDatabase

    sim_db = SimDatabase(_db_path(db))
    try:
        picture = caller_picture(build_backends(sim_db=sim_db), msisdn, sim_db.now)
    except BackendError as exc:
        typer.echo(f"{exc.system}: {exc.message}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(picture, ensure_ascii=False, indent=2))
        return
    from copilot.cli.picture_view import render_picture

    render_picture(picture)


@app.command()
def examples(db: DbOption = None, per_situation: Annotated[int, typer.Option(min=1, max=20)] = 2) -> None:
    """List sample lines for each situation the simulator contains (for demos and manual testing)."""
    from tools.sim.db import SimDatabase

    sim_db = SimDatabase(_db_path(db))
    rows = sim_db.query(
        "SELECT situation, msisdn FROM sim_profiles ORDER BY situation, msisdn"
    )
    shown: dict[str, list[str]] = {}
    for r in rows:
        shown.setdefault(r["situation"], [])
        if len(shown[r["situation"]]) < per_situation:
            shown[r["situation"]].append(r["msisdn"])
    for situation, numbers in shown.items():
        typer.echo(f"{situation:32s} {' '.join(numbers)}")


def _parse_faults(value: str | None) -> dict[System, FaultConfig]:
    if not value:
        return {}
    text = Path(value).read_text(encoding="utf-8") if Path(value).is_file() else value
    try:
        return TypeAdapter(dict[System, FaultConfig]).validate_json(text)
    except ValidationError as exc:
        raise typer.BadParameter(f"故障配置不正确: {exc.errors()[0]['loc']} {exc.errors()[0]['msg']}") from None


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Listen address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8100,
    token: Annotated[str | None, typer.Option(help="Require 'Authorization: Bearer TOKEN'")] = None,
    faults: Annotated[str | None, typer.Option(help='Faults JSON or file: {"BOSS": {"error_rate": 0.2}}')] = None,
    clock: Annotated[str, typer.Option(help="data (simulated now) or wall")] = "data",
) -> None:
    """Serve the simulator over the HTTP contract (tools/openapi.json)."""
    import uvicorn

    from tools.backends import build_backends
    from tools.sim.db import SimDatabase
    from tools.sim.server import create_sim_app

    sim_db = SimDatabase(_db_path(db), clock=wall_clock if clock == "wall" else None)
    backends = build_backends(sim_db=sim_db, faults=_parse_faults(faults))
    uvicorn.run(create_sim_app(backends, token=token), host=host, port=port, log_level="warning")


@app.command()
def openapi(out: Annotated[Path | None, typer.Option(help="Write here instead of stdout")] = None) -> None:
    """Print the HTTP contract (OpenAPI) that real back-office adapters implement."""
    from tools.sim.server import contract_document

    doc = contract_document()
    if out:
        out.write_text(doc, encoding="utf-8")
    else:
        typer.echo(doc, nl=False)
