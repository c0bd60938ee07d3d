"""The HTTP layer in-process: every route, every error path, headers, isolation."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from anthropic_models_mock import Catalog, create_app
from anthropic_models_mock.catalog import View
from anthropic_models_mock.http import HEALTH_PATH
from anthropic_models_mock.model.limits import LIFECYCLES
from starlette.testclient import TestClient
from starlette.types import Message

if sys.version_info < (3, 11):
    from exceptiongroup import ExceptionGroup  # type: ignore[import-not-found, no-redef, unused-ignore]

HEADERS = {"x-api-key": "test-key", "anthropic-version": "2023-06-01"}
MODELS = [
    {"id": "claude-new-20260101", "display_name": "New", "created_at": "2026-01-01T00:00:00Z"},
    {
        "id": "claude-old-20240101",
        "display_name": "Old",
        "created_at": "2024-01-01T00:00:00Z",
        "lifecycle": "retired",
        "deprecated_at": "2024-06-01T00:00:00Z",
    },
    {
        "id": "claude-mid-20250101",
        "display_name": "Mid",
        "created_at": "2025-01-01T00:00:00Z",
        "lifecycle": "deprecated",
        "deprecated_at": "2025-06-01T00:00:00Z",
    },
]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    catalog = Catalog(MODELS, {"claude-new": "claude-new-20260101", "claude-old": "claude-old-20240101"})
    with TestClient(create_app(catalog), raise_server_exceptions=False) as test_client:
        yield test_client


def assert_error(response: Any, status: int, error_type: str, *fragments: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    request_id = response.headers["request-id"]
    assert request_id.startswith("req_")
    body = response.json()
    assert body == {
        "type": "error",
        "error": {"type": error_type, "message": body["error"]["message"]},
        "request_id": request_id,
    }
    for fragment in fragments:
        assert fragment in body["error"]["message"]


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]


def test_list_defaults_to_active_and_deprecated(client: TestClient) -> None:
    response = client.get("/v1/models", headers=HEADERS)
    assert ids(response) == ["claude-new-20260101", "claude-mid-20250101"]
    assert response.json()["has_more"] is False
    assert response.headers["content-type"] == "application/json"
    assert response.headers["request-id"].startswith("req_")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lifecycle[]=retired", ["claude-old-20240101"]),
        ("lifecycle=active&lifecycle=retired", ["claude-new-20260101", "claude-old-20240101"]),
        (
            "lifecycle=active,deprecated,retired",
            ["claude-new-20260101", "claude-mid-20250101", "claude-old-20240101"],
        ),
        ("limit=1", ["claude-new-20260101"]),
        ("after_id=claude-new-20260101", ["claude-mid-20250101"]),
        ("before_id=claude-mid-20250101", ["claude-new-20260101"]),
        ("beta=true", ["claude-new-20260101", "claude-mid-20250101"]),
    ],
)
def test_list_queries(client: TestClient, query: str, expected: list[str]) -> None:
    assert ids(client.get(f"/v1/models?{query}", headers=HEADERS)) == expected


def test_retrieve_by_id_alias_and_retired(client: TestClient) -> None:
    by_id = client.get("/v1/models/claude-new-20260101", headers=HEADERS)
    by_alias = client.get("/v1/models/claude-new", headers=HEADERS)
    beta = client.get("/v1/models/claude-new?beta=true", headers=HEADERS)
    assert by_id.status_code == by_alias.status_code == beta.status_code == 200
    assert by_alias.json() == by_id.json()
    assert by_alias.json()["id"] == "claude-new-20260101"
    assert beta.json() == by_id.json()  # one shape, beta=true or not
    assert list(by_id.json())[-2:] == ["allowed_fallback_models", "capabilities"]
    retired = client.get("/v1/models/claude-old", headers=HEADERS)
    assert retired.json()["lifecycle"] == "retired"


def test_aliases_never_appear_in_the_list(client: TestClient) -> None:
    listed = ids(client.get("/v1/models?lifecycle=active,deprecated,retired", headers=HEADERS))
    assert not {"claude-new", "claude-old"} & set(listed)


@pytest.mark.parametrize(
    ("method", "path", "headers", "status", "error_type", "fragments"),
    [
        ("GET", "/v1/models/claude-nope", HEADERS, 404, "not_found_error", ["claude-nope"]),
        ("GET", "/v1/models?limit=0", HEADERS, 400, "invalid_request_error", ["limit"]),
        ("GET", "/v1/models?limit=abc", HEADERS, 400, "invalid_request_error", ["limit"]),
        ("GET", "/v1/models?after_id=zz", HEADERS, 400, "invalid_request_error", ["after_id", "zz"]),
        ("GET", "/v1/models?before_id=zz", HEADERS, 400, "invalid_request_error", ["before_id", "zz"]),
        (
            "GET",
            "/v1/models?after_id=claude-old-20240101",
            HEADERS,
            400,
            "invalid_request_error",
            ["after_id"],
        ),
        (
            "GET",
            "/v1/models?after_id=claude-new-20260101&before_id=claude-mid-20250101",
            HEADERS,
            400,
            "invalid_request_error",
            ["after_id, before_id"],
        ),
        ("GET", "/v1/models?lifecycle=gone", HEADERS, 400, "invalid_request_error", ["lifecycle"]),
        ("GET", "/v1/models?x=1", HEADERS, 400, "invalid_request_error", ["x: unknown query parameter"]),
        (
            "GET",
            "/v1/models",
            {"anthropic-version": "2023-06-01"},
            401,
            "authentication_error",
            ["x-api-key"],
        ),
        ("GET", "/v1/models", {**HEADERS, "x-api-key": ""}, 401, "authentication_error", ["empty"]),
        (
            "GET",
            "/v1/models",
            {"authorization": "Basic abc", "anthropic-version": "2023-06-01"},
            401,
            "authentication_error",
            ["Bearer"],
        ),
        (
            "GET",
            "/v1/models",
            {"authorization": "Bearer ", "anthropic-version": "2023-06-01"},
            401,
            "authentication_error",
            ["empty"],
        ),
        ("GET", "/v1/models", {"x-api-key": "k"}, 400, "invalid_request_error", ["anthropic-version"]),
        (
            "GET",
            "/v1/models",
            {**HEADERS, "anthropic-version": "latest"},
            400,
            "invalid_request_error",
            ["anthropic-version", "'latest'"],
        ),
        (
            "GET",
            "/v1/models",
            {**HEADERS, "anthropic-version": "2023-02-30"},
            400,
            "invalid_request_error",
            ["anthropic-version"],
        ),
        ("GET", "/v1/completions", HEADERS, 404, "not_found_error", ["/v1/completions"]),
        ("GET", "/v1/models/", HEADERS, 404, "not_found_error", ["/v1/models/"]),
        ("GET", "/v1/models/a/b", HEADERS, 404, "not_found_error", []),
        ("POST", "/v1/models", HEADERS, 405, "invalid_request_error", ["POST", "GET"]),
        ("DELETE", "/v1/models/claude-new", HEADERS, 405, "invalid_request_error", ["DELETE"]),
    ],
)
def test_error_paths(
    client: TestClient,
    method: str,
    path: str,
    headers: dict[str, str],
    status: int,
    error_type: str,
    fragments: list[str],
) -> None:
    assert_error(client.request(method, path, headers=headers), status, error_type, *fragments)


def test_bearer_auth_and_any_well_formed_version(client: TestClient) -> None:
    for version in ["2023-01-01", "2023-06-01", "2026-10-21", "2031-02-28"]:
        headers = {"authorization": "Bearer sk-test", "anthropic-version": version}
        assert client.get("/v1/models", headers=headers).status_code == 200


def test_beta_and_workspace_headers_are_accepted(client: TestClient) -> None:
    headers = {**HEADERS, "anthropic-beta": "a-2025-01-01,b", "anthropic-workspace-id": "wrkspc_1"}
    assert client.get("/v1/models", headers=headers).status_code == 200


def test_request_ids_are_unique(client: TestClient) -> None:
    seen = {client.get("/v1/models", headers=HEADERS).headers["request-id"] for _ in range(50)}
    seen |= {client.get("/nope").headers["request-id"] for _ in range(50)}
    assert len(seen) == 100


def test_configured_keys() -> None:
    with TestClient(create_app(Catalog(MODELS), api_keys=["good"])) as keyed:
        ok = keyed.get("/v1/models", headers={**HEADERS, "x-api-key": "good"})
        assert ok.status_code == 200
        bearer = keyed.get("/v1/models", headers={"authorization": "Bearer good", "anthropic-version": "2023-06-01"})
        assert bearer.status_code == 200
        assert_error(keyed.get("/v1/models", headers=HEADERS), 401, "authentication_error", "invalid x-api-key")


def test_a_crash_is_a_500_envelope_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = Catalog(MODELS)

    def broken_view(lifecycles: frozenset[str], sieve: object = None) -> View:
        raise RuntimeError("boom")

    monkeypatch.setattr(catalog, "view", broken_view)
    with TestClient(create_app(catalog), raise_server_exceptions=False) as broken:
        response = broken.get("/v1/models", headers=HEADERS)
    assert_error(response, 500, "api_error")
    assert "boom" not in response.text and "Traceback" not in response.text


def test_a_crash_in_retrieve_is_a_500_envelope_too(monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = Catalog(MODELS)

    def broken_body(id_or_alias: str) -> bytes | None:
        raise RuntimeError("boom")

    monkeypatch.setattr(catalog, "body", broken_body)
    with TestClient(create_app(catalog), raise_server_exceptions=False) as broken:
        assert_error(broken.get("/v1/models/claude-new", headers=HEADERS), 500, "api_error")
        head = broken.head("/v1/models/claude-new", headers=HEADERS)  # through the router: no body, same status
        assert head.status_code == 500 and head.headers["request-id"].startswith("req_")


def test_a_header_given_twice_counts_as_its_first_value() -> None:
    with TestClient(create_app(Catalog(MODELS), api_keys=["good"])) as keyed:
        twice = [("x-api-key", "good"), ("x-api-key", "bad"), ("anthropic-version", "2023-06-01")]
        assert keyed.get("/v1/models", headers=twice).status_code == 200
        reversed_ = [("x-api-key", "bad"), ("x-api-key", "good"), ("anthropic-version", "2023-06-01")]
        assert_error(keyed.get("/v1/models", headers=reversed_), 401, "authentication_error")


def test_mounted_under_a_prefix_it_answers_the_same() -> None:
    from starlette.applications import Starlette
    from starlette.routing import Mount

    outer = Starlette(
        routes=[Mount("/anthropic", app=create_app(Catalog(MODELS, {"claude-new": "claude-new-20260101"})))]
    )
    with TestClient(outer) as mounted:
        assert ids(mounted.get("/anthropic/v1/models", headers=HEADERS)) == [
            "claude-new-20260101",
            "claude-mid-20250101",
        ]
        assert mounted.get("/anthropic/v1/models/claude-new", headers=HEADERS).json()["id"] == "claude-new-20260101"
        assert_error(mounted.post("/anthropic/v1/models", headers=HEADERS), 405, "invalid_request_error")
        assert_error(mounted.get("/anthropic/v1/models/x/y", headers=HEADERS), 404, "not_found_error")


def test_two_apps_share_nothing() -> None:
    first, second = create_app(Catalog(MODELS)), create_app(Catalog.synthetic(5, 1), api_keys=["k2"])
    assert first.state.mock is not second.state.mock
    assert first.state.mock.catalog is not second.state.mock.catalog
    with TestClient(first) as one, TestClient(second) as two:
        assert len(ids(one.get("/v1/models?lifecycle=active,deprecated,retired", headers=HEADERS))) == 3
        assert two.get("/v1/models", headers=HEADERS).status_code == 401


def test_default_app_serves_the_embedded_catalog() -> None:
    with TestClient(create_app()) as default:
        listed = default.get(f"/v1/models?limit=1000&lifecycle={','.join(LIFECYCLES)}", headers=HEADERS)
    assert ids(listed) == [m["id"] for m in Catalog.default()]


def test_openapi_needs_no_key(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert json.loads(response.content)["openapi"].startswith("3.1")


@pytest.mark.parametrize("admin", [True, False])
def test_the_health_probe_needs_no_key_no_admin_and_is_never_journaled_or_faulted(admin: bool) -> None:
    app = create_app(Catalog(MODELS), api_keys=["secret"], admin=admin)
    app.mock.faults.add(500, times=None)
    app.mock.faults.set_latency(3600)  # a probe must answer at once whatever the faults
    with TestClient(app) as test_client:
        got = test_client.get(HEALTH_PATH)
        head = test_client.head(HEALTH_PATH)
        posted = test_client.post(HEALTH_PATH)
    assert got.status_code == 200
    assert got.json() == {"status": "ok", "models": 3}
    assert got.headers["content-type"] == "application/json"
    assert got.headers["request-id"].startswith("req_")
    assert head.status_code == 200 and head.headers["request-id"].startswith("req_")
    assert_error(posted, 405, "invalid_request_error")
    assert len(app.mock.journal) == 0


def test_the_health_probe_counts_the_models_served_now() -> None:
    app = create_app(Catalog(MODELS))
    with TestClient(app) as test_client:
        app.mock.remove_model("claude-old-20240101")
        assert test_client.get(HEALTH_PATH).json()["models"] == 2


def test_the_health_probe_is_under_the_admin_prefix() -> None:
    """Where the routes keep the fake's own endpoints out of the journal and away from faults."""
    from anthropic_models_mock.http import PREFIX

    assert HEALTH_PATH.startswith(PREFIX + "/")


@pytest.mark.parametrize("admin", [True, False])
def test_the_openapi_document_has_the_health_probe(admin: bool) -> None:
    with TestClient(create_app(Catalog(MODELS), admin=admin)) as test_client:
        spec = test_client.get("/openapi.json").json()
        probe = test_client.get(HEALTH_PATH)
    operation = spec["paths"][HEALTH_PATH]["get"]
    assert operation["operationId"] == "health" and "security" not in operation
    schema = spec["components"]["schemas"]["Health"]
    assert set(schema["required"]) == set(probe.json())


class _ClosedCycle:
    """A server's request cycle whose client has gone: its transport is closed, and a write to it raises, as
    uvloop's does (``RuntimeError: unable to perform operation on <TCPTransport closed=True ...>``), alone or
    in a task group's ``ExceptionGroup``."""

    class transport:
        @staticmethod
        def is_closing() -> bool:
            return True

    disconnected = False

    def __init__(self, group: bool = False) -> None:
        self.group = group

    async def send(self, message: Message) -> None:
        error = RuntimeError("unable to perform operation on <TCPTransport closed=True>; the handler is closed")
        raise ExceptionGroup("unhandled errors in a TaskGroup", [error]) if self.group else error


def _scope(path: str) -> dict[str, Any]:
    return {
        "type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "scheme": "http", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 5000),
        "headers": [(b"host", b"127.0.0.1"), (b"x-api-key", b"k"), (b"anthropic-version", b"2023-06-01")],
    }  # fmt: skip


async def _gone_receive() -> Message:
    return {"type": "http.disconnect"}


@pytest.mark.parametrize("group", [False, True], ids=["alone", "in-a-task-group"])
@pytest.mark.parametrize("path", ["/v1/models", "/v1/models/nope", "/nowhere", "/_mock/journal"])
def test_a_client_gone_while_its_answer_is_written_costs_one_debug_line(
    path: str, group: bool, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(Catalog.synthetic(3, 1))
    cycle = _ClosedCycle(group)
    with caplog.at_level(logging.DEBUG, logger="anthropic_models_mock"):
        asyncio.run(app(_scope(path), _gone_receive, cycle.send))  # raises nothing
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("DEBUG", f"GET {path}: the client went away while its answer was written")
    ]
    assert cycle.disconnected  # the server is told: it logs no unfinished answer


@pytest.mark.parametrize("gone", [False, True])
def test_a_runtime_error_that_is_a_bug_raises(gone: bool) -> None:
    """With the client still there; or gone, but the error is not the closed transport's (a subclass)."""
    app = create_app(Catalog.synthetic(3, 1))

    class Cycle(_ClosedCycle):
        async def send(self, message: Message) -> None:
            raise RecursionError("a bug")

    async def there(message: Message) -> None:
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError, match="a bug"):
        asyncio.run(app(_scope("/v1/models"), _gone_receive, Cycle().send if gone else there))
