"""Anthropic's error envelope: the status → ``error.type`` table and the body."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

__all__ = ["ERROR_TYPES", "ApiError", "error_body", "error_type"]

#: HTTP status → ``error.type``, as the real API sends them (405 is decided).
ERROR_TYPES: Final[Mapping[int, str]] = MappingProxyType(
    {
        400: "invalid_request_error",
        401: "authentication_error",
        402: "billing_error",
        403: "permission_error",
        404: "not_found_error",
        405: "invalid_request_error",
        413: "request_too_large",
        429: "rate_limit_error",
        500: "api_error",
        504: "timeout_error",
        529: "overloaded_error",
    }
)


def error_type(status: int) -> str:
    """The ``error.type`` for ``status``: the table, else by class (4xx or 5xx)."""
    found = ERROR_TYPES.get(status)
    if found is not None:
        return found
    return "invalid_request_error" if status < 500 else "api_error"


class ApiError(Exception):
    """A request the API refuses: becomes an error envelope with ``status``."""

    def __init__(self, status: int, message: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers: Mapping[str, str] = headers or {}

    @property
    def type(self) -> str:
        return error_type(self.status)


def error_body(status: int, message: str, request_id: str, details: Mapping[str, Any] | None = None) -> bytes:
    """The JSON envelope of an error, as bytes; ``details`` (``{"error_code": ..., ...}``) as ``error.details``."""
    error: dict[str, Any] = {"type": error_type(status), "message": message}
    if details is not None:
        error["details"] = details
    envelope = {"type": "error", "error": error, "request_id": request_id}
    return json.dumps(envelope, separators=(",", ":")).encode()
