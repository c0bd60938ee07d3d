"""The Starlette app: one routing table over the runtime state (see ``routing`` for what each kind of route applies)."""

from __future__ import annotations

import contextlib
import importlib
import json
from collections.abc import Iterable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Router
from starlette.types import Receive, Scope, Send

from ..catalog.catalog import Catalog
from ..model.limits import MAX_URL_BYTES
from ..runtime.state import MockState
from .admin import admin_routes
from .admin_schemas import HEALTH_PATH, PREFIX
from .cors import CorsSend, has_origin, opted_in
from .endpoints import list_endpoint, retrieve_endpoint
from .openapi import openapi_document
from .responses import crash_response, error_response, json_response
from .routing import ApiRoute, OpenRoute, Shortcut, admin_only, not_found

__all__ = ["MockApp", "create_app"]


class MockApp(Starlette):
    """The fake Models API: a Starlette app over one ``MockState``, its router behind a guard.

    The guard (``__call__``): a request target over ``MAX_URL_BYTES`` is a 414, never routed or
    journaled (with the CORS headers when a browser opted in); a ``GET`` to an API route goes straight
    to that route (``routing.Shortcut``), anything else to the router; a bug in the fake is a 500
    envelope, then raised for the server to log (never a traceback to the client). Each kind of route
    answers what its handlers raise (see ``routing``): no exception middleware stands on every request.
    """

    def __init__(self, state: MockState, routes: list[BaseRoute]) -> None:
        super().__init__(routes=routes)
        self.router.redirect_slashes = False
        self.router.default = not_found(state)
        self.state.mock = state
        self._shortcut = Shortcut(route for route in routes if isinstance(route, ApiRoute))

    @property
    def mock(self) -> MockState:
        """The app's own state: catalog, keys, journal, faults."""
        state: MockState = self.state.mock
        return state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        size = _target_size(scope)
        if size > MAX_URL_BYTES:
            message = f"request target too long: {size:,} bytes; at most {MAX_URL_BYTES:,}"
            if has_origin(scope["headers"]) and opted_in(scope["headers"]):
                send = CorsSend(send)
            await error_response(414, message)(scope, receive, send)
            return
        try:
            route = self._shortcut.route(scope) if scope["method"] == "GET" else None
            if route is not None:
                await route.serve(scope, receive, send)
            else:
                scope["app"] = self
                await self.router(scope, receive, send)
        except Exception:
            with contextlib.suppress(Exception):  # (an answer already started cannot be replaced)
                await crash_response()(scope, receive, send)
            raise


def _target_size(scope: Scope) -> int:
    """Bytes of the request target: the path, and ``?`` and the query string if there is one."""
    query: bytes = scope["query_string"]
    return len(scope.get("raw_path") or scope["path"]) + (len(query) + 1 if query else 0)


def _import_sleep_backend() -> None:
    """Import the module anyio sleeps with on asyncio (latency faults, a catalog build's wait) now: anyio
    imports it at the first sleep, on the event loop, which then answers nothing for as long."""
    with contextlib.suppress(ImportError):  # another anyio layout: imported at the first sleep
        importlib.import_module("anyio._backends._asyncio")


async def _own_not_found(scope: Scope, receive: Receive, send: Send) -> None:
    """A path under ``/_mock`` that is none of the fake's own: a 404, answered as the admin API answers."""

    async def answer(scope: Scope, receive: Receive, send: Send) -> None:
        await error_response(404, f"{scope['method']} {scope['path']}: no such route")(scope, receive, send)

    await admin_only(scope, receive, send, answer)


def create_app(
    catalog: Catalog | None = None,
    *,
    api_keys: Iterable[str] | None = None,
    admin: bool = True,
    journal_size: int = 1000,
    fault_seed: int = 0,
) -> MockApp:
    """A fake Models API over ``catalog`` (default: the embedded real catalog).

    ``api_keys``: when given, only these keys are accepted; otherwise any
    non-empty key is. ``admin``: serve the runtime controls under ``/_mock/``.
    ``journal_size``: how many requests the journal keeps. ``fault_seed``: the
    seed of random faults and latency. Each app owns its state; two apps share nothing.
    """
    _import_sleep_backend()
    state = MockState(
        catalog if catalog is not None else Catalog.default(),
        api_keys,
        journal_size=journal_size,
        fault_seed=fault_seed,
    )
    spec = openapi_document(admin=admin)

    async def openapi(request: Request) -> Response:
        return json_response(spec)

    async def health(request: Request) -> Response:
        """The readiness probe: no auth, no faults, never journaled; served with the admin API off too."""
        return json_response(json.dumps({"status": "ok", "models": len(state.catalog)}).encode())

    own = Router(
        [OpenRoute(HEALTH_PATH.removeprefix(PREFIX), health, methods=["GET"])],
        redirect_slashes=False,
        default=_own_not_found,
    )
    routes: list[BaseRoute] = [
        ApiRoute("/v1/models", list_endpoint(state), name="list", state=state),
        ApiRoute("/v1/models/{model_id}", retrieve_endpoint(state), name="retrieve", state=state),
        OpenRoute("/openapi.json", openapi, methods=["GET"]),
        *(admin_routes(state) if admin else []),
        Mount(PREFIX, app=own),  # the readiness probe, and the 404 of any other path there
    ]
    return MockApp(state, routes)
