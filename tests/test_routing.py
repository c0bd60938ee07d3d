"""The kinds of route: the shortcut finds the API route the router would; faults and journal entries belong
to the request's own time, not to whoever resets."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from anthropic_models_mock import Catalog, create_app
from anthropic_models_mock.http.routing import ApiRoute, Shortcut
from hypothesis import example, given
from hypothesis import strategies as st
from starlette.routing import Match

APP = create_app(Catalog([]))
ROUTES = [route for route in APP.routes if isinstance(route, ApiRoute)]
SHORTCUT = Shortcut(ROUTES)

segments = st.sampled_from(["v1", "models", "claude-a-1", "", "x%2Fy", "é", "v2", "model"]) | st.text(max_size=6)


def routed(path: str, root: str) -> tuple[Any, dict[str, Any]] | None:
    """The API route Starlette's router matches for a GET to ``root + path``, and its path parameters."""
    scope = {"type": "http", "method": "GET", "path": root + path, "root_path": root}
    for route in ROUTES:
        match, child = route.matches(scope)
        if match is Match.FULL:
            return route, child["path_params"]
    return None


@given(st.lists(segments, max_size=4), st.sampled_from(["", "/anthropic"]), st.booleans())
@example(["v1", "models"], "", False)
@example(["v1", "models", "claude-a-1"], "/anthropic", False)
@example(["v1", "models", ""], "", False)
@example(["v1", "models"], "", True)
def test_the_shortcut_finds_what_the_router_finds(parts: list[str], root: str, slash: bool) -> None:
    path = "/" + "/".join(parts) + ("/" if slash else "")
    scope: dict[str, Any] = {"type": "http", "method": "GET", "path": root + path, "root_path": root}
    found = SHORTCUT.route(scope)
    expected = routed(path, root)
    if expected is None:
        assert found is None
    else:
        assert found is expected[0] and scope["path_params"] == expected[1]


def test_both_api_routes_are_in_the_shortcut() -> None:
    assert sorted(route.name for route in ROUTES) == ["list", "retrieve"]
    for path, name in (("/v1/models", "list"), ("/v1/models/claude-a-1", "retrieve")):
        found = SHORTCUT.route({"type": "http", "method": "GET", "path": path})
        assert found is not None and found.name == name


# -- API routes: a request's faults and journal entry are its own ---------------------------------------
HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
MODELS = [{"id": "claude-a-1", "display_name": "A", "created_at": "2026-01-01T00:00:00Z"}]


def test_a_request_delayed_across_a_reset_stays_out_of_the_next_test() -> None:
    app = create_app(Catalog(MODELS))
    faults, journal = app.mock.faults, app.mock.journal

    async def scenario() -> tuple[int, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=HEADERS) as client:
            faults.add(500)
            faults.set_latency(0.3)
            pending = asyncio.create_task(client.get("/v1/models"))
            while faults.to_json()["scripted"]:  # until the request has arrived and taken its fault
                await asyncio.sleep(0)
            app.mock.reset()  # the test that sent it ends; the next one starts...
            faults.add(429)  # ...and scripts a fault of its own
            late = await pending
            assert len(journal) == 0, "the earlier test's request is not in the new journal"
            now = await client.get("/v1/models")
            return late.status_code, now.status_code

    assert asyncio.run(scenario()) == (500, 429)
    assert [entry.status for entry in journal] == [429]


def test_latency_faults_under_trio() -> None:
    """An in-process client on trio: the delay must not assume asyncio (it crashed with asyncio.sleep)."""
    trio = pytest.importorskip("trio", reason="trio is a test extra (pip install -e '.[test]')")
    app = create_app(Catalog(MODELS))
    app.mock.faults.set_latency(0.01)
    app.mock.faults.add(529)

    async def scenario() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=HEADERS) as client:
            return [(await client.get("/v1/models")).status_code for _ in range(2)]

    assert trio.run(scenario) == [529, 200]


def test_the_sdk_in_process_under_trio() -> None:
    trio = pytest.importorskip("trio", reason="trio is a test extra (pip install -e '.[test]')")
    pytest.importorskip("anthropic", reason="the official SDK is a test extra")
    from anthropic_models_testkit.inprocess import async_asgi_client

    app = create_app(Catalog(MODELS))
    app.mock.faults.set_latency(0.01)
    app.mock.faults.sequence(429, retry_after_ms=1)

    async def scenario() -> str:
        client = async_asgi_client(app)
        return (await client.models.retrieve("claude-a-1")).id

    assert trio.run(scenario) == "claude-a-1"
    assert [entry.status for entry in app.mock.journal] == [429, 200]


def test_the_dashboard_s_own_requests_never_take_a_fault() -> None:
    from anthropic_models_mock import Catalog, create_app
    from starlette.testclient import TestClient

    client = TestClient(create_app(Catalog.synthetic(5, 1)))
    headers = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
    client.post("/_mock/faults", json={"sequence": [429]}).raise_for_status()
    assert client.get("/v1/models", headers={**headers, "x-mock-dashboard": "1"}).status_code == 200
    assert client.get("/v1/models", headers=headers).status_code == 429  # still there for the code under test
    assert client.get("/v1/models", headers=headers).status_code == 200


# -- what the route kinds settle, found in review -----------------------------------------------------------
def client_for(app: Any, **options: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, **options), base_url="http://mock")


def test_an_injected_disconnect_in_process_is_no_500() -> None:
    """In process there is no connection to drop: the client sees an error, the journal one request, status 0."""
    app = create_app(Catalog(MODELS))
    app.mock.faults.add(kind="disconnect")

    async def scenario() -> None:
        async with client_for(app) as client:
            with pytest.raises(ConnectionAbortedError):
                await client.get("/v1/models", headers=HEADERS)

    asyncio.run(scenario())
    assert app.mock.journal.statuses == {0: 1}


def test_middleware_the_user_adds_sees_every_request() -> None:
    from starlette.middleware.base import BaseHTTPMiddleware

    app = create_app(Catalog(MODELS))
    seen: list[str] = []

    async def note(request: Any, call_next: Any) -> Any:
        seen.append(request.url.path)
        return await call_next(request)

    app.add_middleware(BaseHTTPMiddleware, dispatch=note)

    async def scenario() -> list[int]:
        async with client_for(app) as client:
            paths = ["/v1/models", "/v1/models/claude-a-1", "/_mock/health", "/nope"]
            return [(await client.get(path, headers=HEADERS)).status_code for path in paths]

    assert asyncio.run(scenario()) == [200, 200, 200, 404]
    assert seen == ["/v1/models", "/v1/models/claude-a-1", "/_mock/health", "/nope"]


def test_the_readiness_probe_under_a_root_path() -> None:
    app = create_app(Catalog(MODELS))

    async def scenario() -> int:
        async with client_for(app, root_path="/api") as client:
            return (await client.get("/_mock/health")).status_code

    assert asyncio.run(scenario()) == 200


def test_the_fake_s_own_paths_are_its_own_with_the_admin_api_off() -> None:
    """No journal entry, no fault, and another origin's request refused, for /_mock and below."""
    from starlette.testclient import TestClient

    app = create_app(Catalog(MODELS), admin=False)
    app.mock.faults.add(500, times=None)
    client = TestClient(app)
    for path in ("/_mock", "/_mock/", "/_mock/faults"):
        assert client.get(path).status_code == 404
        assert client.get(path, headers={"origin": "http://evil.example"}).status_code == 403
    assert client.post("/_mock/health").status_code == 405
    assert len(app.mock.journal) == 0


def test_a_target_too_long_is_refused_after_cors_is_settled() -> None:
    from anthropic_models_mock.model import MAX_URL_BYTES
    from starlette.testclient import TestClient

    client = TestClient(create_app(Catalog(MODELS)))
    query = "?q=" + "x" * MAX_URL_BYTES
    evil = {"origin": "http://evil.example"}
    preflight = client.options("/v1/models" + query, headers={**evil, "access-control-request-method": "GET"})
    assert preflight.status_code == 204
    for path in ("/openapi.json", "/_mock/health"):
        opened = client.get(path + query, headers=evil)
        assert opened.status_code == 414 and opened.headers["access-control-allow-origin"] == "*"
    admin = client.get("/_mock/journal" + query, headers={**evil, "anthropic-dangerous-direct-browser-access": "true"})
    assert admin.status_code == 403 and "access-control-allow-origin" not in admin.headers
    assert client.get("/_mock/journal" + query).status_code == 414
    assert len(client.app.mock.journal) == 0  # type: ignore[attr-defined]
