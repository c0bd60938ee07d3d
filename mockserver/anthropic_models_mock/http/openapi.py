"""The OpenAPI 3.1 document of exactly what the fake serves, built from the rules."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..model.errors import ERROR_TYPES
from ..model.limits import (
    LIFECYCLES,
    LIMIT_DEFAULT,
    LIMIT_MAX,
    LIMIT_MIN,
    MAX_LIFECYCLE_VALUES,
    MAX_SYNTHETIC_ADMIN,
    MODEL_LINES,
)
from ..model.modelinfo import CAPABILITIES_SHAPE, MODEL_ID_PATTERN
from .admin_schemas import COMMON_ERRORS, HEALTH_PATH, OPERATIONS, PREFIX, SCHEMAS

__all__ = ["openapi_document"]

_REF = "#/components/schemas/"
_DATE_TIME = {"type": "string", "format": "date-time"}
#: RFC 3339 as the fake reads it (``parse_rfc3339``), narrowed to what it also accepts: no year 0,
#: no leap second, and no offset moving the first or last day of years 1 and 9999 out of range
#: (a little narrower than the rule there, which judges the time of day too).
_DATE_TIME_IN = {
    **_DATE_TIME,
    "pattern": r"^(?!0000-)(?!0001-01-01[Tt][^+]*\+(?!00:00))(?!9999-12-31[Tt][^-]*-(?!00:00))"
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:[0-5]\d(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$",
}
#: A model id or an alias (``is_model_id``): letters, digits and ``._:@-``, not starting with punctuation.
_MODEL_ID = {"type": "string", "minLength": 1, "maxLength": 256, "pattern": f"^{MODEL_ID_PATTERN}$"}


def _shape_schema(shape: Mapping[str, Any], *, closed: bool = False, every_key: bool = False) -> dict[str, Any]:
    """The schema of a capabilities shape; ``closed``: no other keys (what the fake accepts);
    ``every_key``: optional entries are required too, and may be null (what the fake serves)."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for key, rule in shape.items():
        if rule is bool:
            properties[key] = {"type": "boolean"}
            required.append(key)
        elif isinstance(rule, Mapping):
            properties[key] = _shape_schema(rule, closed=closed, every_key=every_key)
            required.append(key)
        else:  # optional entry
            inner = _shape_schema(rule.shape, closed=closed, every_key=every_key)
            properties[key] = {"anyOf": [inner, {"type": "null"}]}
            if every_key:
                required.append(key)
    schema = {"type": "object", "properties": properties, "required": required}
    return {**schema, "additionalProperties": False} if closed else schema


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _model_schema() -> dict[str, Any]:
    """A model as served: every key required, ``null`` where unknown."""
    count = {"type": "integer", "minimum": 1}
    properties: dict[str, Any] = {
        "type": {"const": "model"},
        "id": {"type": "string"},
        "display_name": {"type": "string"},
        "created_at": _DATE_TIME,
        "lifecycle": {"enum": list(LIFECYCLES)},
        "deprecated_at": _nullable(_DATE_TIME),
        "retires_at": _nullable(_DATE_TIME),
        "line": _nullable({"enum": list(MODEL_LINES)}),
        "max_input_tokens": _nullable(count),
        "max_tokens": _nullable(count),
        "allowed_fallback_models": _nullable({"type": "array", "items": {"type": "string"}}),
        "capabilities": _nullable(_shape_schema(CAPABILITIES_SHAPE, every_key=True)),
    }
    return {
        "description": "The SDK's BetaModelInfo, served to every request (with beta=true or not); its ModelInfo"
        " is the same without allowed_fallback_models and capabilities.compaction, and allows extra keys.",
        "type": "object",
        "required": list(properties),
        "properties": properties,
    }


def _schemas() -> dict[str, Any]:
    return {
        "ModelInfo": _model_schema(),
        "ListResponse": {
            "type": "object",
            "required": ["data", "has_more", "first_id", "last_id"],
            "properties": {
                "data": {"type": "array", "items": {"$ref": _REF + "ModelInfo"}},
                "has_more": {"type": "boolean"},
                "first_id": {"type": ["string", "null"]},
                "last_id": {"type": ["string", "null"]},
            },
        },
        "Health": {
            "type": "object",
            "required": ["status", "models"],
            "properties": {"status": {"const": "ok"}, "models": {"type": "integer", "minimum": 0}},
        },
        "ErrorResponse": {
            "type": "object",
            "required": ["type", "error", "request_id"],
            "properties": {
                "type": {"const": "error"},
                "error": {
                    "type": "object",
                    "required": ["type", "message"],
                    "properties": {
                        "type": {"enum": sorted(set(ERROR_TYPES.values()))},
                        "message": {"type": "string"},
                    },
                },
                "request_id": {"type": "string"},
            },
        },
    }


def _response(description: str, schema: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {"request-id": {"$ref": "#/components/headers/RequestId"}},
        "content": {"application/json": {"schema": {"$ref": _REF + schema}}},
    }


_ERRORS = {
    "400": _response(
        "Invalid request: a bad parameter or header (anthropic-workspace-id not a workspace id, or missing for a key "
        "of several workspaces)",
        "ErrorResponse",
    ),
    "401": _response("Missing or invalid API key", "ErrorResponse"),
    "404": _response(
        "Unknown model id or alias, or one outside the key's view; or a workspace the key cannot act in",
        "ErrorResponse",
    ),
}
_WORKSPACE_404 = _response("A workspace the key cannot act in (keys from a keys file)", "ErrorResponse")

_CURSOR_NOTE = " Must be the id of a model in the listed (filtered) models, else 400."


def _operation(op_id: str, summary: str, ok: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    responses = {"200": _response("Success", ok), **_ERRORS}
    if op_id == "listModels":
        responses["404"] = _WORKSPACE_404
    return {
        "operationId": op_id,
        "summary": summary,
        "parameters": [
            {"$ref": "#/components/parameters/AnthropicVersion"},
            {"$ref": "#/components/parameters/WorkspaceId"},
            *parameters,
        ],
        "responses": responses,
        "security": [{"ApiKey": []}, {"Bearer": []}],
        "tags": ["models"],
    }


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _health_path() -> dict[str, Any]:
    """The readiness probe, served with or without the admin API."""
    operation = {
        "operationId": "health",
        "summary": "Readiness probe: ok, and how many models are served",
        "description": "No key needed; no faults; never journaled; served even with the admin API off. "
        "HEAD answers the same without a body.",
        "tags": ["health"],
        "responses": {"200": _response("Ready", "Health")},
    }
    return {HEALTH_PATH: {"get": operation}}


def _new_model() -> dict[str, Any]:
    """A model as ``validate_model`` takes it (the admin API's bodies, a catalog's entries)."""
    count = {"type": "integer", "minimum": 1}
    model_id = {"$ref": _REF + "ModelId"}
    return {
        "type": "object",
        "description": "A model as a catalog or the admin API takes it: type and lifecycle may be left out "
        "(model, active); sources is a catalog annotation, accepted and never served.",
        "required": ["id", "display_name", "created_at"],
        "additionalProperties": False,
        "properties": {
            "id": model_id,
            "type": {"const": "model"},
            "display_name": {"type": "string"},
            "created_at": _DATE_TIME_IN,
            "lifecycle": {"enum": list(LIFECYCLES), "default": "active"},
            "deprecated_at": _nullable(_DATE_TIME_IN),
            "retires_at": _nullable(_DATE_TIME_IN),
            "line": _nullable({"enum": list(MODEL_LINES)}),
            "max_input_tokens": _nullable(count),
            "max_tokens": _nullable(count),
            "allowed_fallback_models": _nullable({"type": "array", "items": model_id}),
            "capabilities": _nullable(_shape_schema(CAPABILITIES_SHAPE, closed=True)),
            "sources": {},
        },
        # The SDK's lifecycle rules: no dates while active; deprecated and retired models say when.
        "oneOf": [
            {
                "title": "Active",
                "properties": {
                    "lifecycle": {"const": "active"},
                    "deprecated_at": {"type": "null"},
                    "retires_at": {"type": "null"},
                },
            },
            {
                "title": "Deprecated or retired",
                "required": ["lifecycle", "deprecated_at"],
                "properties": {"lifecycle": {"enum": ["deprecated", "retired"]}, "deprecated_at": {"type": "string"}},
            },
        ],
    }


def _admin_schemas(max_synthetic: int) -> dict[str, Any]:
    """The admin API's components: model ids, a model as it is sent, a catalog document, the most synthetic
    models a catalog build makes, and its own."""
    document = {
        "title": "A catalog document",
        "type": "object",
        "required": ["models"],
        "additionalProperties": False,
        "properties": {
            "models": {"type": "array", "items": {"$ref": _REF + "NewModel"}},
            "aliases": {"type": "object", "propertyNames": _MODEL_ID, "additionalProperties": {"type": "string"}},
            "as_of": {"type": ["string", "null"]},
            "description": {},
            "sources": {},
            "omitted": {},
        },
    }
    size = {"type": "integer", "minimum": 0, "maximum": max_synthetic}
    return {
        "ModelId": _MODEL_ID,
        "NewModel": _new_model(),
        "CatalogDocument": document,
        "SyntheticSize": size,
        **SCHEMAS,
    }


def _admin_paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        errors = {**op.errors, **COMMON_ERRORS}
        responses = {str(op.status): _response("Done", op.answer)}
        if op.media != "application/json":  # a page (text), or a stream (the schema of one event)
            schema = {"$ref": _REF + op.answer} if op.answer else {"type": "string"}
            responses[str(op.status)]["content"] = {op.media: {"schema": schema}}
        responses.update({str(status): _response(errors[status], "ErrorResponse") for status in sorted(errors)})
        operation: dict[str, Any] = {
            "operationId": f"admin_{op.name}",
            "summary": op.summary,
            "tags": ["admin"],
            "responses": responses,
        }
        names = [part[1:-1] for part in op.path.split("/") if part.startswith("{")]
        if names or op.params:
            operation["parameters"] = [
                {"name": name, "in": "path", "required": True, "schema": {"$ref": _REF + "ModelId"}} for name in names
            ] + [dict(param) for param in op.params]
        if op.body is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": op.body}}}
        paths.setdefault(PREFIX + op.path, {})[op.method.lower()] = operation
    return paths


def openapi_document(*, admin: bool = False, max_synthetic: int = MAX_SYNTHETIC_ADMIN) -> bytes:
    """The document as JSON bytes (served at ``GET /openapi.json``); ``admin`` adds ``/_mock/``, whose catalog
    builds make at most ``max_synthetic`` synthetic models."""
    beta = _query(
        "beta",
        {"enum": ["true", "false"]},
        "Sent by SDKs before Python 2.3 and TypeScript 1.3 for client.beta.models; changes nothing"
        " (every request is answered with the same ModelInfo).",
    )
    list_params = [
        _query(
            "limit",
            {"type": "integer", "minimum": LIMIT_MIN, "maximum": LIMIT_MAX, "default": LIMIT_DEFAULT},
            "Items per page.",
        ),
        _query("after_id", {"type": "string", "minLength": 1}, "Page after this model." + _CURSOR_NOTE),
        _query("before_id", {"type": "string", "minLength": 1}, "Page before this model." + _CURSOR_NOTE),
        {
            **_query(
                "lifecycle",
                {"type": "array", "items": {"enum": list(LIFECYCLES)}, "maxItems": MAX_LIFECYCLE_VALUES},
                "Lifecycle filter; default active and deprecated. Also accepted as lifecycle[]=… "
                "(the SDK's form) and as one comma-separated value.",
            ),
            "style": "form",
            "explode": True,
        },
        beta,
    ]
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "anthropic-models-mock",
            "version": "1.0.0",
            "description": "An offline fake of Anthropic's Models API.",
        },
        "paths": {
            "/v1/models": {"get": _operation("listModels", "List models, newest first", "ListResponse", list_params)},
            "/v1/models/{model_id}": {
                "get": _operation(
                    "retrieveModel",
                    "Get a model by id or alias",
                    "ModelInfo",
                    [
                        {
                            "name": "model_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                            "description": "A model id or an alias.",
                        },
                        beta,
                    ],
                )
            },
            **_health_path(),
        },
        "tags": [
            {"name": "models", "description": "Anthropic's Models API, as the real API serves it"},
            {"name": "admin", "description": "The fake's runtime controls (not part of Anthropic's API)"},
            {"name": "health", "description": "The fake's readiness probe (not part of Anthropic's API)"},
        ],
        "components": {
            "schemas": _schemas(),
            "parameters": {
                "AnthropicVersion": {
                    "name": "anthropic-version",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                    "description": "API version, for example 2023-06-01.",
                },
                "WorkspaceId": {
                    "name": "anthropic-workspace-id",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "pattern": r"^wrkspc_[A-Za-z0-9]{1,64}$"},
                    "description": "The workspace the request acts in: required for a key of several workspaces, "
                    "optional for a key of one (and then it must be that one); a key of none can name none.",
                },
            },
            "headers": {"RequestId": {"schema": {"type": "string", "pattern": "^req_"}, "required": True}},
            "securitySchemes": {
                "ApiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
                "Bearer": {"type": "http", "scheme": "bearer"},
            },
        },
    }
    if admin:
        document["paths"].update(_admin_paths())  # type: ignore[attr-defined]
        document["components"]["schemas"].update(_admin_schemas(max_synthetic))  # type: ignore[index]
    return json.dumps(document, indent=1).encode()
