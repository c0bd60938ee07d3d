"""The kinds of route in the app's one routing table, and what each applies around its endpoint.

Starlette's router decides every path and method (a 405 with ``Allow`` for a known path, ``HEAD``
with every ``GET``). What a request gets besides its endpoint's answer depends on the route it
matched:

- ``ApiRoute``, the Models API's two routes, and ``not_found`` for any path the table does not
  know: the journal records the request, faults apply, and a browser must opt in (CORS) as the
  real API requires, else it gets the real API's 401;
- ``OpenRoute`` (``/openapi.json``, the readiness probe): any origin may read it; never journaled,
  no faults;
- ``AdminRoute`` (the admin API and the dashboard): answered to requests that name this server
  (``hosts``) from its own origin only (a 403 to any other: no web page can read or change a local
  fake); never journaled, no faults.

A CORS preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) to an API or
open route is answered with a 204 granting what it asks. A request target over ``MAX_URL_BYTES``
(``mark_too_long``) is a 414 as soon as its route has settled CORS, before anything else: never
journaled, no faults.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Collection, Iterable
from typing import Any

import anyio
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..model.errors import ApiError
from ..model.limits import MAX_URL_BYTES
from ..runtime.faults import Fault, Faults
from ..runtime.state import MockState
from .cors import REFUSAL, CorsSend, answer_preflight, first_value, has_origin, is_preflight, opted_in, same_origin
from .endpoints import Endpoint
from .hosts import Hosts
from .responses import JOURNAL, error_response, method_not_allowed, record

__all__ = [
    "DASHBOARD_HEADER",
    "AdminRoute",
    "ApiRoute",
    "OpenRoute",
    "Shortcut",
    "admin_only",
    "mark_too_long",
    "not_found",
    "own_not_found",
]

_Answer = Callable[[Scope, Receive, Send], Awaitable[None]]
_Respond = Callable[[Scope], Response]

#: The header the dashboard (``/_mock/ui``) marks its own API requests with: they never take a fault.
DASHBOARD_HEADER = b"x-mock-dashboard"
_CROSS_ORIGIN_ADMIN = "the admin API answers requests from its own origin only (this Origin is another)"
_CROSS_SITE_ADMIN = "the admin API answers requests from its own origin only (Sec-Fetch-Site: another site sent this)"
#: ``Sec-Fetch-Site`` values that mean a page of another origin sent the request.
_OTHER_SITES = frozenset({b"cross-site", b"same-site"})
#: The ASGI scope key that marks a request target too long to serve (``mark_too_long``): its 414's message.
_TOO_LONG = "anthropic_models_mock.too_long"


def mark_too_long(scope: Scope) -> None:
    """Mark a request whose target (path and query string) is over ``MAX_URL_BYTES``: its route answers 414."""
    query: bytes = scope["query_string"]
    size = len(scope.get("raw_path") or scope["path"]) + (len(query) + 1 if query else 0)
    if size > MAX_URL_BYTES:
        scope[_TOO_LONG] = f"request target too long: {size:,} bytes; at most {MAX_URL_BYTES:,}"


class _Route(Route):
    """A route that matches every method and answers those it does not take with the 405 envelope itself,
    sent through the ``send`` it is given (so the 405 gets what its kind of route adds, as every other
    answer does, and a catch-all route after it cannot take its place)."""

    def __init__(self, path: str, endpoint: Any, *, methods: Collection[str] = ("GET",), name: str | None = None):
        super().__init__(path, endpoint, methods=[], name=name)  # (no methods: Starlette's match takes every one)
        self.allowed = frozenset(methods) | ({"HEAD"} if "GET" in methods else set())

    def _refusal(self, scope: Scope) -> Response | None:
        """The 405 of a method this route does not answer, or ``None``."""
        if scope["method"] not in self.allowed:
            return method_not_allowed(scope["method"], scope["path"], ", ".join(sorted(self.allowed)))
        return None


class Shortcut:
    """The API routes a ``GET`` may go to without the app and the router, found as the router finds them.

    Starlette's app and router (a regex per route, a child scope per match) cost more CPU than a
    request's whole answer leaves (``benchmarks/bench_server.py`` measures it against a bare Starlette
    app). A route's path is a fixed one, or a prefix and one ``{name}`` segment.
    """

    def __init__(self, routes: Iterable[ApiRoute]) -> None:
        self._fixed: dict[str, ApiRoute] = {}
        self._prefixed: list[tuple[str, str, ApiRoute]] = []
        for route in routes:
            prefix, brace, rest = route.path.partition("{")
            if not brace:
                self._fixed[route.path] = route
            elif rest.endswith("}") and rest[:-1].isidentifier():
                self._prefixed.append((prefix, rest[:-1], route))
            else:
                raise ValueError(f"{route.path}: a shortcut takes a fixed path, or a prefix and one {{name}} segment")

    def route(self, scope: Scope) -> ApiRoute | None:
        """The route this request's path names (its path parameter put in the scope), or ``None``."""
        path: str = scope["path"]
        root: str = scope.get("root_path", "")
        if root:
            if not path.startswith(root):
                return None
            path = path[len(root) :]
        found = self._fixed.get(path)
        if found is not None:
            scope["path_params"] = {}
            return found
        for prefix, name, route in self._prefixed:
            if path.startswith(prefix) and len(path) > len(prefix) and "/" not in path[len(prefix) :]:
                scope["path_params"] = {name: path[len(prefix) :]}
                return route
        return None


class ApiRoute(_Route):
    """A route of the Models API: journaled, faults by its ``name`` (``list`` or ``retrieve``), CORS by opt-in.

    ``serve`` is ``handle`` for a ``GET`` to this route (its path parameters in the scope): no method to
    check, and no frame of its own (the hot path).
    """

    def __init__(self, path: str, endpoint: Endpoint, *, name: str, state: MockState) -> None:
        super().__init__(path, endpoint, name=name)
        self.state, self._endpoint = state, endpoint
        self.serve: _Answer = functools.partial(_api, state, name, respond=endpoint.respond)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _api(self.state, self.name, scope, receive, send, respond=self._respond)

    def _respond(self, scope: Scope) -> Response:
        return self._refusal(scope) or self._endpoint.respond(scope)


def not_found(state: MockState) -> ASGIApp:
    """The router's answer to a path it does not know: a 404, as an API route answers (journaled, faults)."""
    return functools.partial(_api, state, None, respond=_no_such_route)


def _no_such_route(scope: Scope) -> Response:
    return error_response(404, f"{scope['method']} {scope['path']}: no such route")


async def own_not_found(request: Request) -> Response:
    """The endpoint of a path under ``/_mock`` that is none of the fake's own (an ``AdminRoute``): its 404."""
    return _no_such_route(request.scope)


class OpenRoute(_Route):
    """A route any origin may read (the CORS headers on every answer); never journaled, no faults."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if has_origin(scope["headers"]):
            if is_preflight(scope):
                await answer_preflight(scope, receive, send)
                return
            send = CorsSend(send)
        if _TOO_LONG in scope:
            await error_response(414, scope[_TOO_LONG])(scope, receive, send)
            return
        await (self._refusal(scope) or self.app)(scope, receive, send)


class AdminRoute(Route):
    """A route of the admin API: answered to requests that name this server (``hosts``) from its own origin, or
    from no page; never journaled.

    What its handlers raise is answered here: ``ApiError`` as its envelope, Starlette's ``HTTPException``
    (a 405) as the API's, and a client gone while its body was read with nothing (nobody is there). A
    request still waiting when the server stops (a catalog build) has its connection closed, quietly.
    """

    def __init__(self, path: str, endpoint: Any, *, hosts: Hosts, methods: Collection[str] | None = None) -> None:
        super().__init__(path, endpoint, methods=methods)
        self.hosts = hosts

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await admin_only(self.hosts, scope, receive, send, self._caught)

    async def _caught(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await Route.handle(self, scope, receive, send)
        except ApiError as exc:
            await error_response(exc.status, exc.message, exc.headers)(scope, receive, send)
        except HTTPException as exc:
            if exc.status_code == 405:
                response = method_not_allowed(scope["method"], scope["path"], (exc.headers or {}).get("Allow", ""))
            else:
                response = error_response(exc.status_code, f"{scope['method']} {scope['path']}: {exc.detail}")
            await response(scope, receive, send)
        except ClientDisconnect:
            pass
        except anyio.get_cancelled_exc_class():
            if _server_cycle(send) is None:
                raise
            _drop_connection(send)  # uvicorn is shutting down: no answer rather than its plain-text 500


async def admin_only(hosts: Hosts, scope: Scope, receive: Receive, send: Send, answer: _Answer) -> None:
    """``answer`` the request, unless it names another server (``hosts``: DNS rebinding), or a page of another
    origin sent it (``Sec-Fetch-Site``, ``Origin``): those get a 403, before anything else is looked at."""
    headers = scope["headers"]
    host = first_value(headers, b"host")
    if not hosts.allows(host, scope.get("server")):
        await error_response(403, hosts.refusal(host or b""))(scope, receive, send)
    elif (first_value(headers, b"sec-fetch-site") or b"").lower() in _OTHER_SITES and not _navigation(scope):
        await error_response(403, _CROSS_SITE_ADMIN)(scope, receive, send)
    elif has_origin(headers) and not same_origin(scope):
        await error_response(403, _CROSS_ORIGIN_ADMIN)(scope, receive, send)
    elif _TOO_LONG in scope:
        await error_response(414, scope[_TOO_LONG])(scope, receive, send)
    else:
        await answer(scope, receive, send)


def _navigation(scope: Scope) -> bool:
    """Whether a browser sent this request to open a page (a link followed): a ``GET`` navigation."""
    return scope["method"] in ("GET", "HEAD") and first_value(scope["headers"], b"sec-fetch-mode") == b"navigate"


async def _api(
    state: MockState, route: str | None, scope: Scope, receive: Receive, send: Send, *, respond: _Respond
) -> None:
    """An API request: CORS as the real API answers browsers, the journal, then faults or ``respond``'s answer."""
    if has_origin(scope["headers"]):  # all CORS costs a request without Origin: one scan of the names
        if is_preflight(scope):  # not a request to the API: never journaled, never a fault
            await answer_preflight(scope, receive, send)
            return
        if opted_in(scope["headers"]):
            send = CorsSend(send)
        elif _TOO_LONG not in scope:  # refused before its key, its version or any fault is looked at
            journal = state.journal
            scope[JOURNAL] = (journal, journal.epoch)
            await error_response(401, REFUSAL)(scope, receive, send)
            return
    if _TOO_LONG in scope:
        await error_response(414, scope[_TOO_LONG])(scope, receive, send)
        return
    journal = state.journal
    scope[JOURNAL] = (journal, journal.epoch)  # the response records the request (see ``responses``)
    if state.faults.active and not _from_dashboard(scope):
        await _faulty(state.faults, route, scope, receive, send, respond)
    else:
        await respond(scope)(scope, receive, send)


async def _faulty(faults: Faults, route: Any, scope: Scope, receive: Receive, send: Send, respond: _Respond) -> None:
    """The fault this request takes, if any, after the latency it is given; else ``respond``'s answer."""
    model_id = scope.get("path_params", {}).get("model_id")
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
        await respond(scope)(scope, receive, send)
    elif fault.kind == "status":
        answer = error_response(fault.status, fault.error_message(), fault.response_headers(), fault.details)
        await answer(scope, receive, send)
    elif fault.kind == "disconnect":
        record(scope, 0, "")  # no response at all
        _drop_connection(send)
    else:
        await _damaged(fault, scope, receive, send, respond)


async def _damaged(fault: Fault, scope: Scope, receive: Receive, send: Send, respond: _Respond) -> None:
    """The real answer, cut in half: ``truncate`` drops the connection, ``malformed`` ends it short."""
    messages: list[Message] = []

    async def keep(message: Message) -> None:
        messages.append(message)

    await respond(scope)(scope, receive, keep)
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


def _server_cycle(send: Send) -> Any:
    """uvicorn's request cycle behind ``send`` (it has the transport), or ``None`` elsewhere.

    Routes get the server's own ``send`` (no middleware wraps it), or it wrapped by ``CorsSend``."""
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


def _from_dashboard(scope: Scope) -> bool:
    """Whether the dashboard sent this request: it never takes a fault meant for the code under test."""
    return any(name == DASHBOARD_HEADER for name, _ in scope["headers"])
