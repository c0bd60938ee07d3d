"""The two kinds of response the fake sends: JSON bytes, and the error envelope; both with ``request-id``."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import Response

from .errors import error_body
from .ids import new_request_id

__all__ = ["error_response", "json_response"]

_JSON = "application/json"


def json_response(body: bytes, status: int = 200) -> Response:
    return Response(body, status, {"request-id": new_request_id()}, _JSON)


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    request_id = new_request_id()
    body = error_body(status, message, request_id)
    return Response(body, status, {**(headers or {}), "request-id": request_id}, _JSON)
