"""The admin API described: its paths, its operations and the JSON Schemas of their bodies and answers.

The admin routes (``admin``) and the OpenAPI document (``openapi``) are both built from ``OPERATIONS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple, get_args

from ..model.headers import TOKEN
from ..model.limits import MAX_SECONDS
from ..runtime.faults import HEADER_VALUE, OWN_HEADERS, ROUTES, TRANSPORT_HEADERS, FaultKind
from .events import MAX_STREAM_SECONDS, STREAM_SECONDS

__all__ = [
    "COMMON_ERRORS",
    "CURSOR_MAX",
    "FAULT_OPTIONS",
    "HEALTH_PATH",
    "OPERATIONS",
    "PREFIX",
    "SCHEMAS",
    "STREAM_TIMEOUT",
    "AdminOperation",
]

#: Where the admin API is.
PREFIX = "/_mock"
#: The readiness probe: under the admin API's prefix, but served even with the admin API off.
HEALTH_PATH = PREFIX + "/health"
#: The options of a fault, as the admin API's bodies name them.
FAULT_OPTIONS = frozenset(
    {"status", "times", "route", "model_id", "kind", "message"}
    | {"retry_after", "retry_after_ms", "should_retry", "headers", "details"}
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
    "details": {
        "type": ["object", "null"],
        "description": "error.details of the answer: an error_code and the fields that code has (the SDKs raise "
        "that code's exception, such as OrganizationOnHoldError); null: none. At most 4,096 bytes as JSON.",
        "required": ["error_code"],
        "properties": {"error_code": {"type": "string", "minLength": 1}},
    },
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
_CLOCK_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["now"],
    "additionalProperties": False,
    "properties": {
        "now": {
            "description": "The moment the catalog is served as of, by its own dates: an RFC 3339 date-time, or "
            '"now" for the wall clock.',
            "anyOf": [{"type": "string", "format": "date-time"}, {"const": "now"}],
        }
    },
}
_CLOCK = {
    "type": ["string", "null"],
    "description": 'The moment the catalog is served as of (RFC 3339, UTC), "now" (the wall clock), or null: its '
    "own lifecycles.",
}
_SYNTHETIC_BODY: dict[str, Any] = {
    "title": "A synthetic catalog",
    "type": "object",
    "required": ["synthetic"],
    "additionalProperties": False,
    "properties": {
        "synthetic": {"$ref": "#/components/schemas/SyntheticSize"},  # (its maximum is the app's: see openapi)
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
    "details": {"type": ["object", "null"]},
}
_COUNT = {"type": "integer", "minimum": 0}
CURSOR_MAX = 2**63 - 1
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
    "schema": {"type": "integer", "minimum": 0, "maximum": CURSOR_MAX, "default": 0},
    "description": "Only the requests recorded after the one with this seq.",
}
_JOURNAL_PARAMS: tuple[Mapping[str, Any], ...] = (
    _AFTER,
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": CURSOR_MAX},
        "description": "At most this many: the newest. Absent: every one kept.",
    },
)
#: The stream's ``timeout`` (its schema is patched by the tests that fuzz it: keep it one object).
STREAM_TIMEOUT: dict[str, Any] = {
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
        "schema": STREAM_TIMEOUT,
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
            "clock": _CLOCK,
            "journal": _strict({"size": _COUNT, "maxlen": {"type": "integer", "minimum": 1}, "total": _COUNT}),
            "faults": {"$ref": _REF + "AdminFaults"},
        }
    ),
    "AdminClock": _strict({"clock": _CLOCK}),
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
                        "key": {
                            "type": "string",
                            "description": "Which key sent it: its label in the keys file, else key: and 8 hex "
                            'digits of a hash of it; never the key. "": none was sent.',
                        },
                    }
                ),
            },
        }
    ),
}

#: What every admin operation may answer besides its own: an admin route refuses a browser's
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
        "/clock",
        "PUT",
        "set_clock",
        "Serve the catalog as of a moment, by its own dates: a model made later does not exist yet; else it is "
        "retired from its retires_at, deprecated from its deprecated_at, else active",
        _CLOCK_BODY,
        answer="AdminClock",
        errors=_BAD_BODY,
    ),
    AdminOperation(
        "/clock", "DELETE", "clear_clock", "Serve the catalog's own lifecycles again (no clock)", answer="AdminClock"
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
