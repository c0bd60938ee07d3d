"""Query strings of the two endpoints, parsed and validated to typed parameters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from .errors import ApiError
from .limits import (
    DEFAULT_LIFECYCLES,
    LIFECYCLES,
    LIMIT_DEFAULT,
    LIMIT_MAX,
    LIMIT_MIN,
    MAX_LIFECYCLE_VALUES,
)

__all__ = ["ListParams", "parse_list_params", "parse_retrieve_params"]


@dataclass(frozen=True, slots=True)
class ListParams:
    """Validated parameters of ``GET /v1/models``."""

    limit: int = LIMIT_DEFAULT
    after_id: str | None = None
    before_id: str | None = None
    lifecycles: frozenset[str] = DEFAULT_LIFECYCLES


_DEFAULT = ListParams()
_LIFECYCLE_KEYS = ("lifecycle", "lifecycle[]")
_LIST_KEYS = frozenset({"limit", "after_id", "before_id", "beta", *_LIFECYCLE_KEYS})


def _pairs(query: bytes, allowed: frozenset[str]) -> dict[str, list[str]]:
    try:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise ApiError(400, "query string: not valid UTF-8 after percent-decoding") from None
    found: dict[str, list[str]] = {}
    for key, value in pairs:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise ApiError(400, f"{key}: unknown query parameter (this endpoint takes: {known})")
        found.setdefault(key, []).append(value)
    return found


def _single(found: dict[str, list[str]], key: str) -> str | None:
    values = found.get(key)
    if values is None:
        return None
    if len(values) > 1:
        raise ApiError(400, f"{key}: given {len(values)} times; give it once")
    return values[0]


_INTEGER = re.compile(r"([+-]?)0*([0-9]{1,7})")  # leading zeros aside, at most 7 digits: no huge ints


def _limit(raw: str | None) -> int:
    if raw is None:
        return LIMIT_DEFAULT
    found = _INTEGER.fullmatch(raw)
    if found is None:
        if re.fullmatch(r"[+-]?[0-9]+", raw):  # an integer, but far too long to be in range
            raise ApiError(400, f"limit: must be from {LIMIT_MIN} to {LIMIT_MAX}, got {raw[:20]}… ({len(raw)} digits)")
        raise ApiError(400, f"limit: must be an integer from {LIMIT_MIN} to {LIMIT_MAX}, got {raw[:40]!r}")
    value = int(found.group(1) + found.group(2))
    if not LIMIT_MIN <= value <= LIMIT_MAX:
        raise ApiError(400, f"limit: must be from {LIMIT_MIN} to {LIMIT_MAX}, got {value}")
    return value


def _lifecycles(found: dict[str, list[str]]) -> frozenset[str]:
    values = [v for key in _LIFECYCLE_KEYS for v in found.get(key, ())]
    if not values:
        return DEFAULT_LIFECYCLES
    if len(values) == 1 and "," in values[0]:
        values = values[0].split(",")
    if len(values) > MAX_LIFECYCLE_VALUES:
        raise ApiError(400, f"lifecycle: at most {MAX_LIFECYCLE_VALUES} values, got {len(values)}")
    for value in values:
        if value not in LIFECYCLES:
            raise ApiError(400, f"lifecycle: {value!r} is not one of {', '.join(LIFECYCLES)}")
    return frozenset(values)


def _check_beta(raw: str | None) -> None:
    """``beta`` (what SDKs before Python 2.3 and TypeScript 1.3 send for ``client.beta.models``) must be
    ``true`` or ``false``, and changes nothing: every request is answered with the one shape."""
    if raw is not None and raw != "true" and raw != "false":
        raise ApiError(400, f"beta: must be true or false, got {raw!r}")


def _cursor(found: dict[str, list[str]], key: str) -> str | None:
    value = _single(found, key)
    if value == "":
        raise ApiError(400, f"{key}: must not be empty")
    return value


def parse_list_params(query: bytes) -> ListParams:
    """Validate a list request's raw query string; every problem is a 400."""
    if not query:
        return _DEFAULT
    found = _pairs(query, _LIST_KEYS)
    _check_beta(_single(found, "beta"))
    return ListParams(
        limit=_limit(_single(found, "limit")),
        after_id=_cursor(found, "after_id"),
        before_id=_cursor(found, "before_id"),
        lifecycles=_lifecycles(found),
    )


_RETRIEVE_KEYS = frozenset({"beta"})


def parse_retrieve_params(query: bytes) -> None:
    """Validate a retrieve request's raw query string (it may carry ``beta``); every problem is a 400."""
    if query:
        _check_beta(_single(_pairs(query, _RETRIEVE_KEYS), "beta"))
