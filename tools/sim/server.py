"""`hotline sim serve`: the simulator behind the same HTTP contract a real deployment implements."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from tools.aaa.routes import build_router as aaa_router
from tools.backends import Backends
from tools.base.errors import BackendError, SystemUnavailable
from tools.boss.routes import build_router as boss_router
from tools.coverage.routes import build_router as coverage_router
from tools.pon.routes import build_router as pon_router
from tools.ticketing.routes import build_router as ticketing_router

CONTRACT_VERSION = "1.0.0"
OPENAPI_PATH = Path(__file__).resolve().parent.parent / "openapi.json"
SYSTEM_BY_PREFIX = {"/boss": "BOSS", "/aaa": "AAA", "/pon": "PON", "/coverage": "COVERAGE",
                    "/ticketing": "TICKETING"}


def _system_of(path: str) -> str:
    return next((s for p, s in SYSTEM_BY_PREFIX.items() if path.startswith(p)), "SIM")


def create_sim_app(backends: Backends, *, token: str | None = None) -> FastAPI:
    """The HTTP API over `backends` (the simulator's clients when served by `hotline sim serve`).

    Args:
        backends: The clients the routes delegate to.
        token: When set, every request must carry ``Authorization: Bearer <token>``.

    Returns:
        The FastAPI app.
    """
    app = FastAPI(
        title="Hotline back-office API",
        version=CONTRACT_VERSION,
        description="BOSS, AAA/Radius, PON, coverage and ticketing: the contract the copilot's HTTP clients speak. "
        "Errors are {\"error\": {code, system, message}}; writes need an Idempotency-Key header.",
    )
    for router in (boss_router(backends.boss), aaa_router(backends.aaa), pon_router(backends.pon),
                   coverage_router(backends.coverage), ticketing_router(backends.ticketing)):
        app.include_router(router)

    @app.middleware("http")
    async def check_token(request: Request, call_next: Any) -> Any:
        open_paths = ("/healthz", "/openapi.json", "/docs")
        if token and request.url.path not in open_paths and request.headers.get("authorization") != f"Bearer {token}":
            return JSONResponse(status_code=401, content={"error": {
                "code": "unauthorized", "system": _system_of(request.url.path), "message": "缺少或错误的访问令牌"}})
        return await call_next(request)

    @app.exception_handler(BackendError)
    async def backend_error(_: Request, exc: BackendError) -> JSONResponse:
        return JSONResponse(status_code=exc.http_status, content={"error": exc.to_dict()})

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return JSONResponse(status_code=422, content={"error": {
            "code": "invalid_input", "system": _system_of(request.url.path),
            "message": f"请求参数不正确: {where} {first.get('msg', '')}".strip()}})

    @app.get("/healthz", tags=["Health"])
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "contract": CONTRACT_VERSION, "backends": {k.value: v for k, v in
                                                                           backends.kinds.items()}}

    return app


def openapi_document(app: FastAPI) -> str:
    """The contract as stable, pretty JSON (what tools/openapi.json holds)."""
    return json.dumps(app.openapi(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class _Unserved:
    """Stands in for every client when only the contract is wanted."""

    def __getattr__(self, name: str) -> Any:
        raise SystemUnavailable("SIM", f"{name}: 仅用于生成接口文档，未连接后台")


def contract_document() -> str:
    """The contract, without opening any database."""
    stub: Any = _Unserved()
    return openapi_document(create_sim_app(Backends(stub, stub, stub, stub, stub)))
