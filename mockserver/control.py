"""The ASGI layer in front of the API routes: injects faults, and hands responses the journal."""

from __future__ import annotations

import asyncio
from urllib.parse import unquote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .faults import Fault, Route
from .responses import JOURNAL, error_response
from .state import MockState

__all__ = ["ControlMiddleware"]

_LIST = "/v1/models"
_RETRIEVE = "/v1/models/"
_UNJOURNALED = ("/_mock", "/openapi.json")


def _route(path: str) -> tuple[Route | None, str | None]:
    if path == _LIST:
        return "list", None
    if path.startswith(_RETRIEVE) and "/" not in path[len(_RETRIEVE) :]:
        return "retrieve", unquote(path[len(_RETRIEVE) :])
    return None, None


def _drop_connection(send: Send) -> None:
    """Close the client's connection now. Under uvicorn, quietly; elsewhere, by raising."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionAbortedError("connection dropped by an injected fault")
    transport.close()
    cycle.disconnected = True  # type: ignore[union-attr]  # tells uvicorn not to answer


class ControlMiddleware:
    """Faults before the app answers; the journal passed on to the responses, which record."""

    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_UNJOURNALED):
            await self.app(scope, receive, send)
            return
        scope[JOURNAL] = self.state.journal  # the response records the request (see responses.py)
        if self.state.faults.active:
            await self._faulty(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _faulty(self, scope: Scope, receive: Receive, send: Send) -> None:
        route, model_id = _route(scope["path"])
        faults = self.state.faults
        delay = faults.delay(route)
        if delay:
            await asyncio.sleep(delay)
        fault = faults.take(route, model_id)
        if fault is None:
            await self.app(scope, receive, send)
        elif fault.kind == "status":
            response = error_response(fault.status, fault.error_message(), fault.response_headers())
            await response(scope, receive, send)
        elif fault.kind == "disconnect":
            self.state.journal.record(
                scope["method"], scope["path"], scope["query_string"], scope["headers"], 0, ""
            )  # no response at all
            _drop_connection(send)
        else:
            await self._damaged(scope, receive, send, fault)

    async def _damaged(self, scope: Scope, receive: Receive, send: Send, fault: Fault) -> None:
        """The real answer, cut in half: ``truncate`` drops the connection, ``malformed`` ends it short."""
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, keep)
        start = messages[0]
        body = b"".join(m.get("body", b"") for m in messages[1:])
        half = body[: len(body) // 2]
        if fault.kind == "malformed":
            headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
            headers.append((b"content-length", str(len(half)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": half})
            return
        await send(start)
        await send({"type": "http.response.body", "body": half, "more_body": True})
        _drop_connection(send)
