"""The request headers the API checks: credentials, the workspace, and ``anthropic-version``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping

from .access import EVERY_MODEL, WORKSPACE_HEADER, Access, check_workspace
from .errors import ApiError
from .limits import KNOWN_VERSIONS

__all__ = ["BLANK", "TOKEN", "api_key", "check_headers", "check_version", "in_workspace"]

_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}")
_UNKNOWN_KEY = "invalid x-api-key"
#: What is not part of a header value around it (RFC 9110's OWS): spaces and tabs, nothing else.
BLANK = " \t"
#: An HTTP token (RFC 9110): a header name, or a method.
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


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


_CHECKED = frozenset({b"x-api-key", b"authorization", b"anthropic-version", WORKSPACE_HEADER})


def check_headers(
    raw: Iterable[tuple[bytes, bytes]], keys: Mapping[str, Access] | None, key_hint: str | None = None
) -> tuple[Access, str | None]:
    """Authenticate, check the workspace, then the version header: what the key may see and the workspace the
    request acts in (``None``: none known), or ``ApiError`` on the first fault.

    ``raw`` is the ASGI scope's header list; a header given twice counts as its first value,
    and spaces or tabs around a value are not part of it (RFC 9110). ``keys``: the keys accepted (``None``:
    any non-empty key, which may see everything). ``key_hint`` is added to the message of an unknown key
    (say, which key the test kit's clients send).
    """
    headers: dict[str, str] = {}
    for name, value in raw:
        if name in _CHECKED:
            headers.setdefault(name.decode(), value.decode("latin-1").strip(BLANK))  # whitespace is not the value
    key = api_key(headers)
    access = EVERY_MODEL if keys is None else keys.get(key)
    if access is None:
        raise ApiError(401, _UNKNOWN_KEY if key_hint is None else f"{_UNKNOWN_KEY} ({key_hint})")
    named = headers.get("anthropic-workspace-id")
    workspace = None if named is None and access.workspaces is None else check_workspace(access, named)
    try:
        check_version(headers.get("anthropic-version"))
    except ApiError as exc:
        raise in_workspace(exc, workspace) from None
    return access, workspace


def in_workspace(exc: ApiError, workspace: str | None) -> ApiError:
    """``exc``, answered with the ``anthropic-workspace-id`` the request acted in (if known), as the API does."""
    if workspace is not None:
        exc.headers = {**exc.headers, "anthropic-workspace-id": workspace}
    return exc
