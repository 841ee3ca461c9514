"""Typed errors of the back-office layer.

Every error names the system it came from, so a degraded result can say which
system failed. HTTP status codes are part of the contract between
`tools.sim.server` and the HTTP clients.
"""

from __future__ import annotations

from typing import ClassVar


class BackendError(Exception):
    """Base class: something went wrong talking to a back-office system."""

    code: ClassVar[str] = "backend_error"
    http_status: ClassVar[int] = 500

    def __init__(self, system: str, message: str) -> None:
        super().__init__(f"[{system}] {message}")
        self.system = system
        self.message = message

    def to_dict(self) -> dict[str, str]:
        """The JSON error body used on the wire."""
        return {"code": self.code, "system": self.system, "message": self.message}


class InvalidInput(BackendError):
    """The request itself is wrong (e.g. a malformed MSISDN)."""

    code = "invalid_input"
    http_status = 422


class RecordNotFound(BackendError):
    """The system has no such record (unknown MSISDN, account, ticket...)."""

    code = "not_found"
    http_status = 404


class OperationRejected(BackendError):
    """A write was refused by a business rule (e.g. not eligible for the elastic pack)."""

    code = "rejected"
    http_status = 409


class IdempotencyConflict(BackendError):
    """The idempotency key was already used for a different request."""

    code = "idempotency_conflict"
    http_status = 409


class SystemUnavailable(BackendError):
    """The system answered with an error or could not be reached."""

    code = "unavailable"
    http_status = 503


class SystemTimeout(BackendError):
    """The system did not answer in time."""

    code = "timeout"
    http_status = 504


class BadResponse(BackendError):
    """The system answered with something that does not match the contract."""

    code = "bad_response"
    http_status = 502


ERRORS_BY_CODE: dict[str, type[BackendError]] = {
    cls.code: cls
    for cls in (
        BackendError,
        InvalidInput,
        RecordNotFound,
        OperationRejected,
        IdempotencyConflict,
        SystemUnavailable,
        SystemTimeout,
        BadResponse,
    )
}
