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


PROBLEMS = {
    "missing": "缺少此字段", "extra_forbidden": "不认识的字段", "json_invalid": "不是合法的 JSON",
    "string_type": "须为文本", "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不符", "too_short": "至少 {min_length} 项", "too_long": "最多 {max_length} 项",
    "literal_error": "须为 {expected} 之一", "enum": "须为 {expected} 之一", "bool_parsing": "须为 true 或 false",
    "bool_type": "须为 true 或 false", "int_parsing": "须为整数", "int_type": "须为整数", "float_parsing": "须为数字",
    "float_type": "须为数字", "greater_than_equal": "须不小于 {ge}", "less_than_equal": "须不大于 {le}",
    "greater_than": "须大于 {gt}", "less_than": "须小于 {lt}", "dict_type": "须为对象", "list_type": "须为列表",
}
"""Pydantic's error types, as an agent's tool or a knowledge manager reads them (its English message otherwise)."""


def _problem(err: dict[str, Any]) -> str:
    """What is wrong with one field, in Chinese where the error type is known."""
    known = PROBLEMS.get(str(err.get("type")))
    if known is None:
        return str(err.get("msg", ""))
    try:
        said = known.format(**(err.get("ctx") or {}))
    except (KeyError, IndexError):
        return str(err.get("msg", ""))
    given = err.get("input")
    if err.get("type") in ("string_too_long", "string_too_short") and isinstance(given, str):
        said += f"（收到 {len(given)} 个）"
    return said


def _describe(err: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
    return f"{where}: {_problem(err)}" if where else _problem(err)


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
        fields = [{"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "problem": _problem(e)}
                  for e in errors]
        message = "请求不合法：" + "；".join(_describe(e) for e in errors[:3])
        return JSONResponse({"error": {"code": "invalid_request", "message": message, "fields": fields}},
                            status_code=422)

    async def turn_failed(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"error": {"code": "turn_failed", "message": str(exc)}}, status_code=500)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(TurnWorkerError, turn_failed)
