"""The OpenAPI 3.1 document of exactly what the fake serves, built from the rules."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .errors import ERROR_TYPES
from .modelinfo import CAPABILITIES_SHAPE
from .rules import HEALTH_PATH, LIFECYCLES, LIMIT_DEFAULT, LIMIT_MAX, LIMIT_MIN, MAX_LIFECYCLE_VALUES, MODEL_LINES

__all__ = ["openapi_document"]

_REF = "#/components/schemas/"
_DATE_TIME = {"type": "string", "format": "date-time"}


def _shape_schema(shape: Mapping[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for key, rule in shape.items():
        if rule is bool:
            properties[key] = {"type": "boolean"}
            required.append(key)
        elif isinstance(rule, Mapping):
            properties[key] = _shape_schema(rule)
            required.append(key)
        else:  # optional entry
            properties[key] = {"anyOf": [_shape_schema(rule.shape), {"type": "null"}]}
    return {"type": "object", "properties": properties, "required": required}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _schemas() -> dict[str, Any]:
    count = {"type": "integer", "minimum": 1}
    return {
        "ModelInfo": {
            "type": "object",
            "required": ["id", "type", "display_name", "created_at", "lifecycle"],
            "properties": {
                "id": {"type": "string"},
                "type": {"const": "model"},
                "display_name": {"type": "string"},
                "created_at": _DATE_TIME,
                "lifecycle": {"enum": list(LIFECYCLES)},
                "deprecated_at": _nullable(_DATE_TIME),
                "retires_at": _nullable(_DATE_TIME),
                "line": _nullable({"enum": list(MODEL_LINES)}),
                "max_input_tokens": _nullable(count),
                "max_tokens": _nullable(count),
                "capabilities": _nullable(_shape_schema(CAPABILITIES_SHAPE)),
            },
        },
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
    "400": _response("Invalid request: a bad parameter or header", "ErrorResponse"),
    "401": _response("Missing or invalid API key", "ErrorResponse"),
    "404": _response("Unknown model id or alias", "ErrorResponse"),
}

_CURSOR_NOTE = " Must be the id of a model in the listed (filtered) models, else 400."


def _operation(op_id: str, summary: str, ok: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    responses = {"200": _response("Success", ok), **_ERRORS}
    if op_id == "listModels":
        del responses["404"]
    return {
        "operationId": op_id,
        "summary": summary,
        "parameters": [{"$ref": "#/components/parameters/AnthropicVersion"}, *parameters],
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


def _admin_paths() -> dict[str, Any]:
    from .admin import OPERATIONS, PREFIX

    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        operation: dict[str, Any] = {
            "operationId": f"admin_{op.name}",
            "summary": op.summary,
            "tags": ["admin"],
            "responses": {
                "200" if op.method != "POST" or op.name == "reset" else "201": {
                    "description": "Done",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "400": _response("Invalid admin request", "ErrorResponse"),
            },
        }
        names = [part[1:-1] for part in op.path.split("/") if part.startswith("{")]
        if names:
            operation["parameters"] = [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}} for name in names
            ]
        if op.body is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": op.body}}}
        paths.setdefault(PREFIX + op.path, {})[op.method.lower()] = operation
    return paths


def openapi_document(*, admin: bool = False) -> bytes:
    """The document as JSON bytes (served at ``GET /openapi.json``); ``admin`` adds ``/_mock/``."""
    beta = _query("beta", {"enum": ["true", "false"]}, "Sent by the SDK's client.beta.models; same behaviour.")
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
                }
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
    return json.dumps(document, indent=1).encode()
