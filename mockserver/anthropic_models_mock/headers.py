"""The request headers the API checks: credentials and ``anthropic-version``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping

from .errors import ApiError
from .rules import KNOWN_VERSIONS

__all__ = ["api_key", "check_headers", "check_version"]

_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}")


def api_key(headers: Mapping[str, str]) -> str:
    """The key a request carries (``x-api-key`` first, else ``Authorization: Bearer``)."""
    key = headers.get("x-api-key")
    if key is None:
        authorization = headers.get("authorization")
        if authorization is None:
            raise ApiError(401, "x-api-key header is required (or Authorization: Bearer <key>)")
        scheme, _, key = authorization.partition(" ")
        if scheme.lower() != "bearer":
            raise ApiError(401, "Authorization header must use the Bearer scheme: 'Bearer <key>'")
        key = key.strip()
    if not key:
        raise ApiError(401, "invalid x-api-key: the key is empty")
    return key


def check_version(version: str | None) -> None:
    """Accept a known version or any well-formed ``YYYY-MM-DD`` date (decided)."""
    if version is None:
        raise ApiError(400, "anthropic-version: header is required")
    if version in KNOWN_VERSIONS:
        return
    try:
        if _VERSION.fullmatch(version) is None:
            raise ValueError
        dt.date.fromisoformat(version)
    except ValueError:
        raise ApiError(
            400,
            f"anthropic-version: {version!r} is not a version; use a date such as 2023-06-01",
        ) from None


_CHECKED = frozenset({b"x-api-key", b"authorization", b"anthropic-version"})


def check_headers(raw: Iterable[tuple[bytes, bytes]], api_keys: Collection[str] | None) -> None:
    """Authenticate, then check the version header; raise ``ApiError`` on the first fault.

    ``raw`` is the ASGI scope's header list; a header given twice counts as its first value,
    and spaces or tabs around a value are not part of it (RFC 9110).
    """
    headers: dict[str, str] = {}
    for name, value in raw:
        if name in _CHECKED:
            headers.setdefault(name.decode(), value.decode("latin-1").strip(" \t"))  # whitespace is not the value
    key = api_key(headers)
    if api_keys is not None and key not in api_keys:
        raise ApiError(401, "invalid x-api-key")
    check_version(headers.get("anthropic-version"))
