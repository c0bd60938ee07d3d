"""The ModelInfo payload: its type, and the checks a catalog entry must pass."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, Literal, TypedDict

from .limits import LIFECYCLES, MODEL_LINES

__all__ = [
    "CAPABILITIES_SHAPE",
    "FIELDS",
    "HEAD_FIELDS",
    "MODEL_ID",
    "MODEL_ID_PATTERN",
    "CatalogError",
    "ModelInfo",
    "complete",
    "fits",
    "is_model_id",
    "parse_rfc3339",
    "served",
    "validate_model",
]

Lifecycle = Literal["active", "deprecated", "retired"]


class ModelInfo(TypedDict):
    """One model as the catalog holds it and serves it: the SDK's ``BetaModelInfo``, every key present.

    Every request is answered with all of it, ``beta=true`` or not (the SDK's ``ModelInfo`` is the
    same keys without ``allowed_fallback_models`` and ``capabilities.compaction``, and allows extra keys).
    """

    type: Literal["model"]
    id: str
    display_name: str
    created_at: str
    lifecycle: Lifecycle
    deprecated_at: str | None
    retires_at: str | None
    line: str | None
    max_input_tokens: int | None
    max_tokens: int | None
    allowed_fallback_models: list[str] | None
    capabilities: dict[str, Any] | None


class CatalogError(ValueError):
    """A catalog file or entry that cannot be served; the message says where."""


_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})")
#: A model id (or alias): URL-safe, 1 to 256 characters.
MODEL_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,255}"
MODEL_ID = re.compile(MODEL_ID_PATTERN)


def is_model_id(text: object) -> bool:
    """Whether ``text`` is a URL-safe model id (or alias): no '/', spaces or other specials."""
    return isinstance(text, str) and MODEL_ID.fullmatch(text) is not None


def parse_rfc3339(text: str) -> dt.datetime:
    """Parse an RFC 3339 date-time (``Z`` or offset, any fraction) to aware UTC."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise ValueError(f"not an RFC 3339 date-time: {text!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    if zone in ("Z", "z"):
        tz = dt.timezone.utc
    else:
        sign = -1 if zone[0] == "-" else 1
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 23 or minutes > 59:
            raise ValueError(f"bad UTC offset in {text!r}")
        tz = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    try:
        moment = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micros, tz)
        return moment.astimezone(dt.timezone.utc)
    except ValueError as exc:
        raise ValueError(f"not a valid date-time: {text!r} ({exc})") from None
    except OverflowError:  # the offset moves it before year 1 or after year 9999
        raise ValueError(f"out of range once in UTC: {text!r}") from None


def _fail(where: str, field: str, problem: str) -> CatalogError:
    return CatalogError(f"{where}: {field}: {problem}")


class _Optional:
    """Marks an entry of ``CAPABILITIES_SHAPE`` that may be absent or null."""

    def __init__(self, shape: Mapping[str, Any]) -> None:
        self.shape = shape


def fits(value: Any, shape: Mapping[str, Any]) -> bool:
    """Whether ``value`` matches ``shape`` (the fast path; no messages: ``_check_shape`` says where it does not)."""
    if type(value) is not dict or not value.keys() <= shape.keys():
        return False
    for key, rule in shape.items():
        found = value.get(key)
        if rule is bool:
            if type(found) is not bool:
                return False
        elif isinstance(rule, _Optional):
            if found is not None and not fits(found, rule.shape):
                return False
        elif not fits(found, rule):
            return False
    return True


def complete(value: Mapping[str, Any], shape: Mapping[str, Any]) -> dict[str, Any]:
    """``value`` (which fits a shape at least as wide) with exactly the keys of ``shape``, in its order:
    optional entries it lacks are ``null`` ("keys are always present for all known capabilities")."""
    done: dict[str, Any] = {}
    for key, rule in shape.items():
        found = value.get(key)
        if isinstance(rule, _Optional):
            done[key] = None if found is None else complete(found, rule.shape)
        elif isinstance(rule, Mapping):
            done[key] = complete(found or {}, rule)
        else:
            done[key] = found
    return done


def _check_shape(value: Any, shape: Mapping[str, Any], path: str, where: str) -> None:
    """Raise a ``CatalogError`` naming the first place ``value`` departs from ``shape``."""
    if not isinstance(value, dict):
        raise _fail(where, path, f"expected an object, got {type(value).__name__}")
    unknown = sorted(set(value) - set(shape))
    if unknown:
        raise _fail(where, path, f"unknown key(s) {', '.join(unknown)}")
    for key, rule in shape.items():
        sub = f"{path}.{key}"
        if rule is bool:
            if not isinstance(value.get(key), bool):
                raise _fail(where, sub, "required, must be true or false")
        elif isinstance(rule, _Optional):
            if value.get(key) is not None:
                _check_shape(value[key], rule.shape, sub, where)
        elif key not in value:
            raise _fail(where, sub, "required")
        else:
            _check_shape(value[key], rule, sub, where)


_SUPPORT: Mapping[str, Any] = {"supported": bool}
_MAYBE = _Optional(_SUPPORT)

#: The SDK's ``BetaModelCapabilities`` (its ``ModelCapabilities`` without ``compaction``): nested objects,
#: ``supported`` flags, optional entries; in the SDK's order, which is the order served.
CAPABILITIES_SHAPE: Mapping[str, Any] = {
    "batch": _SUPPORT,
    "citations": _SUPPORT,
    "code_execution": _SUPPORT,
    "compaction": _Optional({"supported": bool, "summarize": _SUPPORT}),
    "context_management": {
        "supported": bool,
        "clear_thinking_20251015": _MAYBE,
        "clear_tool_uses_20250919": _MAYBE,
        "compact_20260112": _MAYBE,
    },
    "effort": {
        "supported": bool,
        "low": _SUPPORT,
        "medium": _SUPPORT,
        "high": _SUPPORT,
        "max": _SUPPORT,
        "xhigh": _MAYBE,
    },
    "image_input": _SUPPORT,
    "pdf_input": _SUPPORT,
    "server_tools": {"supported": bool, "code_execution": _SUPPORT, "web_search": _SUPPORT},
    "structured_outputs": _SUPPORT,
    "thinking": {
        "supported": bool,
        "types": {
            "adaptive": _SUPPORT,
            "between_tools": _SUPPORT,
            "disabled": _SUPPORT,
            "enabled": _SUPPORT,
        },
    },
}

#: Every key of a served model, in the order served (decided: the real API was seen to start with
#: type, id, display_name, created_at; the rest follow the SDK's declaration). Each one is always
#: there, ``null`` when unknown.
FIELDS: tuple[str, ...] = (
    "type",
    "id",
    "display_name",
    "created_at",
    "lifecycle",
    "deprecated_at",
    "retires_at",
    "line",
    "max_input_tokens",
    "max_tokens",
    "allowed_fallback_models",
    "capabilities",
)
#: The fields before ``capabilities``, which comes last.
HEAD_FIELDS: tuple[str, ...] = FIELDS[:-1]
assert FIELDS[-1] == "capabilities"
_FIELDS = frozenset(FIELDS)
#: Catalog-only annotations: accepted in a file, never served.
ANNOTATIONS = frozenset({"sources"})


def _optional_date(entry: Mapping[str, Any], field: str, where: str) -> None:
    value = entry.get(field)
    if value is None:
        return
    if not isinstance(value, str):
        raise _fail(where, field, f"expected an RFC 3339 string or null, got {value!r}")
    try:
        parse_rfc3339(value)
    except ValueError as exc:
        raise _fail(where, field, str(exc)) from None


def _optional_count(entry: Mapping[str, Any], field: str, where: str) -> None:
    value = entry.get(field)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _fail(where, field, f"expected a positive integer or null, got {value!r}")


def validate_model(entry: Any, where: str, checked: dict[int, object] | None = None) -> tuple[ModelInfo, dt.datetime]:
    """Check one catalog entry; return the payload to serve and its release moment.

    ``where`` names the entry in messages (``"models.json: models[3]"``). The
    payload keeps the entry's fields in the file's order, drops annotations such
    as ``sources``, and fills ``lifecycle`` with ``"active"`` when it is absent.
    """
    if not isinstance(entry, dict):
        raise CatalogError(f"{where}: expected an object, got {type(entry).__name__}")
    model_id = entry.get("id")
    if not is_model_id(model_id):
        raise _fail(where, "id", f"expected a URL-safe model id (no '/' or spaces), got {model_id!r}")
    where = f"{where} (id {model_id!r})"
    unknown = sorted(set(entry) - _FIELDS - ANNOTATIONS)
    if unknown:
        raise _fail(where, ", ".join(unknown), "unknown field(s)")
    if entry.get("type", "model") != "model":
        raise _fail(where, "type", f"must be 'model', got {entry['type']!r}")
    if not isinstance(entry.get("display_name"), str):
        raise _fail(where, "display_name", "required, must be a string")
    created_at = entry.get("created_at")
    if not isinstance(created_at, str):
        raise _fail(where, "created_at", f"required, must be an RFC 3339 string, got {created_at!r}")
    try:
        released = parse_rfc3339(created_at)
    except ValueError as exc:
        raise _fail(where, "created_at", str(exc)) from None
    lifecycle = entry.get("lifecycle", "active")
    if lifecycle not in LIFECYCLES:
        raise _fail(where, "lifecycle", f"must be one of {', '.join(LIFECYCLES)}, got {lifecycle!r}")
    _optional_date(entry, "deprecated_at", where)
    _optional_date(entry, "retires_at", where)
    _check_lifecycle_dates(entry, lifecycle, where)
    line = entry.get("line")
    if line is not None and line not in MODEL_LINES:
        raise _fail(where, "line", f"must be one of {', '.join(MODEL_LINES)} or null, got {line!r}")
    _optional_count(entry, "max_input_tokens", where)
    _optional_count(entry, "max_tokens", where)
    fallbacks = entry.get("allowed_fallback_models")
    if fallbacks is not None and (not isinstance(fallbacks, list) or not all(map(is_model_id, fallbacks))):
        raise _fail(where, "allowed_fallback_models", f"expected a list of model ids or null, got {fallbacks!r}")
    capabilities = entry.get("capabilities")
    if capabilities is not None and (checked is None or checked.get(id(capabilities)) is not capabilities):
        if not fits(capabilities, CAPABILITIES_SHAPE):
            _check_shape(capabilities, CAPABILITIES_SHAPE, "capabilities", where)
        if checked is not None:
            checked[id(capabilities)] = capabilities
    payload = {key: entry.get(key) for key in FIELDS}
    payload["type"], payload["lifecycle"] = "model", lifecycle
    return payload, released  # type: ignore[return-value]


def _check_lifecycle_dates(entry: Mapping[str, Any], lifecycle: str, where: str) -> None:
    """The SDK's rules: ``deprecated_at`` is set for deprecated and retired models and null while
    active; ``retires_at`` is null while active (a past one on a deprecated model is overdue, not done)."""
    if lifecycle == "active":
        for field in ("deprecated_at", "retires_at"):
            if entry.get(field) is not None:
                raise _fail(where, field, "must be null while lifecycle is active")
    elif entry.get("deprecated_at") is None:
        raise _fail(where, "deprecated_at", f"required for a {lifecycle} model (the date it was deprecated)")


def served(model: ModelInfo) -> dict[str, Any]:
    """``model`` as a request is answered with it: every capability key present (``null`` where unknown)."""
    shown: dict[str, Any] = dict(model)
    if model["capabilities"] is not None:
        shown["capabilities"] = complete(model["capabilities"], CAPABILITIES_SHAPE)
    return shown
