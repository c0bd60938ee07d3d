"""The journal live, as server-sent events (``GET /_mock/journal/stream``): what the dashboard watches.

A stream is a ``journal`` event (the journal's summary: counts, ``seq``, ``epoch``,
statuses) first and after every change, each followed by one ``request`` event per new
request (its ``id`` is the request's ``seq``, so an ``EventSource`` that reconnects sends
``Last-Event-ID`` and misses nothing the journal still keeps). It ends after a timeout
(an ``EventSource`` then reconnects by itself), or as soon as the client goes.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ..runtime.journal import Journal
from .responses import new_request_id

__all__ = ["MAX_STREAM_SECONDS", "POLL_SECONDS", "STREAM_SECONDS", "EventStream", "journal_events", "journal_summary"]

#: How long a stream lasts unless asked otherwise, and at most (seconds).
STREAM_SECONDS = 30.0
MAX_STREAM_SECONDS = 3600.0
#: How often a stream looks at the journal: a new request is sent within this (plus the network).
POLL_SECONDS = 0.1
#: A comment line this often, on a quiet stream: a client gone without a word (its FIN reads as a
#: half-close, see ``protocol``) is found out by the next write, and proxies keep the stream open.
_HEARTBEAT_SECONDS = 1.0
#: How long an ``EventSource`` waits before it reconnects, in milliseconds.
_RETRY_MS = 500


def journal_summary(journal: Journal) -> dict[str, Any]:
    """What the journal says of itself (``AdminJournal`` without the requests)."""
    return {
        "total": journal.total,
        "size": len(journal),
        "maxlen": journal.maxlen,
        "seq": journal.seq,
        "epoch": journal.epoch,
        "statuses": {str(status): count for status, count in journal.statuses.items()},
    }


def _event(name: str, data: dict[str, Any], event_id: int | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


async def journal_events(journal: Journal, after: int, seconds: float) -> AsyncGenerator[bytes, None]:
    """The stream's bytes: every request after ``seq`` ``after``, then the new ones as they come, for ``seconds``.

    A cursor past the journal's last ``seq`` comes from another journal (the fake was restarted):
    the stream starts from the beginning, and its first ``journal`` event says what ``seq`` is now.
    """
    yield f"retry: {_RETRY_MS}\n\n".encode()
    now = anyio.current_time()
    deadline, quiet_since = now + seconds, now
    cursor = after if after <= journal.seq else 0
    sent: tuple[int, int] | None = None
    while True:
        seen = (journal.epoch, journal.seq)
        if seen != sent:
            chunks = [_event("journal", journal_summary(journal))]
            entries = journal.since(cursor)
            chunks += [_event("request", entry.to_json(), entry.seq) for entry in entries]
            cursor = max(cursor, entries[-1].seq if entries else 0, seen[1])
            sent, quiet_since = seen, anyio.current_time()
            yield b"".join(chunks)
        now = anyio.current_time()
        if now >= deadline:
            return
        if now - quiet_since >= _HEARTBEAT_SECONDS:
            quiet_since = now
            yield b": still here\n\n"
        await anyio.sleep(min(POLL_SECONDS, deadline - now))


class EventStream(Response):
    """A ``text/event-stream`` answer from an async iterator of byte chunks, with a ``request-id``.

    It watches for the client going away (and then stops the iterator), so a closed tab
    never leaves a stream running; when the server stops, the stream just ends (cancelled while it
    waits, it sends the last chunk and returns). ``head_only``: the headers alone (``HEAD``).
    """

    media_type = "text/event-stream"

    def __init__(self, chunks: AsyncGenerator[bytes, None], *, head_only: bool = False) -> None:
        super().__init__(
            headers={"cache-control": "no-store", "x-accel-buffering": "no", "request-id": new_request_id()},
            media_type="text/event-stream; charset=utf-8",
        )
        self._chunks = chunks
        self._head_only = head_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(name, value) for name, value in self.raw_headers if name != b"content-length"]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        if self._head_only:
            await self._chunks.aclose()
            await send({"type": "http.response.body", "body": b""})
            return
        try:
            async with anyio.create_task_group() as group:

                async def watch() -> None:
                    while (await receive())["type"] != "http.disconnect":
                        pass
                    group.cancel_scope.cancel()

                group.start_soon(watch)
                async with aclosing(self._chunks) as chunks:
                    async for chunk in chunks:
                        await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await send({"type": "http.response.body", "body": b""})
                group.cancel_scope.cancel()
        except OSError:  # the client went while a chunk was on its way
            pass
        except anyio.get_cancelled_exc_class():  # the server is stopping: end the stream, quietly
            with anyio.CancelScope(shield=True), contextlib.suppress(Exception):
                await send({"type": "http.response.body", "body": b""})
