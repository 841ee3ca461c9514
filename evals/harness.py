"""The harness: replay a suite turn by turn and write a self-contained, resumable run directory.

`run_suite` loads and checks the whole suite first (a bad file fails before anything runs), prepares the eval
world, writes ``run.json``, then replays each scenario in process (`evals.replay`) or against a server
(`evals.http_replay`). Each finished case is appended to ``results.jsonl`` as one line (flushed and synced);
a failing case is recorded with its error and the run goes on. Re-running into the same directory resumes: the
cases already written are skipped (a torn last line is cut off and that case runs again). Run directory::

    run.json            what was run: suite path and sha256, config, url, world manifest, start and end
    results.jsonl       one CaseResult per finished case (evals/records.py)
    harness.log         what the harness did, personal data masked
    checkpoints.sqlite  in process: every call's graph state (transcripts masked), as the API stores it
    audit.sqlite        in process: every card shown on every call (the API's audit trail)
    calls/              over HTTP: each call's stored state and audit trail, as the server returns them
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import yaml

from copilot.backends import wall_clock
from copilot.pii import mask
from copilot.settings import Settings, get_settings
from evals.fixtures import PreparedCase, check_caller, check_fixture, prepare, read_schema, suite_scripts
from evals.goldcheck import KnownIds, gold_problems
from evals.provenance import product, served_kb_version
from evals.records import MANIFEST, RESULTS, CaseResult, RunManifest, read_manifest, read_results
from evals.scenario import load_suite
from evals.targets import read_sidecar, sidecar_path
from evals.world import World, WorldSpec, default_world_dir, open_world, prepare_world
from knowledge.embedding import Embedder
from knowledge.schema import EmergencyScript

Config = Literal["deterministic", "llm"]
LOG = "harness.log"
WORK = ".work"
"""Scratch space of a run (simulator copies, the knowledge index with the suite's scripts); removed at the end."""


class HarnessError(RuntimeError):
    """The run cannot start: bad options, an output directory holding another run, no LLM configured..."""


class Replayer(Protocol):
    """Replays one prepared scenario into a result."""

    def skip_reason(self, case: PreparedCase) -> str | None:
        """Why this replayer cannot run the case, or None."""
        ...

    def replay(self, case: PreparedCase, call_id: str, result: CaseResult) -> None:
        """Fill `result` with the case's turns and wrap-up; raise on failure."""
        ...

    def close(self) -> None:
        """Release what it holds."""
        ...


class RunLog:
    """The run's log file; every line is masked (copilot/pii.py) before it is written."""

    def __init__(self, path: Path, clock: Callable[[], datetime], echo: Callable[[str], None]) -> None:
        self._file = path.open("a", encoding="utf-8")
        self._clock = clock
        self._echo = echo

    def __call__(self, message: str, *, echo: bool = False) -> None:
        """Write one line (and show it when `echo`)."""
        line = mask(message)
        self._file.write(f"{self._clock().isoformat(timespec='seconds')} {line}\n")
        self._file.flush()
        if echo:
            self._echo(line)

    def close(self) -> None:
        """Close the file."""
        self._file.close()


@dataclass
class RunOutcome:
    """What a run left: its directory, manifest and every result (earlier attempts' included)."""

    run_dir: Path
    manifest: RunManifest
    results: list[CaseResult]
    ran: int
    """Cases replayed by this invocation (the others were already in results.jsonl)."""


def suite_sha256(path: Path) -> str:
    """The suite file's sha256 (a run directory belongs to one suite)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def call_id_of(case_id: str) -> str:
    """A fresh call id for a case: the API accepts letters, digits, ``_`` and ``-`` only."""
    return f"{re.sub(r'[^A-Za-z0-9_-]', '_', case_id)[:48]}-{uuid.uuid4().hex[:8]}"


def _resume_point(out: Path, sha: str, config: str, url: str | None, fresh: bool,
                  evaluated: dict[str, Any]) -> RunManifest | None:
    """The earlier manifest to resume, or None for a new run; nothing is changed yet.

    Raises:
        HarnessError: `out` holds a run of another suite or configuration, or of a copilot whose data files
            (playbooks, statements, vocabulary ...) have changed since (without `fresh`), or is a non-empty
            directory that is not a run directory.
    """
    if (out / MANIFEST).is_file():
        old = read_manifest(out)
        if fresh:
            return None
        if old.suite_sha256 != sha:
            raise HarnessError(f"{out} 里是另一个套件的运行（{old.suite}，sha256 不同）；"
                               "换一个 --out，或加 --fresh 从头运行")
        if old.config != config or old.url != url:
            raise HarnessError(f"{out} 里的运行用的是 config={old.config} url={old.url}，与本次不同；"
                               "换一个 --out，或加 --fresh 从头运行")
        before = old.product.get("data_sha256")
        if before and before != evaluated["data_sha256"]:
            raise HarnessError(f"{out} 里的运行开始后，剧本或数据文件已改动（copilot/data、playbooks、"
                               "knowledge/data），接着跑会把新旧结果混在一起；换一个 --out，或加 --fresh 从头运行")
        commit = old.product.get("git")
        if commit and evaluated.get("git") and commit != evaluated["git"]:
            raise HarnessError(f"{out} 里的运行是在代码版本 {commit} 上开始的，现在是 {evaluated['git']}，"
                               "接着跑会把两个版本的结果混在一起；换一个 --out，或加 --fresh 从头运行")
        return old
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise HarnessError(f"{out} 不是评测运行目录（没有 {MANIFEST}）且不为空，请换一个 --out")
    return None


SPEC_IDENTITY = ("format", "seed", "subscribers", "as_of", "kb_sample", "embedding", "lexicon")
"""What a world spec says before the world is built (the ids a sampled world keeps may grow as suites use it)."""
WORLD_IDENTITY = (*SPEC_IDENTITY, "keep_ids", "kb_counts")
"""What makes two evaluation worlds the same one (not where or when it was built)."""


def _same_world(out: Path, before: dict[str, Any], now: dict[str, Any], keys: tuple[str, ...] = WORLD_IDENTITY
                ) -> None:
    """Refuse to resume a run on another world than it started on (another sample, seed, date or lexicon).

    Args:
        out: The run directory.
        before: The world the run started on (its ``run.json``).
        now: The world (or the spec of the world) this run would go on with.
        keys: What to compare; a key either side lacks (an older run.json) is not compared.

    Raises:
        HarnessError: Naming what differs.
    """
    differ = [f"{key}: {before.get(key)} → {now.get(key)}" for key in keys
              if key in before and key in now and before.get(key) != now.get(key)]
    if differ:
        raise HarnessError(f"{out} 里的运行是在另一个评测世界上开始的（{'；'.join(differ)}），接着跑会把两个世界的结果"
                           "混在一起；换一个 --out，或加 --fresh 从头运行")


def _start_run_dir(out: Path, resume: RunManifest | None) -> None:
    """Create `out`; a run directory that is not resumed (``--fresh``) is emptied first."""
    if resume is None and (out / MANIFEST).is_file():
        for entry in out.iterdir():
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    out.mkdir(parents=True, exist_ok=True)


def _repair_tail(path: Path) -> None:
    """Cut off a torn last line (a write interrupted mid-line), so the next line starts clean."""
    if not path.is_file():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        with path.open("r+b") as f:
            f.truncate(data.rfind(b"\n") + 1)


def _append(path: Path, result: CaseResult) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(result.model_dump_json() + "\n")
        f.flush()
        os.fsync(f.fileno())


def _write_manifest(out: Path, manifest: RunManifest) -> None:
    tmp = out / f".{MANIFEST}.tmp"
    tmp.write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, out / MANIFEST)


def run_suite(suite: Path | str, out_dir: Path | str, *, config: Config = "deterministic", url: str | None = None,
              world_dir: Path | None = None, world_spec: WorldSpec | None = None, settings: Settings | None = None,
              fresh: bool = False, embedder: Embedder | None = None, clock: Callable[[], datetime] = wall_clock,
              on_case: Callable[[CaseResult], None] | None = None,
              say: Callable[[str], None] = lambda _: None) -> RunOutcome:
    """Replay every scenario of `suite` and write the run directory `out_dir`.

    Args:
        suite: A suite file (.yaml/.yml/.jsonl), anywhere on disk.
        out_dir: The run directory; an existing one of the same suite and options is resumed.
        config: ``deterministic`` (rules only, whatever the environment says) or ``llm`` (the settings' model).
        url: Replay against this running server instead of in process (it must run on the world).
        world_dir: The eval world (default ``<data_dir>/eval-world``).
        world_spec: The world to build or reuse in process (default: the standard full world).
        settings: Product settings (default: from the environment).
        fresh: Start over in an `out_dir` that holds another run.
        embedder: An already loaded embedder to share (tests); loaded from the settings when None.
        clock: Stamps run.json and the log.
        on_case: Called after each case is written (progress display; tests interrupt runs with it).
        say: Progress messages for the console.

    Returns:
        The outcome.

    Raises:
        ScenarioError: The suite file or a scenario in it is bad (nothing ran).
        HarnessError: Bad options, or `out_dir` holds another run.
        evals.world.WorldError: Over HTTP, the world does not exist.
        evals.http_replay.ServerError: Over HTTP, the server is unreachable or not on the world.
    """
    if config not in ("deterministic", "llm"):
        raise HarnessError(f"--config 应为 deterministic 或 llm，而不是 {config!r}")
    suite_path = Path(suite)
    scenarios = load_suite(suite_path)
    sidecar = sidecar_path(suite_path)
    if sidecar.is_file():  # its targets score the run at the end: a mistake in them is found before it runs
        try:
            read_sidecar(sidecar)
        except (ValueError, yaml.YAMLError) as exc:
            raise HarnessError(f"指标目标文件有误：{exc}") from None
    settings = settings or get_settings()
    if config == "llm" and url is None and not (settings.llm_base_url and settings.llm_model and settings.llm_api_key):
        raise HarnessError("--config llm 需要设置 HOTLINE_LLM_BASE_URL、HOTLINE_LLM_MODEL 和 HOTLINE_LLM_API_KEY")
    source = str(suite_path)
    sha = suite_sha256(suite_path)
    out = Path(out_dir)
    evaluated = product()
    old = _resume_point(out, sha, config, url, fresh, evaluated)
    world_root = world_dir or default_world_dir(settings, world_spec.kb_sample if world_spec else None)
    spec = world_spec or WorldSpec.from_settings(settings)
    if old is not None and not url:
        _same_world(out, old.world, spec.key(), SPEC_IDENTITY)  # before a world is built or replaced for it
    world: World = open_world(world_root) if url else prepare_world(
        world_root, spec, embedder=(lambda: embedder) if embedder is not None else None, say=say)
    schema = read_schema(world.sim_db)
    cases = [prepare(s, world.sim_db, world.as_of, source) for s in scenarios]
    scripts = suite_scripts(cases)
    known = KnownIds.of_world(world.sim_db, world.index_dir, world.as_of, also=[s.id for s in scripts])
    for case in cases:  # every case's mistakes before any case runs
        check_fixture(case, schema)
        for where, problem in gold_problems(case.scenario.gold, known):
            raise case.fail(where, problem)
        check_caller(case, world.sim_db)
    if old is not None:
        _same_world(out, old.world, world.manifest)
    _start_run_dir(out, old)
    served = {} if url else {"kb_version": served_kb_version(world.index_dir)}  # over HTTP: the server's own
    manifest = RunManifest(suite=str(suite_path.resolve()), suite_sha256=sha, config=config, url=url,
                           world={**world.manifest, **served, "path": str(world.root.resolve())},
                           product=old.product if old and old.product else evaluated,
                           started=old.started if old else clock().isoformat(timespec="seconds"), cases=len(cases))
    _write_manifest(out, manifest)
    _repair_tail(out / RESULTS)
    done = {r.id for r in read_results(out)}
    log = RunLog(out / LOG, clock, say)
    work = out / WORK
    shutil.rmtree(work, ignore_errors=True)
    ran = 0
    try:
        log(f"运行 {suite_path}（{len(cases)} 个场景，已完成 {len(done)} 个），config={config}"
            f"{f' url={url}' if url else ''}，评测世界 {world.root}", echo=True)
        replayer = _replayer(config, url, world, out, work, settings, scripts, embedder, log)
        try:
            for case in cases:
                if case.scenario.id in done:
                    continue
                result = _run_case(replayer, case, log)
                _append(out / RESULTS, result)
                ran += 1
                if on_case is not None:
                    on_case(result)
        finally:
            replayer.close()
        manifest.finished = clock().isoformat(timespec="seconds")
        _write_manifest(out, manifest)
        results = read_results(out)
        log(f"完成: 本次 {ran} 个，共 {len(results)} 个，失败或跳过 {sum(not r.ok for r in results)} 个", echo=True)
    finally:
        log.close()
        shutil.rmtree(work, ignore_errors=True)
    return RunOutcome(out, manifest, results, ran)


def _replayer(config: Config, url: str | None, world: World, out: Path, work: Path, settings: Settings,
              scripts: list[EmergencyScript], embedder: Embedder | None, log: RunLog) -> Replayer:
    if url is not None:
        from evals.http_replay import HttpReplayer

        return HttpReplayer(url, world, out, say=log, config=config)
    from evals.replay import InProcessReplayer

    return InProcessReplayer(settings=settings, world=world, run_dir=out, work_dir=work, llm=config == "llm",
                             scripts=scripts, embedder=embedder, say=log)


def _run_case(replayer: Replayer, case: PreparedCase, log: RunLog) -> CaseResult:
    """Replay one case; any failure is recorded in the result, never raised."""
    scenario = case.scenario
    result = CaseResult(id=scenario.id, description=scenario.description, tags=scenario.tags,
                        msisdn_masked=mask(case.msisdn), gold=scenario.gold, ok=True)
    skip = replayer.skip_reason(case)
    if skip is not None:
        log(f"[{scenario.id}] {skip}")
        return result.model_copy(update={"ok": False, "error": skip})
    call_id = call_id_of(scenario.id)
    result.call_id = call_id
    started = time.perf_counter()
    try:
        replayer.replay(case, call_id, result)
    except Exception as exc:  # one failing scenario never stops the run
        result.ok = False
        result.error = mask(f"{type(exc).__name__}: {exc}")
    result.seconds = round(time.perf_counter() - started, 3)
    for turn in result.turns:
        top = turn.suggestion.intents[0][0] if turn.suggestion.intents else "-"
        log(f"[{scenario.id}] 第{turn.index}句 {turn.speaker} {turn.latency_ms:.0f}ms 意图={top} "
            f"发现={','.join(turn.suggestion.findings) or '-'}")
    log(f"[{scenario.id}] {'完成' if result.ok else '失败: ' + (result.error or '')}（{result.seconds:.1f}s）")
    return result
