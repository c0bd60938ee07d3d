"""The admin API under ``/_mock/``: the runtime controls of ``MockState`` as JSON over HTTP."""

from __future__ import annotations

import json
import math
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar, get_args

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from . import ui
from .catalog import Catalog, CatalogError
from .errors import ApiError
from .events import MAX_STREAM_SECONDS, STREAM_SECONDS, EventStream, journal_events, journal_summary
from .faults import HEADER_VALUE, OWN_HEADERS, ROUTES, TRANSPORT_HEADERS, FaultKind
from .headers import TOKEN
from .jsontext import loads
from .modelinfo import is_model_id
from .responses import json_response
from .rules import BUILD_THREAD, MAX_SECONDS, MAX_SYNTHETIC
from .state import MockState

__all__ = ["COMMON_ERRORS", "OPERATIONS", "PREFIX", "SCHEMAS", "AdminOperation", "admin_routes"]

PREFIX = "/_mock"
_FAULT_OPTIONS = frozenset(
    {"status", "times", "route", "model_id", "kind", "message"}
    | {"retry_after", "retry_after_ms", "should_retry", "headers"}
)
_REF = "#/components/schemas/"


class AdminOperation(NamedTuple):
    """One admin endpoint: where, how, what it does, its JSON body (a JSON Schema) if any,
    its success status and the component schema of that answer, and the error statuses it answers
    (besides ``COMMON_ERRORS``); its query and header parameters (OpenAPI parameter objects), and the
    media type of its success answer (for an event stream, ``answer`` is the schema of one event;
    empty: plain text).
    """

    path: str
    method: str
    name: str
    summary: str
    body: dict[str, Any] | None = None
    status: int = 200
    answer: str = "AdminFaults"
    errors: Mapping[int, str] = MappingProxyType({})
    params: tuple[Mapping[str, Any], ...] = ()
    media: str = "application/json"


# -- request bodies ---------------------------------------------------------------------
# Each says exactly what the handler accepts: schemathesis checks both directions (a schema-valid
# body is not refused, an invalid one is not accepted). "Integer" is JSON Schema's: 588.0 is one.


def _any_case(word: str) -> str:
    """A regex matching ``word`` in any letter case (JSON Schema patterns have no ``i`` flag)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


_STATUS = {"type": "integer", "minimum": 400, "maximum": 599}
_ROUTE = {"enum": [*ROUTES, None], "description": "Only this endpoint; null: both."}
_SEED = {
    "type": ["integer", "null"],
    "minimum": -(2**63),
    "description": "Reseed the random faults and jitter; null or absent: keep the current seed.",
}
_RESERVED_HEADERS = "|".join(_any_case(name) for name in sorted(OWN_HEADERS | TRANSPORT_HEADERS))
_HEADERS = {
    "type": ["object", "null"],
    "description": "Extra headers on the fault's answer; null: none. Not the ones the fake sets "
    "itself (content-length, content-type, request-id) nor the connection's (transfer-encoding, ...).",
    "propertyNames": {"pattern": f"^(?!(?:{_RESERVED_HEADERS})$){TOKEN.pattern}$"},
    "additionalProperties": {"type": "string", "pattern": f"^{HEADER_VALUE.pattern}$"},
}
#: How a fault answers: shared by a scripted fault, a sequence and the random failure rate.
_ANSWER: dict[str, Any] = {
    "message": {"type": ["string", "null"], "description": "error.message; null: a default one."},
    "retry_after": {"type": ["number", "null"], "minimum": 0, "maximum": MAX_SECONDS},
    "retry_after_ms": {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_SECONDS * 1000},
    "should_retry": {"type": ["boolean", "null"]},
    "headers": _HEADERS,
}
_WHERE: dict[str, Any] = {"route": _ROUTE, "model_id": {"type": ["string", "null"]}}
_KIND = {"enum": list(get_args(FaultKind))}
#: A list request names no model, so a fault for both would never fire: refused.
_NOT_LIST_AND_MODEL = {
    "not": {
        "required": ["route", "model_id"],
        "properties": {"route": {"const": "list"}, "model_id": {"type": "string"}},
    }
}
_FAULT_BODY: dict[str, Any] = {
    "oneOf": [
        {
            "title": "One fault",
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "status": {**_STATUS, "default": 500},
                "times": {
                    "type": ["integer", "null"],
                    "minimum": 1,
                    "default": 1,
                    "description": "How many matching requests get it; null: every one, until cleared.",
                },
                **_WHERE,
                "kind": _KIND,
                **_ANSWER,
            },
            **_NOT_LIST_AND_MODEL,
        },
        {
            "title": "A sequence of faults, one request each",
            "type": "object",
            "required": ["sequence"],
            "additionalProperties": False,
            "properties": {
                "sequence": {"type": "array", "items": _STATUS, "minItems": 1},
                **_WHERE,
                "kind": _KIND,
                **_ANSWER,
            },
            **_NOT_LIST_AND_MODEL,
        },
    ]
}
_RATE_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["rate"],
    "additionalProperties": False,
    "properties": {
        "rate": {"type": "number", "minimum": 0, "maximum": 1},
        "status": {**_STATUS, "default": 500},
        "route": _ROUTE,
        "seed": _SEED,
        **_ANSWER,
    },
}
_SECONDS = {"type": "number", "minimum": 0, "maximum": MAX_SECONDS}
_LATENCY_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["seconds"],
    "additionalProperties": False,
    "properties": {"seconds": _SECONDS, "jitter": {**_SECONDS, "default": 0}, "route": _ROUTE, "seed": _SEED},
}
_ALIAS_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["target"],
    "additionalProperties": False,
    "properties": {"target": {"$ref": _REF + "ModelId"}},
}
_SYNTHETIC_BODY: dict[str, Any] = {
    "title": "A synthetic catalog",
    "type": "object",
    "required": ["synthetic"],
    "additionalProperties": False,
    "properties": {
        "synthetic": {"type": "integer", "minimum": 0, "maximum": MAX_SYNTHETIC},
        "seed": {"type": "integer", "default": 0},
    },
}
_CATALOG_BODY: dict[str, Any] = {
    "oneOf": [
        {"$ref": _REF + "CatalogDocument"},
        {"title": "A bare list of models", "type": "array", "items": {"$ref": _REF + "NewModel"}},
        _SYNTHETIC_BODY,
    ]
}

# -- answers ------------------------------------------------------------------------------


def _strict(properties: dict[str, Any]) -> dict[str, Any]:
    """An object with exactly these properties, all present."""
    return {"type": "object", "required": list(properties), "additionalProperties": False, "properties": properties}


_FAULT_JSON: dict[str, Any] = {
    "status": _STATUS,
    "kind": _KIND,
    "message": {"type": ["string", "null"]},
    "retry_after": _ANSWER["retry_after"],
    "retry_after_ms": _ANSWER["retry_after_ms"],
    "should_retry": {"type": ["boolean", "null"]},
    "headers": {"type": "object", "additionalProperties": {"type": "string"}},
}
_COUNT = {"type": "integer", "minimum": 0}
_CURSOR_MAX = 2**63 - 1
#: What the journal says of itself: in its answers and in the stream's ``journal`` events.
_JOURNAL_SUMMARY: dict[str, Any] = {
    "total": {**_COUNT, "description": "Requests recorded since the last clear (some may have left the ring)"},
    "size": {**_COUNT, "description": "Requests kept now"},
    "maxlen": {"type": "integer", "minimum": 1, "description": "Requests kept at most (--journal-size)"},
    "seq": {**_COUNT, "description": "The number of the last request recorded; 0: none yet. Never goes back"},
    "epoch": {**_COUNT, "description": "Bumped by each clear or reset"},
    "statuses": {
        "type": "object",
        "description": "How many requests got each status since the last clear",
        "propertyNames": {"pattern": "^[0-9]{1,3}$"},
        "additionalProperties": {"type": "integer", "minimum": 1},
    },
}
_AFTER = {
    "name": "after",
    "in": "query",
    "required": False,
    "schema": {"type": "integer", "minimum": 0, "maximum": _CURSOR_MAX, "default": 0},
    "description": "Only the requests recorded after the one with this seq.",
}
_JOURNAL_PARAMS: tuple[Mapping[str, Any], ...] = (
    _AFTER,
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": _CURSOR_MAX},
        "description": "At most this many: the newest. Absent: every one kept.",
    },
)
#: The stream's ``timeout`` (its schema is patched by the tests that fuzz it: keep it one object).
_STREAM_TIMEOUT: dict[str, Any] = {
    "type": "number",
    "minimum": 0,
    "maximum": MAX_STREAM_SECONDS,
    "default": STREAM_SECONDS,
}
_STREAM_PARAMS: tuple[Mapping[str, Any], ...] = (
    _AFTER,
    {
        "name": "timeout",
        "in": "query",
        "required": False,
        "schema": _STREAM_TIMEOUT,
        "description": "Seconds until the stream ends (0: what is there now, then the end). "
        "An EventSource reconnects by itself, sending Last-Event-ID.",
    },
    {
        "name": "Last-Event-ID",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "pattern": "^[0-9]{1,18}$"},
        "description": "The seq of the last request event received (what an EventSource sends when it "
        "reconnects); the stream starts after the later of it and after.",
    },
)

#: The admin API's component schemas, added to ``/openapi.json`` with it.
SCHEMAS: dict[str, Any] = {
    "AdminFaults": _strict(
        {
            "seed": {"type": "integer"},
            "scripted": {
                "type": "array",
                "items": _strict(
                    {
                        **_FAULT_JSON,
                        "times": {"type": ["integer", "null"], "minimum": 1},
                        "route": {"enum": [*ROUTES, None]},
                        "model_id": {"type": ["string", "null"]},
                    }
                ),
            },
            "fail_rate": _strict(
                {
                    "rate": {"type": "number", "minimum": 0, "maximum": 1},
                    "route": {"enum": [*ROUTES, None]},
                    **_FAULT_JSON,
                }
            ),
            "latency": {
                "type": "array",
                "items": _strict({"route": {"enum": [*ROUTES, None]}, "seconds": _SECONDS, "jitter": _SECONDS}),
            },
        }
    ),
    "AdminCatalog": _strict(
        {
            "source": {"type": "string"},
            "as_of": {"type": ["string", "null"], "description": "The date the catalog says it is true as of."},
            "models": _COUNT,
            "aliases": {"type": "object", "additionalProperties": {"$ref": _REF + "ModelId"}},
        }
    ),
    "AdminState": _strict(
        {
            "catalog": {"$ref": _REF + "AdminCatalog"},
            "api_keys": {"enum": ["configured", "any"]},
            "journal": _strict({"size": _COUNT, "maxlen": {"type": "integer", "minimum": 1}, "total": _COUNT}),
            "faults": {"$ref": _REF + "AdminFaults"},
        }
    ),
    "AdminJournalEvent": {
        "description": "One event of the journal's stream. data is JSON: for a journal event, what GET "
        "/_mock/journal answers without its requests; for a request event, one of its requests (its seq is the "
        "event's id).",
        "type": "object",
        "required": ["event", "data"],
        "properties": {
            "event": {"enum": ["journal", "request"]},
            "data": {"type": "string", "contentMediaType": "application/json", "pattern": "^\\{.*\\}$"},
            "id": {"type": "string", "pattern": "^[0-9]+$"},
            "retry": {"type": "integer", "minimum": 0},
        },
    },
    "AdminJournal": _strict(
        {
            **_JOURNAL_SUMMARY,
            "requests": {
                "type": "array",
                "items": _strict(
                    {
                        "method": {"type": "string"},
                        "path": {"type": "string"},
                        "query": {"type": "string"},
                        "params": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        },
                        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
                        "status": {
                            "type": "integer",
                            "minimum": 0,
                            "maximum": 599,
                            "description": "0: no answer at all (an injected disconnect).",
                        },
                        "request_id": {"type": "string"},
                        "seq": {"type": "integer", "minimum": 1, "description": "Its number: 1, 2, ... never reused"},
                        "time": {"type": "string", "format": "date-time", "description": "When it was answered"},
                    }
                ),
            },
        }
    ),
}

#: What every admin operation may answer besides its own: the control layer refuses a browser's
#: request from another origin before any handler sees it (see ``cors``).
COMMON_ERRORS: Mapping[int, str] = MappingProxyType(
    {403: "A browser's request from another origin: the admin API answers its own origin only"}
)
_BAD_BODY = MappingProxyType({400: "The body is not what the schema says (the message names the field)"})

#: Every admin endpoint; the routes and the OpenAPI document are both built from this.
OPERATIONS: tuple[AdminOperation, ...] = (
    AdminOperation(
        "", "GET", "get_state", "The state: catalog summary, keys, journal size, faults", answer="AdminState"
    ),
    AdminOperation(
        "/reset", "POST", "reset", "Back to the start: catalog, keys, empty journal, no faults", answer="AdminState"
    ),
    AdminOperation(
        "/journal",
        "GET",
        "journal",
        "The requests received (keys redacted), oldest first; after a seq, the newest few",
        answer="AdminJournal",
        errors=MappingProxyType({400: "after or limit is not a whole number in range"}),
        params=_JOURNAL_PARAMS,
    ),
    AdminOperation("/journal", "DELETE", "clear_journal", "Empty the journal", answer="AdminJournal"),
    AdminOperation(
        "/journal/stream",
        "GET",
        "journal_stream",
        "The journal live, as server-sent events: a journal event (as in GET /_mock/journal, without "
        "the requests) first and after every change, then one request event per new request (its id: the "
        "seq); it ends after timeout seconds",
        errors=MappingProxyType({400: "after, timeout or Last-Event-ID is not a number in range"}),
        params=_STREAM_PARAMS,
        answer="AdminJournalEvent",
        media="text/event-stream",
    ),
    AdminOperation("/ui", "GET", "ui_page", "The dashboard: open it in a browser", answer="", media="text/html"),
    AdminOperation("/ui/app.js", "GET", "ui_script", "The dashboard's script", answer="", media="text/javascript"),
    AdminOperation("/ui/app.css", "GET", "ui_style", "The dashboard's style sheet", answer="", media="text/css"),
    AdminOperation("/faults", "GET", "faults", "The faults in force"),
    AdminOperation(
        "/faults",
        "POST",
        "add_faults",
        "Add a scripted fault, or a sequence of them",
        _FAULT_BODY,
        201,
        errors=_BAD_BODY,
    ),
    AdminOperation("/faults", "DELETE", "clear_faults", "Remove every fault, rate and latency"),
    AdminOperation(
        "/faults/rate",
        "PUT",
        "fail_rate",
        "Fail each request with probability rate (seeded)",
        _RATE_BODY,
        errors=_BAD_BODY,
    ),
    AdminOperation(
        "/faults/latency",
        "PUT",
        "latency",
        "Delay requests by seconds plus a seeded uniform 0..jitter",
        _LATENCY_BODY,
        errors=_BAD_BODY,
    ),
    AdminOperation(
        "/models",
        "POST",
        "add_model",
        "Add or replace a model",
        {"$ref": _REF + "NewModel"},
        201,
        "ModelInfo",
        _BAD_BODY,
    ),
    AdminOperation(
        "/models/{model_id}",
        "DELETE",
        "remove_model",
        "Remove a model and its aliases",
        answer="AdminCatalog",
        errors={404: "No model with this id"},
    ),
    AdminOperation(
        "/aliases/{alias}",
        "PUT",
        "set_alias",
        "Point an alias at a model id",
        _ALIAS_BODY,
        answer="AdminCatalog",
        errors={
            **_BAD_BODY,
            404: "The target is no model in the catalog",
            409: "The alias is itself a model's id (an alias may not shadow one)",
        },
    ),
    AdminOperation(
        "/aliases/{alias}",
        "DELETE",
        "remove_alias",
        "Remove an alias",
        answer="AdminCatalog",
        errors={404: "No such alias"},
    ),
    AdminOperation(
        "/catalog",
        "PUT",
        "replace_catalog",
        "Serve another catalog: a catalog document, or {synthetic: N, seed: S}",
        _CATALOG_BODY,
        answer="AdminCatalog",
        errors={
            400: "The body is not what the schema says, or a document the schema cannot judge: "
            "two models with one id, an alias naming no model or shadowing a model's id"
        },
    ),
)


def _ok(payload: Any, status: int = 200) -> Response:
    return json_response(json.dumps(payload).encode(), status)


_Input = TypeVar("_Input")  # what a build is made from


async def _off_the_loop(build: Callable[[_Input], Catalog], raw: _Input) -> Catalog:
    """``build(raw)`` in a thread of its own: the old catalog keeps answering meanwhile, then the caller swaps.

    A daemon thread, polled: a shutdown cancels the wait at once and the process does not wait for the
    build (a pool's worker thread would hold the process until it ended).
    """
    result: list[Catalog] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            result.append(build(raw))
        except BaseException as exc:  # raised in the request, below
            failure.append(exc)

    worker = threading.Thread(target=work, name=BUILD_THREAD, daemon=True)
    started = time.monotonic()
    worker.start()
    while worker.is_alive():
        await anyio.sleep(_POLL)
    if failure:
        raise failure[0]
    built, elapsed = result[0], time.monotonic() - started
    if elapsed >= 1:  # a long build says what it did, as the CLI's do (one line: the server's stderr is a log)
        rate = len(built) / elapsed
        print(
            f"mockserver: PUT /_mock/catalog: built {len(built):,} models in {elapsed:.1f} s ({rate:,.0f}/s)",
            file=sys.stderr,
            flush=True,
        )
    return built


#: Seconds between two looks at a catalog build in progress.
_POLL = 0.01
#: A request body up to this size is parsed as a document; a larger ``PUT /_mock/catalog`` body is a
#: catalog file, loaded by the fast loader (a ``{"synthetic": N}`` body is far smaller).
_SMALL_BODY = 64 * 1024


def _joined_replacement(chunks: list[bytes]) -> Catalog:
    """The catalog of a ``PUT /_mock/catalog`` body, gathered in pieces: a large one is copied into one
    buffer a piece at a time (one call copying hundreds of megabytes would hold every thread), each
    piece freed once copied, so that the body is held once."""
    size = sum(map(len, chunks))
    if size <= _SMALL_BODY:
        return _replacement(b"".join(chunks))
    raw = bytearray()  # grown piece by piece: ``bytearray(size)`` would zero every page in one call
    chunks.reverse()
    while chunks:
        raw += chunks.pop()
    return _replacement(raw)


def _replacement(raw: bytes | bytearray) -> Catalog:
    """The catalog a ``PUT /_mock/catalog`` body asks for (run in a worker thread)."""
    if len(raw) > _SMALL_BODY:
        from .loading import NotJSON

        try:
            return Catalog.from_json(raw, source="<admin API>")
        except NotJSON as exc:
            raise ApiError(400, f"request body: not valid JSON ({exc.detail})") from None
        except CatalogError:
            pass  # refused by the catalog file rules: read as any admin body is (whole numbers, the synthetic form)
    document = _parsed(bytes(raw), object)
    if isinstance(document, dict) and "synthetic" in document:
        options = _options(document, frozenset({"synthetic", "seed"}))
        size, seed = options["synthetic"], options.get("seed", 0)
        if not _whole(size) or not 0 <= size <= MAX_SYNTHETIC:
            raise ApiError(400, f"synthetic: expected a whole number from 0 to {MAX_SYNTHETIC:,}, got {size!r}")
        if not _whole(seed):
            raise ApiError(400, f"seed: expected a whole number, got {seed!r}")
        return Catalog.synthetic(size, seed)
    return Catalog.from_document(document, source="<admin API>")


async def _body(request: Request, kind: type = dict) -> Any:
    return _parsed(await request.body(), kind)


def _parsed(raw: bytes, kind: type = dict) -> Any:
    try:
        value = loads(raw or b"null", whole_numbers=True)
    except (ValueError, RecursionError) as exc:  # also NaN, Infinity, huge numbers, absurd nesting
        raise ApiError(400, f"request body: not valid JSON ({str(exc) or type(exc).__name__})") from None
    if not isinstance(value, kind):
        raise ApiError(400, f"request body: expected a JSON {'object' if kind is dict else 'array'}")
    return value


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _count(name: str, text: str | None, low: int, default: int | None = None) -> int | None:
    """A query parameter that is a whole number from ``low`` to 2**63-1, written in digits."""
    if text is None:
        return default
    if not (text.isascii() and text.isdigit() and len(text) <= 19 and low <= int(text) <= _CURSOR_MAX):
        raise ApiError(400, f"{name}: expected a whole number from {low} to {_CURSOR_MAX}, got {text!r}")
    return int(text)


def _seconds(name: str, text: str | None, default: float, high: float) -> float:
    """A query parameter that is a number of seconds from 0 to ``high``, written in decimal."""
    if text is None:
        return default
    try:
        value = float(text) if text.isascii() and text.strip() == text else math.nan
    except ValueError:
        value = math.nan
    if not 0 <= value <= high:  # NaN too
        raise ApiError(400, f"{name}: expected a number of seconds from 0 to {high:g}, got {text!r}")
    return value


def _options(body: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError(400, f"{', '.join(unknown)}: unknown field(s); allowed: {', '.join(sorted(allowed))}")
    return body


def _no_null_headers(body: dict[str, Any]) -> dict[str, Any]:
    """``headers: null`` means none, for every kind of fault (as it does in ``Faults.add``)."""
    if "headers" in body and body["headers"] is None:
        del body["headers"]
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
            "catalog": {
                "source": catalog.source,
                "as_of": catalog.as_of,
                "models": len(catalog),
                "aliases": dict(catalog.aliases),
            },
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
        query = request.query_params
        after, limit = _count("after", query.get("after"), 0, 0), _count("limit", query.get("limit"), 1)
        requests = [entry.to_json() for entry in state.journal.since(after or 0, limit)]
        return _ok({**journal_summary(state.journal), "requests": requests})

    async def clear_journal(request: Request) -> Response:
        state.journal.clear()
        return _ok({**journal_summary(state.journal), "requests": []})

    async def journal_stream(request: Request) -> Response:
        query = request.query_params
        after = _count("after", query.get("after"), 0, 0) or 0
        last = request.headers.get("last-event-id")
        if last is not None:
            after = max(after, _count("Last-Event-ID", last, 0) or 0)
        seconds = _seconds("timeout", query.get("timeout"), _STREAM_TIMEOUT["default"], _STREAM_TIMEOUT["maximum"])
        return EventStream(journal_events(state.journal, after, seconds), head_only=request.method == "HEAD")

    page = ui.Assets()

    async def ui_page(request: Request) -> Response:
        return page.response("index.html")

    async def ui_script(request: Request) -> Response:
        return page.response("app.js")

    async def ui_style(request: Request) -> Response:
        return page.response("app.css")

    async def faults(request: Request) -> Response:
        return _ok(state.faults.to_json())

    async def add_faults(request: Request) -> Response:
        body = _no_null_headers(await _body(request))
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
        body = _options(
            _no_null_headers(await _body(request)), _FAULT_OPTIONS - {"times", "model_id", "kind"} | {"rate", "seed"}
        )
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
        alias, body = request.path_params["alias"], _options(await _body(request), frozenset({"target"}))
        target = body.get("target")
        if not is_model_id(alias):
            raise ApiError(400, f"alias: expected a URL-safe name like a model id (no '/' or spaces), got {alias!r}")
        if not is_model_id(target):
            raise ApiError(400, f"target: required, a model id, got {target!r}")
        if target not in state.catalog:
            raise ApiError(404, f"target: no model with id {target!r} to point {alias!r} at")
        if alias in state.catalog:
            raise ApiError(409, f"alias: {alias!r} is a model's id; an alias may not shadow it")
        state.set_alias(alias, target)
        return _ok(summary()["catalog"])

    async def remove_alias(request: Request) -> Response:
        alias = request.path_params["alias"]
        if alias not in state.catalog.aliases:
            raise ApiError(404, f"alias: no alias {alias!r} to remove")
        state.set_alias(alias, None)
        return _ok(summary()["catalog"])

    async def replace_catalog(request: Request) -> Response:
        chunks = [chunk async for chunk in request.stream()]  # joined by the worker: a large body is a long copy
        state.replace_catalog(await _off_the_loop(_joined_replacement, chunks))
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
