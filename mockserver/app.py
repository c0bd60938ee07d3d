"""The Starlette app: a thin HTTP layer over the catalog, pagination and errors."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from .admin import admin_routes
from .catalog import Catalog
from .control import ControlMiddleware
from .errors import ApiError
from .headers import check_headers
from .openapi import openapi_document
from .pagination import paginate, render_page
from .params import ListParams, parse_list_params, parse_retrieve_params
from .responses import error_response, json_response
from .state import MockState

__all__ = ["MockApp", "MockState", "create_app"]

_PARSED_CACHE_SIZE = 4096


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


async def _on_crash(request: Request, exc: Exception) -> Response:
    return error_response(500, "internal server error in the fake (please report it)")


class MockApp(Starlette):
    """A Starlette app whose outermost layer injects faults and keeps the journal."""

    def __init__(self, state: MockState, routes: list[BaseRoute]) -> None:
        super().__init__(
            routes=routes,
            exception_handlers={ApiError: _on_api_error, HTTPException: _on_http_error, Exception: _on_crash},
        )
        self.router.redirect_slashes = False
        self.state.mock = state

    @property
    def mock(self) -> MockState:
        """The app's own state: catalog, keys, journal, faults."""
        state: MockState = self.state.mock
        return state

    def build_middleware_stack(self) -> ASGIApp:
        return ControlMiddleware(super().build_middleware_stack(), self.mock)


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
    state = MockState(
        catalog if catalog is not None else Catalog.default(),
        api_keys,
        journal_size=journal_size,
        fault_seed=fault_seed,
    )

    parsed: dict[bytes, ListParams] = {}  # query string -> its (valid) parameters; bounded

    async def list_models(request: Request) -> Response:
        check_headers(request.headers, state.api_keys)
        query: bytes = request.scope["query_string"]
        params = parsed.get(query)
        if params is None:
            params = parse_list_params(query)
            if len(parsed) >= _PARSED_CACHE_SIZE:
                parsed.clear()
            parsed[query] = params
        view = state.catalog.view(params.lifecycles)
        return json_response(render_page(view, paginate(view, params.limit, params.after_id, params.before_id)))

    async def retrieve_model(request: Request) -> Response:
        check_headers(request.headers, state.api_keys)
        parse_retrieve_params(request.scope["query_string"])
        model_id: str = request.path_params["model_id"]
        body = state.catalog.body(model_id)
        if body is None:
            raise ApiError(404, f"model: {model_id}")
        return json_response(body)

    spec = openapi_document(admin=admin)

    async def openapi(request: Request) -> Response:
        return json_response(spec)

    routes: list[BaseRoute] = [
        Route("/v1/models", list_models, methods=["GET"]),
        Route("/v1/models/{model_id}", retrieve_model, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]
    return MockApp(state, routes + (admin_routes(state) if admin else []))
