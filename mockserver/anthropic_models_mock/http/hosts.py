"""Which ``Host`` names the admin API and the dashboard answer: this server's own, never a web page's.

A page on ``http://evil.example:PORT`` whose name resolves to 127.0.0.1 (DNS rebinding) is, to the
browser, its own origin: it may send anything there and read the answers. What gives it away is the
``Host`` header, which names the page's site, not this server. So the fake's own routes answer only
requests whose ``Host`` is a loopback name or address (``localhost`` and ``*.localhost``, ``127.0.0.0/8``,
``[::1]``), a name the server was started with (``--host``), a name the user allows (``--allow-host``,
``create_app(allow_hosts=...)``), or a name in-process clients use that public DNS never gives out
(``test`` and ``*.test``, reserved by RFC 6761; ``testserver``, Starlette's ``TestClient``). A request
without ``Host`` (HTTP/1.0, never a browser's) is answered. The Models API, ``/openapi.json`` and the
readiness probe answer any ``Host``: behind a proxy or in a container, the fake's name is whatever the
client used.

``Sec-Fetch-Site`` (sent by browsers) must say the request came from the page's own origin, or from
no page at all (``same-origin``, ``none``): ``cross-site`` and ``same-site`` are another site's page.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

__all__ = ["Hosts", "host_name"]

#: The longest ``Host`` an error message repeats.
_SHOWN = 100


def host_name(value: str) -> str:
    """The name in a ``Host`` value (``name``, ``name:port``, ``[v6]``, ``[v6]:port``), lower-case,
    without a trailing dot or the brackets of an IPv6 address."""
    value = value.strip().lower()
    if value.startswith("["):
        name, bracket, _ = value[1:].partition("]")
        return name if bracket else value
    name, colon, port = value.rpartition(":")
    if colon and (port.isdigit() or not port) and ":" not in name:
        value = name
    return value.rstrip(".") if value != "." else value


#: Names answered besides addresses: loopback names, and in-process clients' names public DNS never resolves.
_OWN_NAMES = frozenset({"localhost", "test", "testserver"})
_OWN_SUFFIXES = (".localhost", ".test")


def _own(name: str) -> bool:
    if name in _OWN_NAMES or name.endswith(_OWN_SUFFIXES):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


class Hosts:
    """The ``Host`` names the fake's own routes answer: loopback, and ``names`` (any ``Host`` form)."""

    __slots__ = ("names",)

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.names = frozenset(host_name(name) for name in names if name.strip())

    def allows(self, host: bytes | None) -> bool:
        """Whether a request with this ``Host`` header (``None``: none) names this server."""
        if host is None:
            return True
        name = host_name(host.decode("latin-1"))
        return name in self.names or _own(name)

    def refusal(self, host: bytes) -> str:
        """What a refused request is told."""
        shown = host.decode("latin-1")
        if len(shown) > _SHOWN:
            shown = shown[:_SHOWN] + "…"
        return (
            f"Host {shown!r} is not a name of this server: the admin API and the dashboard answer requests to "
            "localhost, loopback addresses and the names the server allows (mockserver serve --allow-host NAME; "
            "create_app(allow_hosts=[NAME]))"
        )
