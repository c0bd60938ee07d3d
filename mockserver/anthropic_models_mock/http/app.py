"""The Starlette app: one routing table over the runtime state (see ``routing`` for what each kind of route applies)."""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from ..catalog.catalog import Catalog
from ..catalog.clock import parse_clock
from ..model.access import Keys, keys_from_document, keys_from_json
from ..model.limits import MAX_KEYS_BYTES, MAX_SYNTHETIC, MAX_SYNTHETIC_ADMIN
from ..runtime.journal import JOURNAL_BYTES
from ..runtime.state import MockState
from .admin import admin_routes
from .admin_schemas import HEALTH_PATH, PREFIX
from .endpoints import list_endpoint, retrieve_endpoint
from .hosts import Hosts
from .openapi import openapi_document
from .responses import crash_response, json_response
from .routing import AdminRoute, ApiRoute, OpenRoute, Shortcut, mark_too_long, not_found, own_not_found

__all__ = ["MockApp", "create_app", "load_keys"]


class MockApp(Starlette):
    """The fake Models API: a Starlette app over one ``MockState``.

    ``__call__`` marks a request target over ``MAX_URL_BYTES`` for its route to refuse (see ``routing``),
    sends a ``GET`` to an API route straight to that route (``routing.Shortcut``) and anything else
    through the middleware the user added and the router, and answers a bug in the fake with a 500
    envelope, then raises it for the server to log (never a traceback to the client). Each kind of route
    answers what its handlers raise: no exception middleware stands on every request.
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

    def build_middleware_stack(self) -> ASGIApp:
        """The router, inside the middleware the user added (``add_middleware``), if any."""
        app: ASGIApp = self.router
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        return app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        mark_too_long(scope)
        try:
            route = self._shortcut.route(scope) if scope["method"] == "GET" and not self.user_middleware else None
            if route is not None:
                await route.serve(scope, receive, send)
            else:
                await super().__call__(scope, receive, send)
        except ConnectionAbortedError:  # an injected fault dropping a connection that is not uvicorn's
            raise
        except Exception as exc:
            if _gone(send, exc):  # nobody is there to answer: one debug line
                _LOG.debug("%s %s: the client went away while its answer was written", scope["method"], scope["path"])
                return
            with contextlib.suppress(Exception):  # (an answer already started cannot be replaced)
                await crash_response()(scope, receive, send)
            raise


_LOG = logging.getLogger("anthropic_models_mock")


def _gone(send: Send, exc: BaseException) -> bool:
    """Whether ``exc`` is (only) what writing to a client that went away raises, under a server whose
    connection is now closed: uvloop's closed transport raises ``RuntimeError`` on a write (asyncio's ignores
    it), alone or in a task group's ``ExceptionGroup``. If so, the server is told the client is gone (so it
    does not log an unfinished answer)."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not transport.is_closing() or not _only(exc, RuntimeError):
        return False
    cycle.disconnected = True  # type: ignore[union-attr]
    return True


def _only(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``exc`` is a ``kind``, or a group of nothing else (at any depth)."""
    inner = getattr(exc, "exceptions", None)  # (an ExceptionGroup: built in from Python 3.11)
    if inner is not None and type(exc).__name__.endswith("ExceptionGroup"):
        return bool(inner) and all(_only(one, kind) for one in inner)
    return type(exc) is kind


def _import_sleep_backend() -> None:
    """Import the module anyio sleeps with on asyncio (latency faults, a catalog build's wait) now: anyio
    imports it at the first sleep, on the event loop, which then answers nothing for as long."""
    with contextlib.suppress(ImportError):  # another anyio layout: imported at the first sleep
        importlib.import_module("anyio._backends._asyncio")


def create_app(
    catalog: Catalog | None = None,
    *,
    api_keys: Iterable[str] | Keys | None = None,
    keys: Keys | Mapping[str, Any] | str | Path | None = None,
    clock: Any = None,
    admin: bool = True,
    journal_size: int = 1000,
    journal_bytes: int = JOURNAL_BYTES,
    fault_seed: int = 0,
    allow_hosts: Iterable[str] = (),
    max_synthetic: int = MAX_SYNTHETIC_ADMIN,
) -> MockApp:
    """A fake Models API over ``catalog`` (default: the embedded real catalog).

    ``api_keys``: when given, only these keys are accepted, each seeing every model; otherwise any
    non-empty key is. ``keys``: instead, the keys accepted and what each sees: a keys file's path, its
    document (``{"keys": {KEY: {"models": [...], "workspaces": [...]}}}``), or ``Keys``. ``clock``: serve the
    catalog as it stood at a moment by its own dates (an RFC 3339 string or aware ``datetime``, or ``"now"``;
    ``None``: its own lifecycles). ``admin``: serve the runtime controls under ``/_mock/``.
    ``journal_size``: how many requests the journal keeps; ``journal_bytes``: how many bytes of them, at most
    (the oldest go first). ``fault_seed``: the
    seed of random faults and latency. ``allow_hosts``: ``Host`` names the admin API and the dashboard
    answer besides loopback ones (the names this server is reached by: see ``hosts``). ``max_synthetic``:
    the most models ``PUT /_mock/catalog {"synthetic": N}`` builds (up to ``MAX_SYNTHETIC``). Each app owns
    its state; two apps share nothing.
    """
    if not 0 <= max_synthetic <= MAX_SYNTHETIC:
        raise ValueError(f"max_synthetic: expected 0 to {MAX_SYNTHETIC:,}, got {max_synthetic!r}")
    if api_keys is not None and keys is not None:
        raise ValueError("api_keys, keys: give one of the two (keys can give each key every model: {})")
    _import_sleep_backend()
    state = MockState(
        catalog if catalog is not None else Catalog.default(),
        api_keys if keys is None else load_keys(keys),
        clock=parse_clock(clock),
        journal_size=journal_size,
        journal_bytes=journal_bytes,
        fault_seed=fault_seed,
    )
    spec = openapi_document(admin=admin, max_synthetic=max_synthetic)
    hosts = Hosts(allow_hosts)

    async def openapi(request: Request) -> Response:
        return json_response(spec)

    async def health(request: Request) -> Response:
        """The readiness probe: no auth, no faults, never journaled; served with the admin API off too."""
        return json_response(json.dumps({"status": "ok", "models": len(state.catalog)}).encode())

    routes: list[BaseRoute] = [
        ApiRoute("/v1/models", list_endpoint(state), name="list", state=state),
        ApiRoute("/v1/models/{model_id}", retrieve_endpoint(state), name="retrieve", state=state),
        OpenRoute("/openapi.json", openapi),
        OpenRoute(HEALTH_PATH, health),
        *(admin_routes(state, hosts, max_synthetic) if admin else []),
        # Any other path of the fake's own, with any method: its 404, as the admin API answers.
        AdminRoute(PREFIX, own_not_found, methods=[], hosts=hosts),
        AdminRoute(PREFIX + "/{path:path}", own_not_found, methods=[], hosts=hosts),
    ]
    return MockApp(state, routes)


def load_keys(keys: Keys | Mapping[str, Any] | str | Path) -> Keys:
    """``Keys`` from a keys file's path, a keys document, or ``Keys`` as they are (``KeysError`` if they are wrong)."""
    if isinstance(keys, Keys):
        return keys
    if isinstance(keys, Mapping):
        return keys_from_document(keys, "keys")
    path = Path(keys)
    with path.open("rb") as file:  # (read past the bound by one byte at most: a bigger file is refused unread)
        text = file.read(MAX_KEYS_BYTES + 1)
    return keys_from_json(text, str(path))
