"""The two kinds of response the fake sends, JSON bytes and the error envelope; both journaled.

Every answer the fake gives is one of these, so this is where the journal is
fed: a response records its request when its route (an API route, see ``routing``) has put the app's
journal in the ASGI scope (under ``JOURNAL``), which it does for API requests.
"""

from __future__ import annotations

import os
import random
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ..model.errors import error_body

__all__ = [
    "JOURNAL",
    "crash_response",
    "error_response",
    "json_response",
    "method_not_allowed",
    "new_request_id",
    "record",
]


#: Where request ids come from: 96 random bits each, from a generator seeded by the system's entropy, in
#: each process (a forked child seeds its own). Not ``os.urandom`` per id: that is a system call a request,
#: which cost a served request more than the rest of its answer's making.
_IDS = random.Random(os.urandom(32))
os.register_at_fork(after_in_child=lambda: _IDS.seed(os.urandom(32)))


def new_request_id() -> str:
    """``req_`` and 24 random hex digits: unique per response, errors included."""
    return f"req_{_IDS.getrandbits(96):024x}"


#: The ASGI scope key under which an API route passes the journal, and its epoch on arrival.
JOURNAL = "anthropic_models_mock.journal"


def record(scope: Scope, status: int, request_id: str) -> None:
    """Put the request in the journal its route handed it, unless cleared since it arrived."""
    journaled = scope.get(JOURNAL)
    if journaled is not None:
        journal, epoch = journaled
        journal.record(
            scope["method"], scope["path"], scope["query_string"], scope["headers"], status, request_id, epoch
        )


class _JSONBytes(Response):
    """JSON from ready bytes, with ``request-id``; headers built directly (this is the hot path)."""

    def __init__(self, body: bytes, status: int, request_id: str, headers: Mapping[str, str] | None = None) -> None:
        self.status_code = status
        self.body = body
        self.background = None
        self.request_id = request_id
        extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()] if headers else []
        self.raw_headers = [
            *extra,
            (b"content-length", str(len(body)).encode()),
            (b"content-type", b"application/json"),
            (b"request-id", request_id.encode()),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        record(scope, self.status_code, self.request_id)
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.body})


def json_response(body: bytes, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return _JSONBytes(body, status, new_request_id(), headers)


def error_response(
    status: int, message: str, headers: Mapping[str, str] | None = None, details: Mapping[str, Any] | None = None
) -> Response:
    request_id = new_request_id()
    return _JSONBytes(error_body(status, message, request_id, details), status, request_id, headers)


def method_not_allowed(method: str, path: str, allowed: str) -> Response:
    """The 405 envelope, with ``allow``: the methods the path answers (``allowed``, comma-separated)."""
    return error_response(405, f"{method} {path}: method not allowed (allowed: {allowed})", {"allow": allowed})


def crash_response() -> Response:
    """The 500 envelope of a bug in the fake itself (never a traceback)."""
    return error_response(500, "internal server error in the fake (please report it)")
