"""The request headers the API checks: credentials and ``anthropic-version``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping

from .errors import ApiError
from .limits import KNOWN_VERSIONS

__all__ = ["BLANK", "TOKEN", "api_key", "check_api_keys", "check_headers", "check_version", "key_problem"]

_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}")
#: A key a client can send: visible ASCII, spaces inside only (around a header value they are not part of it).
_SENDABLE_KEY = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
_UNKNOWN_KEY = "invalid x-api-key"
#: What is not part of a header value around it (RFC 9110's OWS): spaces and tabs, nothing else.
BLANK = " \t"
#: An HTTP token (RFC 9110): a header name, or a method.
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def check_api_keys(api_keys: Iterable[str] | None, what: str = "api_keys") -> frozenset[str] | None:
    """The keys to accept (``None``: any non-empty key), checked: each one a client could send.

    A bare string is refused (it would be split into characters). Messages never repeat a key.
    """
    if api_keys is None:
        return None
    if isinstance(api_keys, (str, bytes)) or not isinstance(api_keys, Iterable):
        raise TypeError(f"{what}: expected a list of keys, got a {type(api_keys).__name__} (write {what}=[...])")
    keys = list(api_keys)
    for n, key in enumerate(keys):
        if not isinstance(key, str):
            raise TypeError(f"{what}[{n}]: expected a string, got a {type(key).__name__}")
        problem = key_problem(key)
        if problem is not None:
            raise ValueError(f"{what}[{n}]: {problem}")
    return frozenset(keys)


def key_problem(key: str) -> str | None:
    """Why no client could send ``key`` as a header value, or ``None`` if one can (never repeats the key)."""
    if _SENDABLE_KEY.fullmatch(key):
        return None
    return "a key must be non-empty visible ASCII, no space or tab at either end (no client could send it otherwise)"


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
        key = key.strip(BLANK)  # the one rule for both headers: only spaces and tabs are not the key
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


def check_headers(
    raw: Iterable[tuple[bytes, bytes]], api_keys: Collection[str] | None, key_hint: str | None = None
) -> None:
    """Authenticate, then check the version header; raise ``ApiError`` on the first fault.

    ``raw`` is the ASGI scope's header list; a header given twice counts as its first value,
    and spaces or tabs around a value are not part of it (RFC 9110). ``key_hint`` is added
    to the message of an unknown key (say, which key the test kit's clients send).
    """
    headers: dict[str, str] = {}
    for name, value in raw:
        if name in _CHECKED:
            headers.setdefault(name.decode(), value.decode("latin-1").strip(BLANK))  # whitespace is not the value
    key = api_key(headers)
    if api_keys is not None and key not in api_keys:
        raise ApiError(401, _UNKNOWN_KEY if key_hint is None else f"{_UNKNOWN_KEY} ({key_hint})")
    check_version(headers.get("anthropic-version"))
