"""The Starlette app: a thin HTTP layer over the catalog, pagination and errors."""

from __future__ import annotations

import contextlib
import importlib
import json
from collections.abc import Iterable, Mapping

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from ..catalog.catalog import Catalog
from ..model.errors import ApiError
from ..runtime.state import MockState
from .admin import admin_routes
from .admin_schemas import HEALTH_PATH
from .endpoints import list_endpoint, retrieve_endpoint
from .openapi import openapi_document
from .responses import crash_response, error_response, json_response
from .routing import ControlMiddleware

__all__ = ["MockApp", "MockState", "create_app"]


async def _on_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message, dict(exc.headers))


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    where = f"{request.method} {request.url.path}"
    if exc.status_code == 404:
        return error_response(404, f"{where}: no such route")
    if exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "GET")
        return error_response(405, f"{where}: method not allowed (allowed: {allowed})", {"allow": allowed})
    return error_response(exc.status_code, f"{where}: {exc.detail}")


async def _on_gone(request: Request, exc: Exception) -> Response:
    """The client went (or its request was refused while its body was read): nobody to answer, nothing to log."""
    return Response(status_code=499)  # never sent: the connection is gone


async def _on_crash(request: Request, exc: Exception) -> Response:
    return crash_response()


class MockApp(Starlette):
    """A Starlette app whose outermost layer injects faults and keeps the journal."""

    def __init__(self, state: MockState, routes: list[BaseRoute], api: Mapping[str, ASGIApp]) -> None:
        super().__init__(
            routes=routes,
            exception_handlers={
                ApiError: _on_api_error,
                HTTPException: _on_http_error,
                ClientDisconnect: _on_gone,
                Exception: _on_crash,
            },
        )
        self.router.redirect_slashes = False
        self.state.mock = state
        self._api = api

    @property
    def mock(self) -> MockState:
        """The app's own state: catalog, keys, journal, faults."""
        state: MockState = self.state.mock
        return state

    def build_middleware_stack(self) -> ASGIApp:
        return ControlMiddleware(super().build_middleware_stack(), self.mock, self._api)


def _import_sleep_backend() -> None:
    """Import the module anyio sleeps with on asyncio (latency faults, a catalog build's wait) now: anyio
    imports it at the first sleep, on the event loop, which then answers nothing for as long (0.5 s seen)."""
    with contextlib.suppress(ImportError):  # another anyio layout: imported at the first sleep, as before
        importlib.import_module("anyio._backends._asyncio")


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

    api = {"list": list_endpoint(state), "retrieve": retrieve_endpoint(state)}
    spec = openapi_document(admin=admin)

    async def openapi(request: Request) -> Response:
        return json_response(spec)

    async def health(request: Request) -> Response:
        """The readiness probe: no auth, no faults, never journaled (it is under ``/_mock/``)."""
        return json_response(json.dumps({"status": "ok", "models": len(state.catalog)}).encode())

    routes: list[BaseRoute] = [
        Route("/v1/models", api["list"], methods=["GET"]),
        Route("/v1/models/{model_id}", api["retrieve"], methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        Route(HEALTH_PATH, health, methods=["GET"]),  # and HEAD, as Starlette adds it to every GET route
    ]
    return MockApp(state, routes + (admin_routes(state) if admin else []), api)
