"""`hotline kb`: generate, build, ingest, inspect, search and benchmark the knowledge base."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from copilot.backends import product_clock
from copilot.settings import get_settings

if TYPE_CHECKING:
    from knowledge.corpus import OutageRef

app = typer.Typer(help="The knowledge base: knowledge points, emergency scripts, bulletins.", no_args_is_help=True)
console = Console(stderr=True)


def _manager():  # type: ignore[no-untyped-def]
    from copilot.knowledge import open_knowledge

    settings = get_settings()
    return open_knowledge(settings, product_clock(settings))


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True)


def _fail(message: str, code: int = 1) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _day_and_outages(as_of: str | None) -> tuple[date, list[OutageRef]]:
    """The corpus day (given, or the product's today) and the simulator's outages of the month before it."""
    from copilot.backends import open_backends
    from knowledge.corpus import OutageRef

    settings = get_settings()
    day = datetime.fromisoformat(as_of).date() if as_of else product_clock(settings)().date()
    outages: list[OutageRef] = []
    try:
        backends, _ = open_backends(settings)
        since = (datetime.combine(day, datetime.min.time()) - timedelta(days=31)).isoformat()
        until = (datetime.combine(day, datetime.min.time()) + timedelta(days=1)).isoformat()
        outages = [OutageRef.model_validate(o.model_dump()) for o in backends.coverage.list_outages(since, until)]
    except FileNotFoundError:
        console.print("[yellow]未找到模拟后台数据库：应急口径不关联故障通告（先运行 hotline sim generate）[/yellow]")
    return day, outages


@app.command()
def generate(
    seed: Annotated[int, typer.Option(help="Random seed")] = 7,
    out: Annotated[Path | None, typer.Option(help="Corpus directory (default: <kb>/corpus)")] = None,
    as_of: Annotated[str | None, typer.Option(help="Last day of the month of scripts (default: the product's today)")]
    = None,
) -> None:
    """Generate the demo corpus: 10,000+ points, a month of daily scripts, bulletins, a labelled query set."""
    from knowledge.corpus import generate_corpus

    settings = get_settings()
    day, outages = _day_and_outages(as_of)
    root = out or settings.kb_path / "corpus"
    counts = generate_corpus(root, seed=seed, as_of=day, outages=outages)
    typer.echo(json.dumps({"out": str(root), "as_of": day.isoformat(), "outages": len(outages), **counts},
                          ensure_ascii=False))


@app.command()
def rebuild(
    corpus: Annotated[Path | None, typer.Option(help="Corpus directory to build from (default: the serving "
                                                     "index's documents, or <kb>/corpus when none)")] = None,
    if_lexicon_changed: Annotated[bool, typer.Option(
        "--if-lexicon-changed", help="Only when the serving index was cut with another lexicon (make demo)")] = False,
) -> None:
    """Build a complete new index beside the serving one; switch only after it validates."""
    from knowledge.corpus import CorpusPaths
    from knowledge.manager import CorpusError, KnowledgeIndexError

    manager = _manager()
    if if_lexicon_changed and not manager.store.lexicon_changed():
        info = manager.store.current()
        typer.echo(json.dumps({"rebuilt": False, "index": info.name if info else None,
                               "reason": "索引与当前词表一致" if info else "没有在用索引"}, ensure_ascii=False))
        return
    source = corpus or (None if manager.store.current() else get_settings().kb_path / "corpus")
    paths = None
    if source is not None:
        cp = CorpusPaths.under(source)
        if not cp.points.is_file():
            _fail(f"语料不存在: {cp.points}（先运行 hotline kb generate）", 2)
        paths = (cp.points, cp.scripts)
    with _progress() as bar:
        task = bar.add_task("构建索引", total=None)

        def report(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        try:
            info = manager.rebuild(paths, progress=report)
        except (CorpusError, KnowledgeIndexError) as exc:
            _fail(str(exc))
    typer.echo(json.dumps(info.manifest, ensure_ascii=False))


def _guides_losing(manager: Any, plan: Any) -> list[dict[str, str]]:
    """The playbook guides whose know-how the plan retires (`copilot.guides.guides_losing`)."""
    retired = plan.retired_points
    if not retired:
        return []
    from copilot.backends import open_backends
    from copilot.guides import guides_losing
    from copilot.playbooks.engine import PlaybookEngine
    from copilot.playbooks.schema import load_playbooks
    from knowledge.store import KnowledgeIndexError
    from knowledge.vocabulary import load_vocabulary

    try:
        backends, clock = open_backends(get_settings())
        searcher = manager.store.open()
    except (FileNotFoundError, KnowledgeIndexError) as exc:
        console.print(f"[yellow]未检查剧本指引：{exc}[/yellow]")
        return []
    vocabulary = load_vocabulary()
    books = load_playbooks(vocabulary, set(PlaybookEngine(backends.tools(clock), vocabulary).read_tools))
    return guides_losing(searcher, books, retired, manager.clock())


def _show_losing(losing: list[dict[str, str]]) -> None:
    if not losing:
        return
    table = Table(title="注意：这些剧本指引目前展示的知识将被下线（请发布替代知识或调整剧本）")
    for col in ("剧本", "指引", "将下线的知识点"):
        table.add_column(col)
    for g in losing:
        table.add_row(g["intent"], g["guide"], f"{g['id']} {g['title']}")
    console.print(table)


def _serving_note(version: str) -> str:
    """What a running server does with the version just switched to (it watches CURRENT, unless told not to)."""
    every = get_settings().kb_watch_s
    if every:
        return f"运行中的服务会在 {every:g} 秒内切换到 {version}"
    return f"HOTLINE_KB_WATCH_S=0：运行中的服务不会自动切换，重启服务或经 /kb 页面上传后才使用 {version}"


def _show_plan(plan_dict: dict[str, object]) -> None:
    rows = [c for c in plan_dict["changes"] if c["action"] != "unchanged"]  # type: ignore[attr-defined]
    if not rows:  # an empty table says nothing; a no-op re-ingest is normal (twice the same bulletin)
        console.print("没有变化：公告内容与在用索引一致")
    else:
        table = Table(title="公告差异（将要应用的变更）")
        for col in ("动作", "类型", "编号", "标题", "说明"):
            table.add_column(col, overflow="fold")  # whole titles and details, wrapped, never cut with …
        for c in rows:
            table.add_row(c["label"], "知识点" if c["kind"] == "point" else "口径", c["id"], c["title"], c["detail"])
        console.print(table)
    console.print(f"汇总: {plan_dict['summary']}")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Bulletins: .md, .docx, .pdf")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the diff, apply nothing")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the diff as JSON")] = False,
) -> None:
    """Parse bulletins, show the diff, and apply it (incrementally, atomically)."""
    from knowledge.ingest import IngestError
    from knowledge.manager import KnowledgeIndexError

    manager = _manager()
    try:
        plan = manager.plan(paths)
    except IngestError as exc:
        _fail(str(exc))
    losing = _guides_losing(manager, plan)
    if as_json and dry_run:
        typer.echo(json.dumps({**plan.to_dict(), "guides_losing": losing}, ensure_ascii=False, indent=2))
        return
    _show_plan(plan.to_dict())
    _show_losing(losing)
    if dry_run:
        return
    with _progress() as bar:
        task = bar.add_task("应用公告", total=None)
        try:
            _, info = manager.ingest(paths, progress=lambda s, d, t: bar.update(task, description=s, completed=d,
                                                                                  total=t))
        except (IngestError, KnowledgeIndexError) as exc:
            _fail(str(exc))
    current = manager.store.current()
    result = {"applied": info is not None, "index": current.name if current else None, "summary": plan.summary(),
              "guides_losing": losing,
              **({"note": _serving_note(info.name)} if info else {})}
    typer.echo(json.dumps(result, ensure_ascii=False))


@app.command()
def status(as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """Counts by kind, index version, last change, embedding model, expired items."""
    info = _manager().status()
    if as_json:
        typer.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    for key, value in info.items():
        typer.echo(f"{key}: {value}")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What the caller said")],
    region: Annotated[str, typer.Option(help="Caller's region: 全国 / 江西省 / 江西省南昌市")] = "全国",
    district: Annotated[str | None, typer.Option(help="Caller's district, e.g. 西湖区")] = None,
    at: Annotated[str | None, typer.Option(help="Moment, ISO (default: the product's now)")] = None,
    kind: Annotated[str, typer.Option(help="point, script or all")] = "all",
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="Hits")] = 5,
    mode: Annotated[str, typer.Option(help="hybrid, bm25 or dense")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Search as the copilot would, with the caller's region and date filters."""
    from dataclasses import asdict

    from knowledge.manager import KnowledgeIndexError
    from knowledge.schema import RegionScope

    manager = _manager()
    try:
        scope = RegionScope.parse(region)
        moment = datetime.fromisoformat(at) if at else manager.clock()
    except ValueError as exc:
        _fail(str(exc), 2)
    if mode not in ("hybrid", "bm25", "dense") or kind not in ("point", "script", "all"):
        _fail("mode 应为 hybrid/bm25/dense，kind 应为 point/script/all", 2)
    kinds = ("point", "script") if kind == "all" else (kind,)
    try:
        searcher = manager.store.open()
    except KnowledgeIndexError as exc:
        _fail(str(exc), 2)
    hits = searcher.search(query, province=scope.province, city=scope.city, district=district, at=moment,
                           kinds=kinds, k=k, mode=mode)
    if as_json:
        typer.echo(json.dumps({"query": query, "region": region, "at": moment.isoformat(), "index": searcher.version,
                               "hits": [asdict(h) for h in hits]}, ensure_ascii=False, indent=2))
        return
    for h in hits:
        typer.echo(f"{h.rank}. [{h.id}] {h.title}  ({h.region}, {h.score})  {h.why}")


@app.command()
def queries(
    out: Annotated[Path, typer.Option(help="Where to write the fresh queries (JSONL)")],
    draw: Annotated[int, typer.Option(help="Seed of the fresh draw (not the corpus seed)")] = 1007,
    seed: Annotated[int, typer.Option(help="Seed the corpus was generated with")] = 7,
    corpus: Annotated[Path | None, typer.Option(help="Corpus directory (default: <kb>/corpus)")] = None,
    as_of: Annotated[str | None, typer.Option(help="The corpus day (default: the product's today)")] = None,
) -> None:
    """Draw a fresh labelled query set over the corpus, to check that tuning on dev carries over.

    Then: hotline kb bench --queries OUT --split all --json
    """
    from knowledge.corpus.build import CorpusMismatch, draw_queries

    day, outages = _day_and_outages(as_of)
    root = corpus or get_settings().kb_path / "corpus"
    try:
        fresh = draw_queries(root, seed=seed, draw=draw, as_of=day, outages=outages)
    except CorpusMismatch as exc:
        _fail(str(exc), 2)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in fresh), encoding="utf-8")
    tmp.replace(out)
    typer.echo(json.dumps({"out": str(out), "draw": draw, "queries": len(fresh)}, ensure_ascii=False))


@app.command()
def bench(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = True,
    queries: Annotated[Path | None, typer.Option(help="Labelled queries (default: <kb>/corpus/queries.jsonl)")]
    = None,
    split: Annotated[str, typer.Option(help="test, dev or all")] = "test",
) -> None:
    """Retrieval quality and speed: bm25 vs dense vs hybrid, build and re-ingest times, peak RSS."""
    from knowledge.bench import run_bench

    settings = get_settings()
    report = run_bench(settings.kb_path, queries_path=queries, split=split, chroma_url=settings.chroma_url)
    typer.echo(json.dumps(report, ensure_ascii=False, indent=2 if not as_json else None))
