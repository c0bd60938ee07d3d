"""Serve an ASGI app with uvicorn on a pre-bound socket, in the foreground or a thread."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from ..model.limits import MAX_BODY_BYTES, MAX_HEADER_BYTES, REQUEST_TIMEOUT
from .protocol import strict_protocol

__all__ = ["BackgroundServer", "Server", "base_url", "bind", "uvicorn_config"]


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: any free port). Raises ``OSError``."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[
        0
    ]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def base_url(sock: socket.socket) -> str:
    """``http://host:port`` of a bound socket."""
    host, port = sock.getsockname()[:2]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


#: On shutdown, how long requests still in flight (held by injected latency, or waiting for a catalog build)
#: may take to finish: short, so that Ctrl-C and SIGTERM stop the server within a second.
_GRACE = 0.25


def _not_the_grace_notice(record: logging.LogRecord) -> bool:
    """Drop uvicorn's ERRORs that the grace period ran out, and the traceback of each request it then
    cancels: ending held requests on shutdown is the plan, not a fault."""
    if "timeout graceful shutdown exceeded" in record.getMessage():
        return False
    return not (record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError))


def uvicorn_config(
    app: ASGIApp,
    *,
    access_log: bool = False,
    request_timeout: float = REQUEST_TIMEOUT,
    max_header_bytes: int = MAX_HEADER_BYTES,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> uvicorn.Config:
    """The uvicorn settings the fake runs with: its strict HTTP/1.1 protocol, uvloop when installed.

    ``request_timeout``: seconds a client has to send a whole request; ``max_header_bytes``: the largest
    request head (a 431 past it); ``max_body_bytes``: the largest request body (a 413). See ``protocol``.
    """
    return uvicorn.Config(
        app,
        http=strict_protocol(request_timeout, max_header_bytes, max_body_bytes),
        ws="none",  # no WebSocket routes: an upgrade request is answered as plain HTTP
        lifespan="off",
        access_log=access_log,
        log_level="info" if access_log else "warning",
        server_header=False,
        timeout_graceful_shutdown=_GRACE,  # type: ignore[arg-type]  # seconds: uvicorn waits a float as well
    )


class Server(uvicorn.Server):
    """uvicorn's server, with a ``ready`` event set once startup has finished (or failed)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets=sockets)
        finally:
            self.ready.set()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's shutdown: requests still held after the grace period are ended, without an ERROR line.

        The filter stays: the requests it cancels log their end after the shutdown has returned (one filter,
        however many servers stop)."""
        logging.getLogger("uvicorn.error").addFilter(_not_the_grace_notice)
        await super().shutdown(sockets=sockets)


class BackgroundServer:
    """uvicorn serving ``app`` in a daemon thread, on a port of its own.

    ``start()`` returns once the server accepts connections (no sleeping);
    ``stop()`` shuts it down. Usable as a context manager. ``settings`` go to ``uvicorn_config``
    (``request_timeout``, ``max_header_bytes``, ``max_body_bytes``, ``access_log``).
    """

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0, **settings: Any) -> None:
        self.app = app
        self._host, self._port, self._settings = host, port, settings
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self) -> BackgroundServer:
        sock = bind(self._host, self._port)
        self.url = base_url(sock)
        server = self._server = Server(uvicorn_config(self.app, **self._settings))
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=f"mockserver {self.url}", daemon=True
        )
        self._thread.start()
        server.ready.wait()
        if not server.started:
            self.stop()
            raise RuntimeError(f"the server at {self.url} did not start")
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<BackgroundServer {self.url or 'not started'}>"
