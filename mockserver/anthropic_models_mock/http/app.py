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
from starlette.types import ASGIApp, Receive, Scope, Send

from ..catalog.catalog import Catalog
from ..runtime.state import MockState
from .admin import admin_routes
from .admin_schemas import HEALTH_PATH, PREFIX
from .endpoints import list_endpoint, retrieve_endpoint
from .openapi import openapi_document
from .responses import error_response, json_response
from .routing import ApiRoute, Guard, OpenRoute, Shortcut, admin_only, not_found

__all__ = ["MockApp", "create_app"]


class MockApp(Starlette):
    """The fake Models API: a Starlette app over one ``MockState``, ``Guard`` in front of its router.

    Each kind of route answers what its handlers raise (see ``routing``), so no exception middleware
    stands on the path of every request.
    """

    def __init__(self, state: MockState, routes: list[BaseRoute]) -> None:
        super().__init__(routes=routes)
        self.router.redirect_slashes = False
        self.router.default = not_found(state)
        self.state.mock = state

    @property
    def mock(self) -> MockState:
        """The app's own state: catalog, keys, journal, faults."""
        state: MockState = self.state.mock
        return state

    def build_middleware_stack(self) -> ASGIApp:
        return Guard(self.router, Shortcut(route for route in self.routes if isinstance(route, ApiRoute)))


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
