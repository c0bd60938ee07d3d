"""The ASGI layer in front of everything: routes API requests, injects faults, hands responses the journal.

A ``GET`` to one of the two API endpoints goes straight to it (the hot path);
anything else goes through the Starlette app (admin, OpenAPI, 404 and 405).
A request with an ``Origin`` header is a browser's: it is answered by the rules
in ``cors`` first (preflights, the opt-in header), then as any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..model.limits import MAX_URL_BYTES
from ..runtime.faults import Fault, Route
from ..runtime.state import MockState
from .admin_schemas import HEALTH_PATH, PREFIX
from .cors import REFUSAL, CorsSend, answer_preflight, has_origin, is_preflight, opted_in, same_origin
from .responses import JOURNAL, error_response, record

__all__ = ["ControlMiddleware"]

_LIST = "/v1/models"
_RETRIEVE = "/v1/models/"
_UNJOURNALED = frozenset({PREFIX, "/openapi.json"})  # the fake's own endpoints, not the API's
_OPEN = frozenset({"/openapi.json", HEALTH_PATH})  # of those, what any origin may read
_CROSS_ORIGIN_ADMIN = "the admin API answers requests from its own origin only (this Origin is another)"


def _unjournaled(path: str) -> bool:
    return path in _UNJOURNALED or path.startswith(PREFIX + "/")


def _route_path(scope: Scope) -> str:
    """The path as the router matches it: without the ``root_path`` the app is mounted under."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _route(path: str) -> tuple[Route | None, str | None]:
    """Which API endpoint a route path is for, and the model id it names."""
    if path == _LIST:
        return "list", None
    if path.startswith(_RETRIEVE):
        model_id = path[len(_RETRIEVE) :]
        if model_id and "/" not in model_id:
            return "retrieve", model_id
    return None, None


def _server_cycle(send: Send) -> Any:
    """uvicorn's request cycle behind ``send`` (it has the transport), or ``None`` elsewhere."""
    if isinstance(send, CorsSend):
        send = send.send
    cycle = getattr(send, "__self__", None)
    return cycle if getattr(cycle, "transport", None) is not None else None


def _drop_connection(send: Send) -> None:
    """Close the client's connection now. Under uvicorn, quietly; elsewhere, by raising."""
    cycle = _server_cycle(send)
    if cycle is None:
        raise ConnectionAbortedError("connection dropped by an injected fault")
    cycle.transport.close()
    cycle.disconnected = True  # tells uvicorn not to answer


def _target_size(scope: Scope) -> int:
    """Bytes of the request target: the path, and ``?`` and the query string if there is one."""
    query: bytes = scope["query_string"]
    return len(scope.get("raw_path") or scope["path"]) + (len(query) + 1 if query else 0)


async def _too_long(scope: Scope, receive: Receive, send: Send) -> None:
    """A 414 envelope for a request target over ``MAX_URL_BYTES`` (never parsed, cached or journaled)."""
    message = f"request target too long: {_target_size(scope):,} bytes; at most {MAX_URL_BYTES:,}"
    await error_response(414, message)(scope, receive, send)


class ControlMiddleware:
    """Faults before the app answers; the journal passed on to the responses, which record.

    ``api`` maps a route (``list``, ``retrieve``) to its endpoint, called directly for ``GET``.
    """

    def __init__(self, app: ASGIApp, state: MockState, api: Mapping[str, ASGIApp]) -> None:
        self.app = app
        self.state = state
        self.api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if has_origin(scope["headers"]):  # all CORS costs a request without Origin: one scan of the names
            browser = await self._cross_origin(scope, receive, send)
            if browser is None:
                return
            send = browser
        if _target_size(scope) > MAX_URL_BYTES:
            await _too_long(scope, receive, send)
            return
        path = _route_path(scope)
        if _unjournaled(path):
            await self.app(scope, receive, send)
            return
        journal = self.state.journal
        scope[JOURNAL] = (journal, journal.epoch)  # the response records the request (see responses.py)
        route, model_id = _route(path)
        if self.state.faults.active and not _from_dashboard(scope):
            await self._faulty(scope, receive, send, route, model_id)
        else:
            await self._answer(scope, receive, send, route, model_id)

    async def _cross_origin(self, scope: Scope, receive: Receive, send: Send) -> Send | None:
        """A browser's request (it has an ``Origin``): answer it here, or say how to send the answer.

        The admin API answers its own origin only (a 403 otherwise: no page on another origin may
        read or change the fake). A preflight is answered (not an API request: never journaled,
        never a fault). ``/openapi.json``, the readiness probe, and API requests that opt in go on
        with the CORS headers added to whatever they get. Any other API request is refused with a
        401 and no CORS headers, before its key, its version or any fault is looked at (journaled);
        only a 414 comes before it, as always.
        """
        path = _route_path(scope)
        if _unjournaled(path) and path not in _OPEN:  # the admin API: its own origin only
            if same_origin(scope):
                return send
            await error_response(403, _CROSS_ORIGIN_ADMIN)(scope, receive, send)
            return None
        if is_preflight(scope):
            await answer_preflight(scope, receive, send)
            return None
        if path in _OPEN or opted_in(scope["headers"]):
            return CorsSend(send)
        if _target_size(scope) > MAX_URL_BYTES:
            return send
        journal = self.state.journal
        scope[JOURNAL] = (journal, journal.epoch)
        await error_response(401, REFUSAL)(scope, receive, send)
        return None

    async def _answer(
        self, scope: Scope, receive: Receive, send: Send, route: Route | None, model_id: str | None
    ) -> None:
        if route is not None and scope["method"] == "GET":
            scope["path_params"] = {"model_id": model_id} if model_id is not None else {}
            await self.api[route](scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _faulty(
        self, scope: Scope, receive: Receive, send: Send, route: Route | None, model_id: str | None
    ) -> None:
        faults = self.state.faults
        fault = faults.take(route, model_id)  # on arrival: a reset during the delay cannot hand it a later fault
        delay = faults.delay(route)
        if delay:
            try:
                await anyio.sleep(delay)  # whichever event loop runs the app: asyncio under uvicorn, or trio
            except anyio.get_cancelled_exc_class():
                if _server_cycle(send) is None:
                    raise
                _drop_connection(send)  # uvicorn is shutting down: end the delayed request quietly
                return
        if fault is None:
            await self._answer(scope, receive, send, route, model_id)
        elif fault.kind == "status":
            response = error_response(fault.status, fault.error_message(), fault.response_headers())
            await response(scope, receive, send)
        elif fault.kind == "disconnect":
            record(scope, 0, "")  # no response at all
            _drop_connection(send)
        else:
            await self._damaged(scope, receive, send, fault, route, model_id)

    async def _damaged(
        self, scope: Scope, receive: Receive, send: Send, fault: Fault, route: Route | None, model_id: str | None
    ) -> None:
        """The real answer, cut in half: ``truncate`` drops the connection, ``malformed`` ends it short."""
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        await self._answer(scope, receive, keep, route, model_id)
        start = messages[0]
        body = b"".join(m.get("body", b"") for m in messages[1:])
        half = body[: len(body) // 2]
        if fault.kind == "malformed":
            headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
            headers.append((b"content-length", str(len(half)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": half})
            return
        await send(start)
        await send({"type": "http.response.body", "body": half, "more_body": True})
        _drop_connection(send)


#: The header the dashboard (``/_mock/ui``) marks its own API requests with.
DASHBOARD_HEADER = b"x-mock-dashboard"


def _from_dashboard(scope: Scope) -> bool:
    """Whether the dashboard sent this request: it never takes a fault meant for the code under test."""
    return any(name == DASHBOARD_HEADER for name, _ in scope["headers"])
