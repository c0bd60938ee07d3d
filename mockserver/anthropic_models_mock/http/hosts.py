"""Which ``Host`` names the admin API and the dashboard answer: this server's own, never a web page's.

A page on ``http://evil.example:PORT`` whose name resolves to 127.0.0.1 (DNS rebinding) is, to the
browser, its own origin: it may send anything there and read the answers. What gives it away is the
``Host`` header, which names the page's site, not this server. So the fake's own routes answer only
requests whose ``Host`` is a loopback name or address (``localhost`` and ``*.localhost``, ``127.0.0.0/8``,
``[::1]``), a name the server was started with (``--host``), or a name the user allows (``--allow-host``,
``create_app(allow_hosts=...)``). A request without ``Host`` (HTTP/1.0, never a browser's) is answered,
and so is any request made in process (Starlette's ``TestClient``, httpx's ``ASGITransport``, the kit's
clients): no network carried it, so no page can have sent it. Such a request names no socket address as
its server (``scope["server"]``), where one a server read from a connection always does.

The Models API, ``/openapi.json`` and the readiness probe answer any ``Host``: behind a proxy or in a
container, the fake's name is whatever the client used.

``Sec-Fetch-Site`` (sent by browsers) must say the request came from the page's own origin, or from
no page at all (``same-origin``, ``none``): ``cross-site`` and ``same-site`` are another site's page,
unless it is a ``GET`` navigation (a link followed to the dashboard: the page that had the link cannot
read what it opens).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

__all__ = ["Hosts", "host_name", "in_process", "is_host"]

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


#: A ``Host`` value, as a client sends it: a name or an IPv4 address, or an IPv6 address in brackets; a port.
_HOST = re.compile(r"(?:[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


def is_host(value: str) -> bool:
    """Whether ``value`` is a ``Host`` a client may send (``mock.internal``, ``mock.internal:4010``, ``[::1]``)."""
    return _HOST.fullmatch(value) is not None


def _address(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


def _loopback(name: str) -> bool:
    if name == "localhost" or name.endswith(".localhost"):
        return True
    address = _address(name)
    if address is None:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def in_process(server: object) -> bool:
    """Whether a request whose ASGI scope names this ``server`` was made in process: a server reading a
    connection names the socket's address there; an in-process client, the name in its URL."""
    return isinstance(server, (tuple, list)) and bool(server) and _address(str(server[0])) is None


class Hosts:
    """The ``Host`` names the fake's own routes answer: loopback, and ``names`` (any ``Host`` form)."""

    __slots__ = ("names",)

    def __init__(self, names: Iterable[str] = ()) -> None:
        if isinstance(names, (str, bytes)):
            raise TypeError(f"allow_hosts: expected a list of names, such as allow_hosts=[{names!r}], not one string")
        names = list(names)
        for name in names:
            if not isinstance(name, str) or not is_host(name):
                raise ValueError(
                    f"allow_hosts: {name!r} is not a host name (give it as a client's Host header has it:"
                    " mock.internal, mock.internal:4010, 10.0.0.5 or [fd00::5])"
                )
        self.names = frozenset(host_name(name) for name in names)

    def allows(self, host: bytes | None, server: object = None) -> bool:
        """Whether a request with this ``Host`` header (``None``: none), whose scope names this ``server``,
        names this server."""
        if host is None or in_process(server):
            return True
        value = host.decode("latin-1")
        name = host_name(value)
        return is_host(value.strip()) and (name in self.names or _loopback(name))

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
