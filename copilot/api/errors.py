"""Errors as JSON: ``{"error": {"code": ..., "message": ...}}`` for every failure the API returns."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from copilot.api.workers import TurnWorkerError

GENERIC = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
           409: "conflict", 413: "too_large", 422: "invalid_request", 500: "internal_error",
           503: "unavailable"}


def api_error(status_code: int, code: str, message: str, **extra: Any) -> HTTPException:
    """An HTTP error with a stable code and a message for people."""
    return HTTPException(status_code, detail={"code": code, "message": message, **extra})


def _describe(err: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
    return f"{where}: {err.get('msg', '')}" if where else str(err.get("msg", ""))


def install_error_handlers(app: FastAPI) -> None:
    """Make every error (ours, FastAPI's validation, Starlette's 404/405) answer in one JSON shape."""

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        detail: Any = exc.detail
        if not isinstance(detail, dict):
            detail = {"code": GENERIC.get(exc.status_code, "error"), "message": str(detail)}
        return JSONResponse({"error": detail}, status_code=exc.status_code, headers=exc.headers)

    async def invalid(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = exc.errors()
        fields = [{"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "problem": e.get("msg")}
                  for e in errors]
        message = "请求不合法：" + "；".join(_describe(e) for e in errors[:3])
        return JSONResponse({"error": {"code": "invalid_request", "message": message, "fields": fields}},
                            status_code=422)

    async def turn_failed(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"error": {"code": "turn_failed", "message": str(exc)}}, status_code=500)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(TurnWorkerError, turn_failed)
