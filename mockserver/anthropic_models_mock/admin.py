"""The admin API under ``/_mock/``: the runtime controls of ``MockState`` as JSON over HTTP."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .catalog import Catalog, CatalogError
from .errors import ApiError
from .jsontext import loads
from .responses import json_response
from .rules import MAX_SYNTHETIC
from .state import MockState

__all__ = ["OPERATIONS", "PREFIX", "AdminOperation", "admin_routes"]

PREFIX = "/_mock"
_FAULT_OPTIONS = frozenset(
    {"status", "times", "route", "model_id", "kind", "message"}
    | {"retry_after", "retry_after_ms", "should_retry", "headers"}
)


class AdminOperation(NamedTuple):
    """One admin endpoint: where, how, what it does, and its JSON body (a JSON Schema) if any."""

    path: str
    method: str
    name: str
    summary: str
    body: dict[str, Any] | None = None


_STATUS = {"type": "integer", "minimum": 400, "maximum": 599}
_ROUTE = {"enum": ["list", "retrieve", None]}
_FAULT_BODY: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "status": _STATUS,
        "sequence": {"type": "array", "items": _STATUS, "minItems": 1},
        "times": {"type": ["integer", "null"], "minimum": 1},
        "route": _ROUTE,
        "model_id": {"type": ["string", "null"]},
        "kind": {"enum": ["status", "disconnect", "truncate", "malformed"]},
        "message": {"type": ["string", "null"]},
        "retry_after": {"type": ["number", "null"], "minimum": 0},
        "retry_after_ms": {"type": ["integer", "null"], "minimum": 0},
        "should_retry": {"type": ["boolean", "null"]},
        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}

_SYNTHETIC_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["synthetic"],
    "additionalProperties": False,
    "properties": {
        "synthetic": {"type": "integer", "minimum": 0, "maximum": MAX_SYNTHETIC},
        "seed": {"type": "integer"},
    },
}

#: Every admin endpoint; the routes and the OpenAPI document are both built from this.
OPERATIONS: tuple[AdminOperation, ...] = (
    AdminOperation("", "GET", "get_state", "The state: catalog summary, keys, journal size, faults"),
    AdminOperation("/reset", "POST", "reset", "Back to the start: catalog, keys, empty journal, no faults"),
    AdminOperation("/journal", "GET", "journal", "The requests received (keys redacted), oldest first"),
    AdminOperation("/journal", "DELETE", "clear_journal", "Empty the journal"),
    AdminOperation("/faults", "GET", "faults", "The faults in force"),
    AdminOperation("/faults", "POST", "add_faults", "Add a scripted fault, or a sequence of them", _FAULT_BODY),
    AdminOperation("/faults", "DELETE", "clear_faults", "Remove every fault, rate and latency"),
    AdminOperation(
        "/faults/rate",
        "PUT",
        "fail_rate",
        "Fail each request with probability rate (seeded)",
        {
            "type": "object",
            "required": ["rate"],
            "properties": {
                "rate": {"type": "number", "minimum": 0, "maximum": 1},
                "status": _STATUS,
                "route": _ROUTE,
                "seed": {"type": "integer"},
            },
        },
    ),
    AdminOperation(
        "/faults/latency",
        "PUT",
        "latency",
        "Delay requests by seconds plus a seeded uniform 0..jitter",
        {
            "type": "object",
            "required": ["seconds"],
            "properties": {
                "seconds": {"type": "number", "minimum": 0},
                "jitter": {"type": "number", "minimum": 0},
                "route": _ROUTE,
                "seed": {"type": "integer"},
            },
        },
    ),
    AdminOperation(
        "/models", "POST", "add_model", "Add or replace a model", {"$ref": "#/components/schemas/ModelInfo"}
    ),
    AdminOperation("/models/{model_id}", "DELETE", "remove_model", "Remove a model and its aliases"),
    AdminOperation(
        "/aliases/{alias}",
        "PUT",
        "set_alias",
        "Point an alias at a model id",
        {"type": "object", "required": ["target"], "properties": {"target": {"type": "string"}}},
    ),
    AdminOperation("/aliases/{alias}", "DELETE", "remove_alias", "Remove an alias"),
    AdminOperation(
        "/catalog",
        "PUT",
        "replace_catalog",
        "Serve another catalog: a catalog document, or {synthetic: N, seed: S}",
        {"anyOf": [{"type": "object", "required": ["models"]}, {"type": "array"}, _SYNTHETIC_BODY]},
    ),
)


def _ok(payload: Any, status: int = 200) -> Response:
    return json_response(json.dumps(payload).encode(), status)


async def _body(request: Request, kind: type = dict) -> Any:
    raw = await request.body()
    try:
        value = loads(raw or b"null")
    except (ValueError, RecursionError) as exc:  # also NaN, Infinity, huge numbers, absurd nesting
        raise ApiError(400, f"request body: not valid JSON ({str(exc) or type(exc).__name__})") from None
    if not isinstance(value, kind):
        raise ApiError(400, f"request body: expected a JSON {'object' if kind is dict else 'array'}")
    return value


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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
        return json_response(state.catalog.body(body["id"]) or b"{}", 201)

    async def remove_model(request: Request) -> Response:
        model_id = request.path_params["model_id"]
        if model_id not in state.catalog:
            raise ApiError(404, f"model: no model with id {model_id!r} to remove")
        state.remove_model(model_id)
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
        document = await _body(request, object)
        if isinstance(document, dict) and "synthetic" in document:
            options = _options(document, frozenset({"synthetic", "seed"}))
            size, seed = options["synthetic"], options.get("seed", 0)
            if not _whole(size) or not 0 <= size <= MAX_SYNTHETIC:
                raise ApiError(400, f"synthetic: expected a whole number from 0 to {MAX_SYNTHETIC:,}, got {size!r}")
            if not _whole(seed):
                raise ApiError(400, f"seed: expected a whole number, got {seed!r}")
            state.replace_catalog(Catalog.synthetic(size, seed))
        else:
            state.replace_catalog(Catalog.from_document(document, source="<admin API>"))
        return _ok(summary()["catalog"])

    handlers: dict[str, Handler] = {
        name: handler for name, handler in locals().items() if callable(handler) and not name.startswith("_")
    }
    routes: dict[str, dict[str, Handler]] = {}
    for operation in OPERATIONS:
        routes.setdefault(PREFIX + operation.path, {})[operation.method] = _guarded(handlers[operation.name])
    return [Route(path, _dispatch(handlers), methods=list(handlers)) for path, handlers in routes.items()]


def _dispatch(handlers: dict[str, Handler]) -> Handler:
    async def dispatch(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await handlers[method](request)

    return dispatch
