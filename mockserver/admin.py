"""The admin API under ``/_mock/``: the runtime controls of ``MockState`` as JSON over HTTP."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .catalog import Catalog, CatalogError
from .errors import ApiError
from .ids import new_request_id
from .state import MockState

__all__ = ["PREFIX", "admin_routes"]

PREFIX = "/_mock"
_FAULT_OPTIONS = frozenset(
    {"status", "times", "route", "model_id", "kind", "message"}
    | {"retry_after", "retry_after_ms", "should_retry", "headers"}
)


def _ok(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload), status, {"request-id": new_request_id()}, "application/json")


async def _body(request: Request, kind: type = dict) -> Any:
    raw = await request.body()
    try:
        value = json.loads(raw or b"null")
    except ValueError as exc:
        raise ApiError(400, f"request body: not valid JSON ({exc})") from None
    if not isinstance(value, kind):
        raise ApiError(400, f"request body: expected a JSON {'object' if kind is dict else 'array'}")
    return value


def _options(body: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError(400, f"{', '.join(unknown)}: unknown field(s); allowed: {', '.join(sorted(allowed))}")
    return body


Handler = Callable[[Request], Awaitable[Response]]


def _guarded(handler: Handler) -> Handler:
    """Turn the state's own errors (bad values) into 400 envelopes."""

    async def guarded(request: Request) -> Response:
        try:
            return await handler(request)
        except (CatalogError, ValueError, TypeError) as exc:
            raise ApiError(400, str(exc)) from None

    return guarded


def admin_routes(state: MockState) -> list[BaseRoute]:
    """The ``/_mock/`` routes operating on ``state``."""

    def summary() -> dict[str, Any]:
        catalog = state.catalog
        return {
            "catalog": {"source": catalog.source, "models": len(catalog), "aliases": dict(catalog.aliases)},
            "api_keys": "configured" if state.api_keys is not None else "any",
            "journal": {"size": len(state.journal), "maxlen": state.journal.maxlen, "total": state.journal.total},
            "faults": state.faults.to_json(),
        }

    async def get_state(request: Request) -> Response:
        return _ok(summary())

    async def reset(request: Request) -> Response:
        state.reset()
        return _ok(summary())

    async def journal(request: Request) -> Response:
        return _ok({"requests": [entry.to_json() for entry in state.journal], "total": state.journal.total})

    async def clear_journal(request: Request) -> Response:
        state.journal.clear()
        return _ok({"requests": [], "total": 0})

    async def faults(request: Request) -> Response:
        return _ok(state.faults.to_json())

    async def add_faults(request: Request) -> Response:
        body = await _body(request)
        if "sequence" in body:
            statuses = body.pop("sequence")
            if not isinstance(statuses, list) or not all(isinstance(s, int) for s in statuses):
                raise ApiError(400, "sequence: expected a list of HTTP statuses")
            options = _options(body, _FAULT_OPTIONS - {"status", "times"})
            state.faults.sequence(*statuses, **options)
        else:
            state.faults.add(**_options(body, _FAULT_OPTIONS))
        return _ok(state.faults.to_json(), 201)

    async def clear_faults(request: Request) -> Response:
        state.faults.clear()
        return _ok(state.faults.to_json())

    async def fail_rate(request: Request) -> Response:
        body = _options(await _body(request), _FAULT_OPTIONS - {"times", "model_id", "kind"} | {"rate", "seed"})
        if "rate" not in body:
            raise ApiError(400, "rate: required, a probability from 0 to 1")
        state.faults.set_fail_rate(**body)
        return _ok(state.faults.to_json())

    async def latency(request: Request) -> Response:
        body = _options(await _body(request), frozenset({"seconds", "jitter", "route", "seed"}))
        if "seconds" not in body:
            raise ApiError(400, "seconds: required")
        state.faults.set_latency(**body)
        return _ok(state.faults.to_json())

    async def add_model(request: Request) -> Response:
        body = await _body(request)
        state.add_model(body)
        return Response(state.catalog.body(body["id"]), 201, {"request-id": new_request_id()}, "application/json")

    async def remove_model(request: Request) -> Response:
        state.remove_model(request.path_params["model_id"])
        return _ok(summary()["catalog"])

    async def set_alias(request: Request) -> Response:
        body = _options(await _body(request), frozenset({"target"}))
        if not isinstance(body.get("target"), str):
            raise ApiError(400, "target: required, a model id")
        state.set_alias(request.path_params["alias"], body["target"])
        return _ok(summary()["catalog"])

    async def remove_alias(request: Request) -> Response:
        state.set_alias(request.path_params["alias"], None)
        return _ok(summary()["catalog"])

    async def replace_catalog(request: Request) -> Response:
        document = json.loads(await request.body() or b"null")
        state.replace_catalog(Catalog.from_document(document, source="<admin API>"))
        return _ok(summary()["catalog"])

    table: list[tuple[str, Handler, str]] = [
        ("", get_state, "GET"),
        ("/reset", reset, "POST"),
        ("/journal", journal, "GET"),
        ("/journal", clear_journal, "DELETE"),
        ("/faults", faults, "GET"),
        ("/faults", add_faults, "POST"),
        ("/faults", clear_faults, "DELETE"),
        ("/faults/rate", fail_rate, "PUT"),
        ("/faults/latency", latency, "PUT"),
        ("/models", add_model, "POST"),
        ("/models/{model_id}", remove_model, "DELETE"),
        ("/aliases/{alias}", set_alias, "PUT"),
        ("/aliases/{alias}", remove_alias, "DELETE"),
        ("/catalog", replace_catalog, "PUT"),
    ]
    routes: dict[str, dict[str, Handler]] = {}
    for path, handler, method in table:
        routes.setdefault(PREFIX + path, {})[method] = _guarded(handler)
    return [Route(path, _dispatch(handlers), methods=list(handlers)) for path, handlers in routes.items()]


def _dispatch(handlers: dict[str, Handler]) -> Handler:
    async def dispatch(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await handlers[method](request)

    return dispatch
