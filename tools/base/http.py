"""The HTTP transport every real-deployment client uses: auth, timeout, retries, circuit breaker.

Error bodies follow the contract served by `tools.sim.server`:
``{"error": {"code": "...", "system": "...", "message": "..."}}``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from tools.base.errors import (
    ERRORS_BY_CODE,
    BackendError,
    BadResponse,
    SystemTimeout,
    SystemUnavailable,
)

M = TypeVar("M", bound=BaseModel)


class CircuitBreaker:
    """Opens after consecutive failures; lets one trial call through after a cool-down."""

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_after_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.reset_after_s = reset_after_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        """closed, open or half_open."""
        with self._lock:
            if self._opened_at is None:
                return "closed"
            if self._clock() - self._opened_at >= self.reset_after_s:
                return "half_open"
            return "open"

    def allow(self) -> bool:
        """Whether a call may go out now."""
        return self.state != "open"

    def record_success(self) -> None:
        """A call succeeded: close the breaker."""
        with self._lock:
            self._failures = 0
            self._opened_at = None

    def record_failure(self) -> None:
        """A call failed after its retries: count it, and open at the threshold."""
        with self._lock:
            self._failures += 1
            if self._failures >= self.failure_threshold or self._opened_at is not None:
                self._opened_at = self._clock()


class HttpTransport:
    """JSON over HTTP to one back-office system."""

    def __init__(
        self,
        system: str,
        base_url: str,
        *,
        auth_header: tuple[str, str] | None = None,
        timeout_s: float = 2.0,
        retries: int = 2,
        backoff_s: float = 0.05,
        breaker: CircuitBreaker | None = None,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.system = system
        self.retries = retries
        self.backoff_s = backoff_s
        self.breaker = breaker or CircuitBreaker()
        self._sleep = sleep
        headers = {auth_header[0]: auth_header[1]} if auth_header else {}
        self._client = client or httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s, headers=headers)

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._client.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Send one request, retrying transient failures with exponential backoff.

        Writes are retried only because they carry an idempotency key.

        Returns:
            The decoded JSON body.

        Raises:
            SystemUnavailable: Connection failures, 5xx answers, or an open circuit breaker.
            SystemTimeout: The system did not answer within the timeout.
            BadResponse: A 2xx answer that is not JSON.
            BackendError: The typed error the system answered with (not found, invalid input...).
        """
        if not self.breaker.allow():
            raise SystemUnavailable(self.system, "连续失败，已熔断，稍后自动重试")
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        last: BackendError = SystemUnavailable(self.system, "未发出请求")
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                resp = self._client.request(method, path, params=clean, json=json, headers=headers)
            except httpx.TimeoutException:
                last = SystemTimeout(self.system, f"{method} {path} 超时")
                continue
            except httpx.TransportError as exc:
                last = SystemUnavailable(self.system, f"{method} {path} 无法连接: {exc.__class__.__name__}")
                continue
            if resp.status_code >= 500:
                last = self._error_from(resp)
                continue
            if resp.status_code >= 400:
                self.breaker.record_success()  # the system is up; the request was refused
                raise self._error_from(resp)
            try:
                body = resp.json()
            except ValueError:
                self.breaker.record_failure()
                raise BadResponse(self.system, f"{method} {path} 返回的不是 JSON") from None
            self.breaker.record_success()
            return body
        self.breaker.record_failure()
        raise last

    def get_model(self, path: str, model: type[M], **params: Any) -> M:
        """GET and validate one record."""
        return self.parse(model, self.request("GET", path, params=params), path)

    def get_list(self, path: str, model: type[M], **params: Any) -> list[M]:
        """GET and validate a list of records."""
        return self.parse(list[model], self.request("GET", path, params=params), path)  # type: ignore[valid-type]

    def post_model(self, path: str, model: type[M], body: Any, idempotency_key: str | None = None) -> M:
        """POST and validate the record returned."""
        data = self.request("POST", path, json=body, idempotency_key=idempotency_key)
        return self.parse(model, data, path)

    def parse(self, model: Any, data: Any, path: str) -> Any:
        """Validate a body against the contract, or raise `BadResponse`."""
        try:
            return TypeAdapter(model).validate_python(data)
        except ValidationError as exc:
            self.breaker.record_failure()
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise BadResponse(self.system, f"{path} 返回的数据不符合接口约定: {where} {first.get('msg')}") from None

    def _error_from(self, resp: httpx.Response) -> BackendError:
        try:
            err = resp.json()["error"]
            cls = ERRORS_BY_CODE.get(err["code"], SystemUnavailable)
            return cls(err.get("system") or self.system, err["message"])
        except (ValueError, KeyError, TypeError):
            if resp.status_code == 504:
                return SystemTimeout(self.system, f"HTTP {resp.status_code}")
            if resp.status_code >= 500:
                return SystemUnavailable(self.system, f"HTTP {resp.status_code}")
            return BadResponse(self.system, f"HTTP {resp.status_code}，错误信息无法解析")
