"""HTTP/1.1 as the fake reads it: uvicorn's httptools protocol, made strict and never silent.

uvicorn answers what it cannot parse itself, in plain text, and more besides that
an adversarial client can exploit. This protocol changes exactly that:

- a request that is not valid HTTP/1.1 gets the API's error envelope, saying what was wrong;
- requests pipelined before it are answered first, in order (uvicorn's own protocol drops them), also when
  the client has half-closed the connection after sending them;
- an ``Upgrade`` (WebSocket, h2c) is answered as the plain HTTP request it also is,
  then the connection closes: the fake has no WebSocket routes;
- a request target longer than ``MAX_URL_BYTES`` is a 414 before it is buffered;
- a request head (request line and headers) longer than ``max_header_bytes`` is a 431 before it is parsed
  further (so parsing stays linear: the parser joins a header's pieces as they arrive);
- a request body longer than ``max_body_bytes`` is a 413: at once when its ``Content-Length`` says so,
  else as soon as that much has arrived;
- a client gets ``request_timeout`` seconds from connecting (or from the first byte of a
  request) to send the whole request, headers and body, else a 408: slow clients cannot pin
  connections;
- a request whose body cannot be read (a bad chunk) gets its 400 at once, not an endless wait.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from itertools import chain
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ..model.errors import error_body
from ..model.limits import MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_URL_BYTES, REQUEST_TIMEOUT
from .responses import new_request_id

__all__ = ["StrictHttpProtocol", "strict_protocol"]

#: After a refusal, how long the client may go on sending (read and dropped) before the connection closes.
_LINGER = 2.0


class _Refused(Exception):
    """Raised from a parser callback to stop reading a request that is refused (``_refusing`` says how)."""


_TARGET_TOO_LONG = f"request target too long: more than {MAX_URL_BYTES:,} bytes"
#: The most of a request the parser is given to find out what is wrong with its request line.
_LINE_BYTES = MAX_URL_BYTES + 64
#: What ends a request head.
_END = b"\r\n\r\n"


def _explain(exc: Exception) -> str:
    if isinstance(exc, httptools.HttpParserCallbackError) and isinstance(exc.__context__, httptools.HttpParserError):
        return "the request target must be a path such as /v1/models (not CONNECT's host:port, not an absolute URL)"
    if "PRI" in str(exc):
        return "HTTP/2 is not served (no prior knowledge): speak HTTP/1.1"
    reason = (str(exc) or type(exc).__name__).rstrip(".")
    if isinstance(exc, httptools.HttpParserInvalidURLError):
        return f"not valid HTTP/1.1: {reason} (percent-encode spaces, control characters and non-ASCII bytes)"
    if isinstance(exc, httptools.HttpParserInvalidMethodError):
        return f"not valid HTTP/1.1: {reason} (the API answers GET; the admin API also POST, PUT and DELETE)"
    return f"not valid HTTP/1.1: {reason}"


class StrictHttpProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol (httptools) with the changes listed in this module's docstring."""

    #: Seconds a client has to send a whole request (from connecting, or from the request's first byte).
    request_timeout: float = REQUEST_TIMEOUT
    #: Bytes a request head (request line and headers) may take; a request body.
    max_header_bytes: int = MAX_HEADER_BYTES
    max_body_bytes: int = MAX_BODY_BYTES

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._refusal: bytes | None = None  # an error answer owed once earlier requests are answered
        self._request_timer: asyncio.TimerHandle | None = None
        self._request_since: float | None = None  # when the request being read began to arrive
        self._refusing: tuple[int, str] | None = None  # why a parser callback stopped the parser
        self._head_open = True  # the bytes arriving are a request head's
        self._head_bytes = 0
        self._head_tail = b""  # the last bytes of the head so far: its end may span two reads
        self._head_measured = False  # the head being parsed was the whole of one read, within the limit
        self._read_whole = True  # the last read ended with a head's end (or none came yet)
        self._body_bytes = 0
        self._client_done = False  # the client half-closed: close once every answer is written
        self._refused = False  # the refusal is written; what arrives now is dropped

    # -- the connection ---------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_request_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refusal is not None:
            return  # past a request that could not be read, nothing more is read
        self._unset_keepalive_if_required()
        if self._head_open:  # (the usual case, a whole small head in one read, costs one search)
            end = data.find(_END)
            if (end < 0 or self._head_bytes or end > self.max_header_bytes - len(_END)) and not self._head_fits(data):
                self._refuse(*self._first_refusal(data))
                return
            # A read that is one whole head and nothing else, after a read that ended with a head (nothing of
            # this one was in it), has been measured; any other head is, as parsed.
            self._head_measured = self._read_whole and end + len(_END) == len(data) and not self._head_bytes
        self._read_whole = data.endswith(_END)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._answer_upgrade_as_http()
        except (httptools.HttpParserError, _Refused) as exc:
            self._refuse(*(self._refusing or (400, _explain(exc))))

    def _head_fits(self, data: bytes) -> bool:
        """Count the bytes of ``data`` up to the end of the request head being read: within the limit still?"""
        end = data.find(_END)
        if end < 0 and self._head_tail:
            found = (self._head_tail + data[:3]).find(_END)
            if found >= 0:
                end = found - len(self._head_tail)
        self._head_bytes += len(data) if end < 0 else end + len(_END)
        self._head_tail = data[-3:] if end < 0 else b""
        return self._head_bytes <= self.max_header_bytes

    def eof_received(self) -> bool:  # type: ignore[override]  # asyncio.Protocol allows a bool
        """The client has finished sending (a half-close): answer what it sent, then close."""
        self._client_done = True
        if self._refused:
            return False  # the refusal is out and the client is done: close
        return self._owes_answers() or self._refusal is not None  # True: keep the transport open to write

    def send_400_response(self, msg: str) -> None:
        self._refuse(400, f"not valid HTTP/1.1: {msg.rstrip('.')}")

    # -- parser callbacks ---------------------------------------------------------------
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm_request_timer()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > MAX_URL_BYTES:
            self._refusing = (414, _TARGET_TOO_LONG)
            raise _Refused

    def on_headers_complete(self) -> None:
        self._head_open, self._head_bytes, self._head_tail, self._body_bytes = False, 0, b"", 0
        headers = self.headers
        if not self._head_measured and (  # (a head after another in one read, or begun in an earlier one)
            len(self.url) + sum(map(len, chain.from_iterable(headers))) + 4 * len(headers) > self.max_header_bytes
        ):
            self._refusing = (431, self._too_large_head())
            raise _Refused
        self._head_measured = False
        if self.parser.get_method() != b"GET":  # (a GET's body, if any, is counted as it arrives)
            for name, value in headers:
                if name == b"content-length" and value.isdigit():
                    digits = value.lstrip(b"0")  # (any number of leading zeros is still a valid length)
                    if len(digits) > 18 or int(digits or b"0") > self.max_body_bytes:
                        self._refuse_body(f"{int(digits):,} bytes" if len(digits) <= 30 else "too many bytes")
        super().on_headers_complete()

    def _too_large_head(self) -> str:
        return (
            f"request headers too large: more than {self.max_header_bytes:,} bytes "
            "(mockserver serve --max-header-bytes raises the limit)"
        )

    def _first_refusal(self, data: bytes) -> tuple[int, str]:
        """Why a request whose head is past the limit is refused: a 431, unless its request line, possibly in
        ``data``, is what is too long (a 414) or not HTTP (a 400). The parser reads at most the line's worth."""
        refusal = (431, self._too_large_head())
        if getattr(self, "headers", None) or data.find(_END, 0, _LINE_BYTES) >= 0:
            return refusal  # the request line was read before (a header is), or its head would end here
        try:
            self.parser.feed_data(data[:_LINE_BYTES])
        except httptools.HttpParserUpgrade:
            pass
        except (httptools.HttpParserError, _Refused) as exc:
            return self._refusing or (400, _explain(exc))
        return refusal

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        if self._body_bytes > self.max_body_bytes:
            cycle = self.cycle
            if cycle is not None and cycle.response_started:  # answered already: no second answer, just stop
                self.transport.close()
                raise _Refused
            self._refuse_body(f"more than {self.max_body_bytes:,} bytes")
        super().on_body(body)

    def _refuse_body(self, size: str) -> None:
        self._refusing = (
            413,
            f"request body too large: {size}; at most {self.max_body_bytes:,} "
            "(mockserver serve --max-body-bytes raises the limit)",
        )
        raise _Refused

    def on_message_complete(self) -> None:
        self._head_open = True  # what follows is the next request's head
        self.headers = []  # (not the finished request's: see ``_first_refusal``)
        super().on_message_complete()
        self._disarm_request_timer()  # the whole request is in

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._owes_answers():
            return
        if self._refusal is not None:
            self._send_refusal()
        elif self._client_done and not self.transport.is_closing():
            self.transport.close()

    # -- refusals -----------------------------------------------------------------------
    def _owes_answers(self) -> bool:
        """Whether requests read before now still wait for (or are writing) their answers."""
        cycle = self.cycle
        return bool(self.pipeline) or (cycle is not None and not cycle.response_complete and not cycle.disconnected)

    def _refuse(self, status: int, message: str) -> None:
        """Answer ``status`` with the envelope and close, after the answers already owed (pipelining).

        If the request being refused is the one whose body was being read, the refusal is its
        answer: the app handling it (or about to) sees the client gone, and answers nothing.
        """
        if self._refusal is not None or self.transport.is_closing():
            return
        self._disarm_request_timer()
        cycle = self.cycle
        if cycle is not None and cycle.more_body and not cycle.response_started:
            cycle.disconnected = True
            cycle.message_event.set()
            self.pipeline = type(self.pipeline)(item for item in self.pipeline if item[0] is not cycle)
        self._refusal = _error_response(status, message, self.server_state.default_headers)
        self.flow.pause_reading()
        if not self._owes_answers():
            self._send_refusal()

    def _send_refusal(self) -> None:
        """Write the refusal, then close gently: a close with unread input would reset the connection
        (RST), and the client could lose the answer. So the write side is shut, what the client still
        sends is read and dropped, and the connection closes when it is done (or after a moment)."""
        if self._refusal is None or self.transport.is_closing() or self._refused:
            return
        self._refused = True
        self.transport.write(self._refusal)
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        self.transport.write_eof()
        self.flow.resume_reading()
        self.loop.call_later(_LINGER, self.transport.close)

    def _answer_upgrade_as_http(self) -> None:
        """No upgrades here: the request is an ordinary one, its connection ends after the answer.

        (The parser reads nothing after an upgrade request, so the connection cannot be kept.)
        """
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            cycle.keep_alive = False
            cycle.more_body = False  # an upgrade request's body is the new protocol's, not this one's
            cycle.message_event.set()
        self._disarm_request_timer()
        self.flow.pause_reading()

    # -- the request timeout ----------------------------------------------------------------
    # One timer per connection, not one per request: a request only notes when it began to arrive
    # (``_request_since``, cleared once it is all in); the timer, when it fires, checks that note
    # and sleeps on if need be.
    def _arm_request_timer(self) -> None:
        self._request_since = self.loop.time()
        if self._request_timer is None:
            self._request_timer = self.loop.call_at(self._request_since + self.request_timeout, self._check_request)

    def _disarm_request_timer(self) -> None:
        self._request_since = None

    def _check_request(self) -> None:
        self._request_timer = None
        since = self._request_since
        if since is None or self.transport.is_closing():
            return  # no request is being read now
        deadline = since + self.request_timeout
        if self.loop.time() < deadline:
            self._request_timer = self.loop.call_at(deadline, self._check_request)
            return
        self._request_since = None
        cycle = self.cycle
        part = "body" if cycle is not None and cycle.more_body and not cycle.response_complete else "headers"
        self._refuse(408, f"request {part} not received within {self.request_timeout:g} s")


def _error_response(status: int, message: str, default_headers: list[tuple[bytes, bytes]]) -> bytes:
    """A whole HTTP/1.1 error response (the envelope) that closes the connection."""
    request_id = new_request_id()
    body = error_body(status, message, request_id)
    head = [b"HTTP/1.1 %d %s\r\n" % (status, HTTPStatus(status).phrase.encode())]
    head += [name + b": " + value + b"\r\n" for name, value in default_headers]
    head += [
        b"content-type: application/json\r\n",
        b"content-length: %d\r\n" % len(body),
        b"request-id: %s\r\n" % request_id.encode(),
        b"connection: close\r\n\r\n",
    ]
    return b"".join(head) + body


def strict_protocol(
    request_timeout: float = REQUEST_TIMEOUT,
    max_header_bytes: int = MAX_HEADER_BYTES,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> type[StrictHttpProtocol]:
    """The protocol class with these settings (uvicorn takes a class, not an instance)."""
    settings = {
        "request_timeout": request_timeout,
        "max_header_bytes": max_header_bytes,
        "max_body_bytes": max_body_bytes,
    }
    if all(getattr(StrictHttpProtocol, name) == value for name, value in settings.items()):
        return StrictHttpProtocol
    return type("StrictHttpProtocol", (StrictHttpProtocol,), settings)
