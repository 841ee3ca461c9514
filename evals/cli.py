"""`hotline eval`: build the eval world, replay suites, write reports, compare runs.

Installed as a plug-in of the ``hotline`` command (entry point group ``hotline.cli``); the product never imports
this package.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from copilot.settings import get_settings

app = typer.Typer(help="Offline evaluation: replay scenario suites, score them, compare runs.",
                  no_args_is_help=True)

WorldOption = Annotated[Path | None, typer.Option("--world", help="Eval world directory (default: "
                                                                   "<data_dir>/eval-world)")]


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _say(message: str) -> None:
    typer.echo(message, err=True)


def _summary(results: list[Any]) -> dict[str, Any]:
    skipped = [r for r in results if not r.ok and (r.error or "").startswith("skipped:")]
    failed = [r for r in results if not r.ok and r not in skipped]
    latencies = sorted(t.latency_ms for r in results for t in r.turns if t.speaker == "caller")
    p50 = latencies[len(latencies) // 2] if latencies else None
    return {"cases": len(results), "ok": sum(r.ok for r in results), "failed": len(failed), "skipped": len(skipped),
            "turns": sum(len(r.turns) for r in results), "latency_p50_ms": p50,
            "errors": dict(Counter((r.error or "").split(":")[0] for r in failed).most_common(5))}


def _reports(run_dir: Path) -> dict[str, Path]:
    try:
        from evals.report import write_reports
    except ImportError as exc:
        _say(f"报告模块不可用，未写报告: {exc}")
        return {}
    try:
        written: dict[str, Path] = write_reports(run_dir)
    except ValueError as exc:  # the suite's targets file, edited since the run started
        _fail(str(exc))
    return written


@app.command()
def run(
    suite: Annotated[Path, typer.Argument(help="Suite file (.yaml/.yml/.jsonl), anywhere on disk")],
    out: Annotated[Path, typer.Option("--out", help="Run directory (an existing one of this suite is resumed)")],
    config: Annotated[str, typer.Option(help="deterministic (rules only) or llm (HOTLINE_LLM_*)")] = "deterministic",
    url: Annotated[str | None, typer.Option(help="Replay against this running server instead of in process")]
    = None,
    world: WorldOption = None,
    kb_sample: Annotated[int | None, typer.Option(help="Index only this many knowledge points (plus the suite's "
                                                        "gold ids): a small, fast world")] = None,
    fresh: Annotated[bool, typer.Option("--fresh", help="Start over in a run directory of another run")] = False,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 when a metric misses its target")] = False,
) -> None:
    """Replay every scenario of SUITE turn by turn and write the run directory, then its reports."""
    from evals.harness import HarnessError, run_suite
    from evals.http_replay import ServerError
    from evals.scenario import ScenarioError, load_suite
    from evals.world import WorldError, WorldSpec, default_world_dir, keep_ids_of

    settings = get_settings()
    if config not in ("deterministic", "llm"):
        _fail(f"--config 应为 deterministic 或 llm，而不是 {config!r}")
    try:
        keep = keep_ids_of([s.gold.knowledge for s in load_suite(suite)]) if kb_sample is not None else ()
        outcome = run_suite(suite, out, config="llm" if config == "llm" else "deterministic", url=url,
                            world_dir=world or default_world_dir(settings, kb_sample),
                            world_spec=WorldSpec.from_settings(settings, kb_sample=kb_sample, keep_ids=keep),
                            settings=settings, fresh=fresh, say=_say)
    except (ScenarioError, HarnessError, WorldError, ServerError) as exc:
        _fail(str(exc))
    summary = _summary(outcome.results)
    typer.echo(json.dumps({"run": str(outcome.run_dir), "ran": outcome.ran, **summary}, ensure_ascii=False))
    for name, path in _reports(outcome.run_dir).items():
        _say(f"{name}: {path}")
    if check:
        _check(outcome.run_dir)


def _check(run_dir: Path) -> None:
    from evals.records import read_results

    try:
        from evals.metrics import check_targets, compute
    except ImportError as exc:
        _fail(f"指标模块不可用，无法 --check: {exc}")

    failures = check_targets(compute(read_results(run_dir), run_dir))
    for line in failures:
        typer.echo(f"未达标: {line}", err=True)
    if failures:
        raise typer.Exit(1)
    _say("全部指标达标")


@app.command()
def report(run_dir: Annotated[Path, typer.Argument(help="A run directory")]) -> None:
    """Write the run's reports again (report.json, report.md, report.html)."""
    from evals.records import read_manifest

    try:
        read_manifest(run_dir)
    except FileNotFoundError as exc:
        _fail(str(exc))
    for name, path in _reports(run_dir).items():
        typer.echo(f"{name}: {path}")


@app.command()
def compare(
    run_a: Annotated[Path, typer.Argument(help="The baseline run directory")],
    run_b: Annotated[Path, typer.Argument(help="The new run directory")],
) -> None:
    """List regressions and improvements case by case; exit 1 when B regressed or lacks cases A ran."""
    from evals.compare import compare_runs, format_comparison
    from evals.records import read_manifest

    for run_dir in (run_a, run_b):
        try:
            read_manifest(run_dir)
        except FileNotFoundError as exc:
            _fail(str(exc))
    comparison = compare_runs(run_a, run_b)
    typer.echo(format_comparison(comparison))
    if comparison.get("regressions") or comparison.get("missing_cases"):
        raise typer.Exit(1)


@app.command("world")
def world_command(
    world: WorldOption = None,
    kb_sample: Annotated[int | None, typer.Option(help="Index only this many knowledge points (a small world)")]
    = None,
    suite: Annotated[list[Path] | None, typer.Option(help="Keep these suites' gold knowledge ids in a sample")]
    = None,
    port: Annotated[int, typer.Option(help="Port in the printed serve command")] = 8000,
) -> None:
    """Build the eval world (or reuse it when it matches) and print its manifest and how to serve it."""
    from evals.scenario import ScenarioError, load_suite
    from evals.world import WorldSpec, default_world_dir, keep_ids_of, prepare_world

    settings = get_settings()
    try:
        keep = keep_ids_of([s.gold.knowledge for path in suite or [] for s in load_suite(path)])
    except ScenarioError as exc:
        _fail(str(exc))
    built = prepare_world(world or default_world_dir(settings, kb_sample),
                          WorldSpec.from_settings(settings, kb_sample=kb_sample, keep_ids=keep), say=_say)
    typer.echo(json.dumps({"world": str(built.root), **built.manifest}, ensure_ascii=False, indent=2))
    _say(f"在这个评测世界上启动服务（供 --url 回放）:\n  {built.serve_command(port)}")
