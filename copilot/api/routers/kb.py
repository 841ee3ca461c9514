"""The knowledge manager's endpoints, mirroring `hotline kb`: search, status, and bulletin ingest with a dry run."""

from __future__ import annotations

import re
import tempfile
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool

from copilot.api.deps import GateDep, IndexWatcherDep, RuntimeDep, TurnsDep
from copilot.api.errors import api_error
from copilot.api.forkgate import ForkGate
from copilot.api.kbswitch import serve_version
from copilot.api.workers import TurnWorkerError, TurnWorkers
from copilot.guides import guides_losing
from knowledge.ingest import IngestError, IngestPlan
from knowledge.schema import RegionScope
from knowledge.store import KnowledgeIndexError

router = APIRouter(prefix="/v1/kb", tags=["knowledge"])
MAX_UPLOAD = 20 * 1024 * 1024
SUFFIXES = (".md", ".markdown", ".docx", ".pdf")
_SAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]")


@router.get("/search")
def search(runtime: RuntimeDep,
           q: Annotated[str, Query(min_length=1, max_length=500, description="What the caller said")],
           region: Annotated[str, Query(description="全国 / 江西省 / 江西省南昌市")] = "全国",
           district: Annotated[str | None, Query(description="District, e.g. 西湖区")] = None,
           at: Annotated[datetime | None, Query(description="Moment (default: the product's now)")] = None,
           kind: Literal["point", "script", "all"] = "all",
           k: Annotated[int, Query(ge=1, le=50)] = 5,
           mode: Literal["hybrid", "bm25", "dense"] = "hybrid") -> dict[str, Any]:
    """Search as the copilot does, with the caller's region and date filters; hits say why they matched."""
    searcher = runtime.services.searcher
    if searcher is None:
        raise api_error(status.HTTP_503_SERVICE_UNAVAILABLE, "no_index", "知识库索引不存在，先运行 hotline kb rebuild")
    try:
        scope = RegionScope.parse(region)
    except ValueError as exc:
        raise api_error(status.HTTP_422_UNPROCESSABLE_CONTENT, "bad_region", str(exc)) from None
    moment = at or runtime.services.clock()
    kinds = ("point", "script") if kind == "all" else (kind,)
    hits = searcher.search(q, province=scope.province, city=scope.city, district=district, at=moment,
                           kinds=kinds, k=k, mode=mode)
    found = [asdict(h) | ({"changes_from": c} if (c := searcher.changes_from(searcher.row(h))) else {}) for h in hits]
    return {"query": q, "region": region, "at": moment.isoformat(), "index": searcher.version, "hits": found}


@router.get("/status")
def kb_status(runtime: RuntimeDep, watcher: IndexWatcherDep) -> dict[str, Any]:
    """Counts by kind, the index version on disk and the one served here, last change, expired items."""
    try:
        on_disk = runtime.knowledge.status()
    except KnowledgeIndexError as exc:  # CURRENT names a version that is not there: this server serves its own
        on_disk = {"index": None, "message": str(exc)}
    return {**on_disk, "serving": runtime.knowledge_version(), "watch": watcher.state()}


@router.get("/docs/{doc_id}")
def get_doc(doc_id: Annotated[str, PathParam(max_length=80)], runtime: RuntimeDep,
            at: Annotated[datetime | None, Query(description="Moment (default: the product's now)")] = None,
            ) -> dict[str, Any]:
    """One knowledge point (full text, version, effective dates, region, source) or emergency script (wording).

    The version in force at `at` (else the newest), with every version the index holds in `versions`: a
    change a bulletin announced for a later day is listed there before it takes effect.
    """
    searcher = runtime.services.searcher
    if searcher is None:
        raise api_error(status.HTTP_503_SERVICE_UNAVAILABLE, "no_index", "知识库索引不存在，先运行 hotline kb rebuild")
    row = searcher.get(doc_id, at=at or runtime.services.clock())
    if row is None:
        raise api_error(status.HTTP_404_NOT_FOUND, "unknown_doc", f"知识库中没有 {doc_id}")
    versions = [{"version": v.version, "from": v.start_ts[:10], "to": v.end_ts[:10] if v.end_ts else None}
                for v in searcher.versions(doc_id)]
    return {"kind": row.kind, "index": searcher.version, **row.doc().model_dump(mode="json"), "versions": versions}


@router.post("/ingest")
async def ingest(request: Request, runtime: RuntimeDep, turns: TurnsDep, gate: GateDep,
                 files: Annotated[list[UploadFile], File(description="Bulletins: md/docx/pdf")],
                 dry_run: Annotated[bool, Query(description="Only show the diff")] = True,
                 dry_run_field: Annotated[bool | None, Form(alias="dry_run", description="The same, as a form field")]
                 = None) -> dict[str, Any]:
    """Ingest bulletins: the diff, and (unless a dry run) apply it and switch the copilot to the new index.

    `dry_run` may come in the query string or as a form field beside the files (`curl -F dry_run=false`); given
    both ways, they must agree. A bad file or record rejects the whole upload with a per-file, per-record
    reason; nothing is applied.
    """
    if dry_run_field is not None:
        if "dry_run" in request.query_params and dry_run_field != dry_run:
            raise api_error(status.HTTP_422_UNPROCESSABLE_CONTENT, "conflicting_dry_run",
                            "dry_run 在查询参数和表单字段里取值不同")
        dry_run = dry_run_field
    with tempfile.TemporaryDirectory(prefix="hotline-upload-") as tmp:
        paths, names = [], {}
        for i, upload in enumerate(files):
            name = _SAFE.sub("_", Path(upload.filename or f"upload-{i}").name)
            if not name.lower().endswith(SUFFIXES):
                raise api_error(status.HTTP_422_UNPROCESSABLE_CONTENT, "bad_file_type",
                                f"{name}: 只接受 Markdown、DOCX 或 PDF 公告")
            data = await upload.read(MAX_UPLOAD + 1)
            if len(data) > MAX_UPLOAD:
                raise api_error(status.HTTP_413_CONTENT_TOO_LARGE, "file_too_large",
                                f"{name}: 超过 {MAX_UPLOAD // 1024 // 1024} MB")
            path = Path(tmp) / str(i) / name
            path.parent.mkdir()
            path.write_bytes(data)
            paths.append(path)
            names[path] = name  # the diff, the errors and the index's note name the upload, not where it was saved
        # parsing, embedding and the index switch take seconds: off the event loop, so streams keep flowing
        return await run_in_threadpool(_ingest, runtime, turns.workers, paths, names, dry_run, gate)


def _ingest(runtime: Any, workers: TurnWorkers | None, paths: list[Path], names: dict[Path, str],
            dry_run: bool, gate: ForkGate | None = None) -> dict[str, Any]:
    manager = runtime.knowledge
    try:
        planned = manager.plan(paths, names)
        losing = _guides_losing(runtime, planned)
        if dry_run:
            return {"dry_run": True, "plan": planned.to_dict(), "index": None, "guides_losing": losing}
        with runtime.kb_lock:
            plan, info = manager.ingest(paths, names=names)
            if info is not None:
                try:  # the turn workers are forked from this process again: they share the new version with it
                    serve_version(runtime, workers, info.searcher, gate)
                except TurnWorkerError as exc:
                    raise api_error(status.HTTP_503_SERVICE_UNAVAILABLE, "workers_not_renewed",
                                    f"新版知识库 {info.name} 已入库并生效于查询，但{exc}") from None
    except IngestError as exc:
        raise api_error(status.HTTP_422_UNPROCESSABLE_CONTENT, "bad_bulletin",
                        "公告未入库（全部未应用）", problems=exc.problems) from None
    except KnowledgeIndexError as exc:
        raise api_error(status.HTTP_409_CONFLICT, "index_unavailable", str(exc)) from None
    return {"dry_run": False, "plan": plan.to_dict(), "index": info.name if info else None, "guides_losing": losing}


def _guides_losing(runtime: Any, plan: IngestPlan) -> list[dict[str, str]]:
    """The playbook guides whose know-how the plan retires (see `copilot.guides.guides_losing`)."""
    searcher = runtime.services.searcher
    retired = plan.retired_points
    if searcher is None or not retired:
        return []
    return guides_losing(searcher, runtime.services.playbooks, retired, runtime.services.clock())
