"""Browsers (CORS), as the real API answers them: the opt-in header, the two response headers, preflights.

A request with an ``Origin`` header is a browser's. To the API it must also send
``anthropic-dangerous-direct-browser-access: true`` (what the TypeScript SDK's
``dangerouslyAllowBrowser`` adds), else it is a 401 without CORS headers, which the
browser may not read. With it, every answer, errors included, carries
``access-control-allow-origin: *`` and ``access-control-expose-headers: *``.
``/openapi.json`` and the readiness probe need no opt-in. The admin API (``/_mock/``)
answers its own origin only (the dashboard it serves): a request from any other origin
is a 403, so a web page open in the browser cannot read or change a local fake.

A preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) to an API
route, an unknown path or an open route is answered with a 204 (``answer_preflight``; which
routes is ``routing``'s): it grants the method and the headers it asks for, and the real
request then gets the API's own answer (a 405 for a wrong method, a 404 for an unknown
route), which the browser lets the page read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.types import Message, Receive, Scope, Send

from ..model.headers import BLANK, TOKEN
from .responses import new_request_id

__all__ = [
    "MAX_AGE",
    "OPT_IN",
    "REFUSAL",
    "CorsSend",
    "answer_preflight",
    "first_value",
    "has_origin",
    "is_preflight",
    "opted_in",
    "same_origin",
]

#: The request header that opts a browser request in; its value must be ``true`` (any case).
OPT_IN = b"anthropic-dangerous-direct-browser-access"
#: The 401's message when a browser request does not opt in, word for word the real API's.
REFUSAL = "CORS requests must set 'anthropic-dangerous-direct-browser-access' header"
#: Seconds a browser may cache a preflight's answer (it never changes; browsers cap it: Chrome at 7200).
MAX_AGE = 86400

_Headers = Iterable[tuple[bytes, bytes]]
_ALLOW = ((b"access-control-allow-origin", b"*"), (b"access-control-expose-headers", b"*"))
_ALLOW_NAMES = frozenset(name for name, _ in _ALLOW)
#: An HTTP token (RFC 9110): a method, or a header name.
_TOKEN = re.compile(TOKEN.pattern.encode())
#: What is not part of a header value around it (RFC 9110's OWS).
_BLANK = BLANK.encode()


def has_origin(headers: _Headers) -> bool:
    """Whether the request has an ``Origin`` header (any value, ``null`` included): a browser's.

    This runs on every request, so it is one pass over the header names and nothing else
    (a plain loop: ``any()`` over a generator takes twice as long).
    """
    for name, _ in headers:  # noqa: SIM110
        if name == b"origin":
            return True
    return False


def first_value(headers: _Headers, wanted: bytes) -> bytes | None:
    """The first value of header ``wanted``, without the spaces and tabs around it, or ``None``."""
    for name, value in headers:
        if name == wanted:
            return value.strip(_BLANK)
    return None


def opted_in(headers: _Headers) -> bool:
    """Whether the request sends ``anthropic-dangerous-direct-browser-access: true`` (its first value counts)."""
    value = first_value(headers, OPT_IN)
    return value is not None and value.lower() == b"true"


def same_origin(scope: Scope) -> bool:
    """Whether the request's ``Origin`` is the server it was sent to (``scheme://Host``)."""
    headers = scope["headers"]
    origin, host = first_value(headers, b"origin"), first_value(headers, b"host")
    return origin is not None and host is not None and origin == scope.get("scheme", "http").encode() + b"://" + host


def is_preflight(scope: Scope) -> bool:
    """A CORS preflight: ``OPTIONS`` with ``Access-Control-Request-Method`` (the caller has seen ``Origin``).

    A plain ``OPTIONS``, without that header, is no preflight: it is a request like any other (a 405).
    """
    return scope["method"] == "OPTIONS" and first_value(scope["headers"], b"access-control-request-method") is not None


def _requested_headers(headers: _Headers) -> bytes:
    """The header names ``Access-Control-Request-Headers`` asks for (every such line), lower-cased, once each."""
    names: dict[bytes, None] = {}
    for name, value in headers:
        if name == b"access-control-request-headers":
            for part in value.split(b","):
                token = part.strip(_BLANK).lower()
                if _TOKEN.fullmatch(token):
                    names[token] = None
    return b", ".join(names)


async def answer_preflight(scope: Scope, receive: Receive, send: Send) -> None:
    """A 204 granting what the preflight asks: any origin, its method, its headers; cacheable for ``MAX_AGE``.

    No body, so no ``content-type`` (a 204 has no content to describe); a ``request-id`` as on every answer.
    """
    headers = scope["headers"]
    answer = [(b"access-control-allow-origin", b"*")]
    method = first_value(headers, b"access-control-request-method")
    if method is not None and _TOKEN.fullmatch(method):
        answer.append((b"access-control-allow-methods", method))
    requested = _requested_headers(headers)
    if requested:
        answer.append((b"access-control-allow-headers", requested))
    answer.append((b"access-control-max-age", str(MAX_AGE).encode()))
    answer.append((b"request-id", new_request_id().encode()))
    await send({"type": "http.response.start", "status": 204, "headers": answer})
    await send({"type": "http.response.body", "body": b""})


class CorsSend:
    """``send``, with ``access-control-allow-origin: *`` and ``access-control-expose-headers: *`` on the answer.

    They replace any such header already there (say, one a fault adds), so each is sent once.
    """

    __slots__ = ("send",)

    def __init__(self, send: Send) -> None:
        self.send = send

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            kept = [(k, v) for k, v in message.get("headers", ()) if k.lower() not in _ALLOW_NAMES]
            message = {**message, "headers": [*kept, *_ALLOW]}
        await self.send(message)
