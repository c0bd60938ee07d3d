"""The admin API under ``/_mock/``: the runtime controls of ``MockState`` as JSON over HTTP."""

from __future__ import annotations

import json
import math
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import anyio
from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import Response

from ..catalog.catalog import Catalog
from ..catalog.clock import clock_text, parse_clock
from ..catalog.loader import NotJSON
from ..model.documents import loads
from ..model.errors import ApiError
from ..model.limits import MAX_ADMIN_BODY_BYTES
from ..model.modelinfo import CatalogError, is_model_id
from ..runtime.state import MockState
from . import dashboard
from .admin_schemas import CURSOR_MAX, FAULT_OPTIONS, OPERATIONS, PREFIX, STREAM_TIMEOUT
from .events import EventStream, journal_events, journal_summary
from .hosts import Hosts
from .responses import json_response
from .routing import AdminRoute

__all__ = ["BUILD_THREAD", "admin_routes"]

#: The name of a thread building a catalog for ``PUT /_mock/catalog`` (a stopping server does not wait for it).
BUILD_THREAD = "mockserver catalog build"


def _ok(payload: Any, status: int = 200) -> Response:
    return json_response(json.dumps(payload).encode(), status)


_Input = TypeVar("_Input")  # what a build is made from


async def _off_the_loop(build: Callable[[_Input], Catalog], raw: _Input, then: Callable[[], None]) -> Catalog:
    """``build(raw)`` in a thread of its own: the old catalog keeps answering meanwhile, then the caller swaps.
    ``then()`` runs in that thread when the build has ended, however it ended (the request may be gone).

    A daemon thread, polled: a shutdown cancels the wait at once and the process does not wait for the
    build (a pool's worker thread would hold the process until it ended).
    """
    result: list[Catalog] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            result.append(build(raw))
        except BaseException as exc:  # raised in the request, below
            failure.append(exc)
        finally:
            then()

    worker = threading.Thread(target=work, name=BUILD_THREAD, daemon=True)
    started = time.monotonic()
    worker.start()
    while worker.is_alive():
        await anyio.sleep(_POLL)
    if failure:
        raise failure[0]
    built, elapsed = result[0], time.monotonic() - started
    if elapsed >= 1:  # a long build says what it did, as the CLI's do (one line: the server's stderr is a log)
        rate = len(built) / elapsed
        print(
            f"mockserver: PUT /_mock/catalog: built {len(built):,} models in {elapsed:.1f} s ({rate:,.0f}/s)",
            file=sys.stderr,
            flush=True,
        )
    return built


#: The answer to a ``PUT /_mock/catalog`` while another one is reading its body or building.
_BUILDING = "catalog: another PUT /_mock/catalog is building one; send this again once it has answered"
#: Seconds between two looks at a catalog build in progress.
_POLL = 0.01
#: A request body up to this size is parsed as a document; a larger ``PUT /_mock/catalog`` body is a
#: catalog file, loaded by the fast loader (a ``{"synthetic": N}`` body is far smaller).
_SMALL_BODY = 64 * 1024


def _joined_replacement(chunks: list[bytes], max_synthetic: int) -> Catalog:
    """The catalog of a ``PUT /_mock/catalog`` body, gathered in pieces: a large one is copied into one
    buffer a piece at a time (one call copying hundreds of megabytes would hold every thread), each
    piece freed once copied, so that the body is held once."""
    size = sum(map(len, chunks))
    if size <= _SMALL_BODY:
        return _replacement(b"".join(chunks), max_synthetic)
    raw = bytearray()  # grown piece by piece: ``bytearray(size)`` would zero every page in one call
    chunks.reverse()
    while chunks:
        raw += chunks.pop()
    return _replacement(raw, max_synthetic)


def _replacement(raw: bytes | bytearray, max_synthetic: int) -> Catalog:
    """The catalog a ``PUT /_mock/catalog`` body asks for (run in a worker thread)."""
    if len(raw) > _SMALL_BODY:
        try:
            return Catalog.from_json(raw, source="<admin API>")
        except NotJSON as exc:
            raise ApiError(400, f"request body: not valid JSON ({exc.detail})") from None
        except CatalogError:
            pass  # refused by the catalog file rules: read as any admin body is (whole numbers, the synthetic form)
    document = _parsed(bytes(raw), object)
    if isinstance(document, dict) and "synthetic" in document:
        options = _options(document, frozenset({"synthetic", "seed"}))
        size, seed = options["synthetic"], options.get("seed", 0)
        if not _whole(size) or size < 0:
            raise ApiError(400, f"synthetic: expected a whole number from 0 to {max_synthetic:,}, got {size!r}")
        if size > max_synthetic:
            raise ApiError(
                400,
                f"synthetic: {size:,} models is more than this server builds ({max_synthetic:,}; "
                "mockserver serve --max-synthetic N, or create_app(max_synthetic=N), raises it)",
            )
        if not _whole(seed):
            raise ApiError(400, f"seed: expected a whole number, got {seed!r}")
        return Catalog.synthetic(size, seed)
    return Catalog.from_document(document, source="<admin API>")


async def _body(request: Request, kind: type = dict) -> Any:
    """The JSON body of an admin request other than a catalog replacement: at most ``MAX_ADMIN_BODY_BYTES``
    (a 413 past it, at once when its ``Content-Length`` says so), parsed on the event loop."""
    limit = MAX_ADMIN_BODY_BYTES
    too_large = ApiError(
        413,
        f"request body too large: more than {limit:,} bytes; only PUT /_mock/catalog takes more (up to"
        " --max-body-bytes)",
    )
    length = request.headers.get("content-length", "").lstrip("0")
    if length.isdigit() and (len(length) > 18 or int(length) > limit):
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return _parsed(b"".join(chunks), kind)


def _parsed(raw: bytes, kind: type = dict) -> Any:
    try:
        value = loads(raw or b"null", whole_numbers=True)
    except (ValueError, RecursionError) as exc:  # also NaN, Infinity, huge numbers, absurd nesting
        raise ApiError(400, f"request body: not valid JSON ({str(exc) or type(exc).__name__})") from None
    if not isinstance(value, kind):
        raise ApiError(400, f"request body: expected a JSON {'object' if kind is dict else 'array'}")
    return value


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _count(name: str, text: str | None, low: int, default: int | None = None) -> int | None:
    """A query parameter that is a whole number from ``low`` to 2**63-1, written in digits."""
    if text is None:
        return default
    if not (text.isascii() and text.isdigit() and len(text) <= 19 and low <= int(text) <= CURSOR_MAX):
        raise ApiError(400, f"{name}: expected a whole number from {low} to {CURSOR_MAX}, got {text!r}")
    return int(text)


def _seconds(name: str, text: str | None, default: float, high: float) -> float:
    """A query parameter that is a number of seconds from 0 to ``high``, written in decimal."""
    if text is None:
        return default
    try:
        value = float(text) if text.isascii() and text.strip() == text else math.nan
    except ValueError:
        value = math.nan
    if not 0 <= value <= high:  # NaN too
        raise ApiError(400, f"{name}: expected a number of seconds from 0 to {high:g}, got {text!r}")
    return value


def _options(body: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError(400, f"{', '.join(unknown)}: unknown field(s); allowed: {', '.join(sorted(allowed))}")
    return body


def _no_null_headers(body: dict[str, Any]) -> dict[str, Any]:
    """``headers: null`` means none, for every kind of fault (as it does in ``Faults.add``)."""
    if "headers" in body and body["headers"] is None:
        del body["headers"]
    return body


Handler = Callable[[Request], Awaitable[Response]]


def _guarded(handler: Handler) -> Handler:
    """Turn the state's own errors (bad values) into 400 envelopes."""

    async def guarded(request: Request) -> Response:
        try:
            return await handler(request)
        except (CatalogError, ValueError, TypeError) as exc:
            raise ApiError(400, str(exc)) from None

    return guarded


def admin_routes(state: MockState, hosts: Hosts, max_synthetic: int) -> list[AdminRoute]:
    """The admin API's routes, one per path (``OPERATIONS``), operating on ``state``, answering ``hosts``;
    a catalog build makes at most ``max_synthetic`` synthetic models, and one build runs at a time."""
    building = threading.Lock()

    def summary() -> dict[str, Any]:
        catalog = state.catalog
        return {
            "catalog": {
                "source": catalog.source,
                "as_of": catalog.as_of,
                "models": len(catalog),
                "aliases": dict(catalog.aliases),
            },
            "api_keys": "configured" if state.keys is not None else "any",
            "clock": clock_text(state.clock),
            "journal": {"size": len(state.journal), "maxlen": state.journal.maxlen, "total": state.journal.total},
            "faults": state.faults.to_json(),
        }

    async def get_state(request: Request) -> Response:
        return _ok(summary())

    async def reset(request: Request) -> Response:
        state.reset()
        return _ok(summary())

    async def journal(request: Request) -> Response:
        query = request.query_params
        after, limit = _count("after", query.get("after"), 0, 0), _count("limit", query.get("limit"), 1)
        requests = [entry.to_json() for entry in state.journal.since(after or 0, limit)]
        return _ok({**journal_summary(state.journal), "requests": requests})

    async def clear_journal(request: Request) -> Response:
        state.journal.clear()
        return _ok({**journal_summary(state.journal), "requests": []})

    async def journal_stream(request: Request) -> Response:
        query = request.query_params
        after = _count("after", query.get("after"), 0, 0) or 0
        last = request.headers.get("last-event-id")
        if last is not None:
            after = max(after, _count("Last-Event-ID", last, 0) or 0)
        seconds = _seconds("timeout", query.get("timeout"), STREAM_TIMEOUT["default"], STREAM_TIMEOUT["maximum"])
        return EventStream(journal_events(state.journal, after, seconds), head_only=request.method == "HEAD")

    page = dashboard.Assets()

    async def ui_page(request: Request) -> Response:
        return page.response("index.html")

    async def ui_script(request: Request) -> Response:
        return page.response("app.js")

    async def ui_style(request: Request) -> Response:
        return page.response("app.css")

    async def faults(request: Request) -> Response:
        return _ok(state.faults.to_json())

    async def add_faults(request: Request) -> Response:
        body = _no_null_headers(await _body(request))
        if "sequence" in body:
            statuses = body.pop("sequence")
            if not isinstance(statuses, list) or not all(isinstance(s, int) for s in statuses):
                raise ApiError(400, "sequence: expected a list of HTTP statuses")
            options = _options(body, FAULT_OPTIONS - {"status", "times"})
            state.faults.sequence(*statuses, **options)
        else:
            state.faults.add(**_options(body, FAULT_OPTIONS))
        return _ok(state.faults.to_json(), 201)

    async def clear_faults(request: Request) -> Response:
        state.faults.clear()
        return _ok(state.faults.to_json())

    async def fail_rate(request: Request) -> Response:
        body = _options(
            _no_null_headers(await _body(request)), FAULT_OPTIONS - {"times", "model_id", "kind"} | {"rate", "seed"}
        )
        if "rate" not in body:
            raise ApiError(400, "rate: required, a probability from 0 to 1")
        state.faults.set_fail_rate(**body)
        return _ok(state.faults.to_json())

    async def latency(request: Request) -> Response:
        body = _options(await _body(request), frozenset({"seconds", "jitter", "route", "seed"}))
        if "seconds" not in body:
            raise ApiError(400, "seconds: required")
        state.faults.set_latency(**body)
        return _ok(state.faults.to_json())

    async def add_model(request: Request) -> Response:
        body = await _body(request)
        state.add_model(body)
        return json_response(state.catalog.body(body["id"]) or b"{}", 201)

    async def remove_model(request: Request) -> Response:
        model_id = request.path_params["model_id"]
        if model_id not in state.catalog:
            raise ApiError(404, f"model: no model with id {model_id!r} to remove")
        state.remove_model(model_id)
        return _ok(summary()["catalog"])

    async def set_alias(request: Request) -> Response:
        alias, body = request.path_params["alias"], _options(await _body(request), frozenset({"target"}))
        target = body.get("target")
        if not is_model_id(alias):
            raise ApiError(400, f"alias: expected a URL-safe name like a model id (no '/' or spaces), got {alias!r}")
        if not is_model_id(target):
            raise ApiError(400, f"target: required, a model id, got {target!r}")
        if target not in state.catalog:
            raise ApiError(404, f"target: no model with id {target!r} to point {alias!r} at")
        if alias in state.catalog:
            raise ApiError(409, f"alias: {alias!r} is a model's id; an alias may not shadow it")
        state.set_alias(alias, target)
        return _ok(summary()["catalog"])

    async def remove_alias(request: Request) -> Response:
        alias = request.path_params["alias"]
        if alias not in state.catalog.aliases:
            raise ApiError(404, f"alias: no alias {alias!r} to remove")
        state.set_alias(alias, None)
        return _ok(summary()["catalog"])

    async def set_clock(request: Request) -> Response:
        body = _options(await _body(request), frozenset({"now"}))
        if not isinstance(body.get("now"), str):
            raise ApiError(400, 'now: required, an RFC 3339 date-time or "now" (DELETE /_mock/clock removes the clock)')
        try:
            clock = parse_clock(body["now"], "now")
        except (TypeError, ValueError) as exc:
            raise ApiError(400, str(exc)) from None
        # The catalog as of the clock is made off the event loop (a pass over its blocks), then swapped in, unless
        # the clock was set again meanwhile (a later PUT, a DELETE, a reset): the last one asked for stays.
        changes = state.clock_changes
        prepared = await anyio.to_thread.run_sync(state.as_of, clock)
        if state.clock_changes == changes:
            state.set_clock(clock, prepared)
        return _ok({"clock": clock_text(clock)})

    async def clear_clock(request: Request) -> Response:
        state.set_clock(None)
        return _ok({"clock": None})

    async def replace_catalog(request: Request) -> Response:
        if not building.acquire(blocking=False):  # never two catalogs in the making: each may take gigabytes
            raise ApiError(409, _BUILDING)
        try:
            chunks = [chunk async for chunk in request.stream()]  # joined by the worker: a large body is a long copy
        except BaseException:
            building.release()
            raise
        prepared: list[Any] = []

        def build(raw: list[bytes]) -> Catalog:  # the catalog, and what serving it needs (the clock, the keys' lists)
            catalog = _joined_replacement(raw, max_synthetic=max_synthetic)
            prepared.append(state.prepare(catalog))
            return catalog

        # The build thread lets the next build in when it ends, not this request: a request cancelled while
        # it waits leaves the thread building.
        built = await _off_the_loop(build, chunks, then=building.release)
        state.replace_catalog(built, prepared[0])
        return _ok(summary()["catalog"])

    handlers: dict[str, Handler] = {
        "get_state": get_state,
        "reset": reset,
        "journal": journal,
        "clear_journal": clear_journal,
        "journal_stream": journal_stream,
        "ui_page": ui_page,
        "ui_script": ui_script,
        "ui_style": ui_style,
        "faults": faults,
        "add_faults": add_faults,
        "clear_faults": clear_faults,
        "fail_rate": fail_rate,
        "latency": latency,
        "add_model": add_model,
        "remove_model": remove_model,
        "set_alias": set_alias,
        "remove_alias": remove_alias,
        "replace_catalog": replace_catalog,
        "set_clock": set_clock,
        "clear_clock": clear_clock,
    }
    paths: dict[str, dict[str, Handler]] = {}
    for operation in OPERATIONS:
        paths.setdefault(PREFIX + operation.path, {})[operation.method] = _guarded(handlers[operation.name])
    return [AdminRoute(path, _endpoint(methods), hosts=hosts) for path, methods in paths.items()]


def _endpoint(handlers: Mapping[str, Handler]) -> type[HTTPEndpoint]:
    """An ``HTTPEndpoint`` whose methods are these handlers: Starlette answers ``HEAD`` with the ``GET``
    handler and any other method with a 405 that lists the allowed ones."""

    def method(handler: Handler) -> Callable[[HTTPEndpoint, Request], Awaitable[Response]]:
        async def answer(self: HTTPEndpoint, request: Request) -> Response:
            return await handler(request)

        return answer

    return type("AdminEndpoint", (HTTPEndpoint,), {name.lower(): method(h) for name, h in handlers.items()})
