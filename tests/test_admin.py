"""The /_mock/ admin API: the same controls as Python, as JSON over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from anthropic_models_mock import Catalog, create_app
from starlette.testclient import TestClient

API = {"x-api-key": "sk-live-secret", "anthropic-version": "2023-06-01"}
NEW = {"id": "claude-new-1", "display_name": "New", "created_at": "2031-01-01T00:00:00Z"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    """Built once for the module: a catalog never changes in place, so each test's new app starts from this one."""
    return Catalog.synthetic(30, 5)


@pytest.fixture
def client(catalog: Catalog) -> Iterator[TestClient]:
    with TestClient(create_app(catalog), raise_server_exceptions=False) as test_client:
        yield test_client


def first_ids(client: TestClient, n: int = 3) -> list[str]:
    return [m["id"] for m in client.get(f"/v1/models?limit={n}", headers=API).json()["data"]]


def test_scripted_faults_then_success(client: TestClient) -> None:
    response = client.post("/_mock/faults", json={"sequence": [429, 529], "retry_after_ms": 5})
    assert response.status_code == 201
    assert [f["status"] for f in response.json()["scripted"]] == [429, 529]
    first = client.get("/v1/models", headers=API)
    assert (first.status_code, first.headers["retry-after-ms"]) == (429, "5")
    assert first.json()["error"]["type"] == "rate_limit_error"
    assert client.get("/v1/models", headers=API).json()["error"]["type"] == "overloaded_error"
    assert client.get("/v1/models", headers=API).status_code == 200


def test_fault_options_rate_latency_and_clear(client: TestClient) -> None:
    assert client.post("/_mock/faults", json={"status": 403, "times": 2, "route": "retrieve"}).status_code == 201
    assert client.put("/_mock/faults/rate", json={"rate": 1.0, "status": 529, "seed": 3}).status_code == 200
    assert client.put("/_mock/faults/latency", json={"seconds": 0.0, "jitter": 0.01}).status_code == 200
    state = client.get("/_mock/faults").json()
    assert state["fail_rate"]["rate"] == 1.0 and state["latency"] == [{"route": None, "seconds": 0.0, "jitter": 0.01}]
    assert client.get("/v1/models/x", headers=API).status_code == 403
    assert client.get("/v1/models", headers=API).status_code == 529
    assert client.delete("/_mock/faults").json()["scripted"] == []
    assert client.get("/v1/models", headers=API).status_code == 200


def test_journal_over_http(client: TestClient) -> None:
    client.get("/v1/models?limit=2", headers=API)
    client.get("/v1/models/nope", headers=API)
    journal = client.get("/_mock/journal").json()
    assert [(r["path"], r["status"]) for r in journal["requests"]] == [("/v1/models", 200), ("/v1/models/nope", 404)]
    assert journal["requests"][0]["params"] == {"limit": ["2"]}
    assert "sk-live-secret" not in str(journal)
    assert client.delete("/_mock/journal").json()["total"] == 0
    assert client.get("/_mock/journal").json()["requests"] == []


def test_models_aliases_catalog_and_reset(client: TestClient) -> None:
    original = first_ids(client)
    assert client.post("/_mock/models", json=NEW).json()["id"] == "claude-new-1"
    assert first_ids(client)[0] == "claude-new-1"
    assert client.put("/_mock/aliases/claude-new", json={"target": "claude-new-1"}).status_code == 200
    assert client.get("/v1/models/claude-new", headers=API).json()["id"] == "claude-new-1"
    assert client.delete("/_mock/aliases/claude-new").status_code == 200
    assert client.delete("/_mock/models/claude-new-1").status_code == 200
    assert first_ids(client) == original
    replaced = client.put("/_mock/catalog", json={"models": [NEW]})
    assert replaced.json()["models"] == 1
    assert first_ids(client) == ["claude-new-1"]
    summary = client.post("/_mock/reset").json()
    assert summary["catalog"]["models"] == 30 and summary["journal"]["size"] == 0
    assert first_ids(client) == original


@pytest.mark.parametrize(
    ("method", "path", "body", "fragment"),
    [
        ("POST", "/_mock/faults", {"status": 200}, "status: expected a whole number from 400 to 599"),
        ("POST", "/_mock/faults", {"status": 429, "headers": {"x-a": 1}}, "headers: x-a"),
        ("POST", "/_mock/faults", {"sequence": [429, 200]}, "status: expected a whole number"),
        ("PUT", "/_mock/faults/rate", {"rate": 0.5, "seed": [1]}, "seed: expected a whole number"),
        ("POST", "/_mock/faults", {"colour": 1}, "colour: unknown field"),
        ("POST", "/_mock/faults", {"sequence": "429"}, "sequence: expected a list"),
        ("POST", "/_mock/faults", {"sequence": []}, "sequence: give at least one status"),
        ("POST", "/_mock/faults", {"status": 500, "headers": []}, "headers: expected an object"),
        ("POST", "/_mock/faults", {"status": 500, "headers": ""}, "headers: expected an object"),
        ("POST", "/_mock/faults", {"status": 500, "headers": False}, "headers: expected an object"),
        (
            "POST",
            "/_mock/faults",
            {"status": 503, "headers": {"transfer-encoding": "chunked"}},
            "the connection's own",
        ),
        ("POST", "/_mock/faults", {"status": 500, "route": "list", "model_id": "m"}, "a list request names no model"),
        ("PUT", "/_mock/faults/rate", {"status": 500}, "rate: required"),
        ("PUT", "/_mock/faults/latency", {"seconds": -1}, "seconds: expected a number from 0 to 3600"),
        ("POST", "/_mock/models", {"id": "x"}, "display_name: required"),
        ("POST", "/_mock/models", [1], "expected a JSON object"),
        ("PUT", "/_mock/aliases/a b", {"target": "x"}, "alias: expected a URL-safe name"),
        ("PUT", "/_mock/aliases/a", {"target": ""}, "target: required, a model id"),
        ("PUT", "/_mock/aliases/a", {}, "target: required, a model id"),
        ("POST", "/_mock/faults", {"sequence": [429], "status": 500}, "status: unknown field"),
        ("PUT", "/_mock/faults/latency", {"seconds": 3600.5}, "seconds: expected a number from 0 to 3600"),
        ("PUT", "/_mock/faults/latency", {"seconds": 1, "jitter": 3601}, "jitter: expected a number from 0 to 3600"),
        (
            "POST",
            "/_mock/faults",
            {"status": 429, "retry_after": 3601},
            "retry_after: expected a number from 0 to 3600",
        ),
        (
            "POST",
            "/_mock/faults",
            {"retry_after_ms": 3_600_001},
            "retry_after_ms: expected a whole number from 0 to 3600000",
        ),
        ("POST", "/_mock/models", {**NEW, "id": ""}, "id: expected a URL-safe model id"),
        ("PUT", "/_mock/catalog", {"models": "x"}, "models: required, must be a list"),
        ("PUT", "/_mock/catalog", {"synthetic": -1}, "synthetic: expected a whole number from 0 to 2,000,000"),
        ("PUT", "/_mock/catalog", {"synthetic": 5, "seed": "x"}, "seed: expected a whole number"),
        ("PUT", "/_mock/catalog", {"synthetic": 5, "models": []}, "models: unknown field"),
    ],
)
def test_bad_admin_requests_are_400s(client: TestClient, method: str, path: str, body: object, fragment: str) -> None:
    response = client.request(method, path, json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert fragment in response.json()["error"]["message"]


def test_a_synthetic_catalog_by_size_and_seed(client: TestClient) -> None:
    replaced = client.put("/_mock/catalog", json={"synthetic": 7, "seed": 3})
    assert replaced.status_code == 200 and replaced.json()["models"] == 7
    assert first_ids(client, 100) == list(Catalog.synthetic(7, 3).view().ids)
    client.post("/_mock/reset")


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "fragment"),
    [
        ("DELETE", "/_mock/models/nope", None, 404, "no model with id 'nope' to remove"),
        ("DELETE", "/_mock/aliases/nope", None, 404, "no alias 'nope' to remove"),
        ("PUT", "/_mock/aliases/a", {"target": "nope"}, 404, "no model with id 'nope' to point 'a' at"),
        ("PUT", "/_mock/aliases/claude-new-1", {"target": "claude-new-1"}, 409, "'claude-new-1' is a model's id"),
    ],
)
def test_what_is_not_there_is_a_404_and_a_clash_a_409(
    client: TestClient, method: str, path: str, body: object, status: int, fragment: str
) -> None:
    client.post("/_mock/models", json=NEW)
    before = client.get("/_mock").json()["catalog"]
    response = client.request(method, path, json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["type"] == ("not_found_error" if status == 404 else "invalid_request_error")
    assert fragment in response.json()["error"]["message"]
    assert client.get("/_mock").json()["catalog"] == before  # nothing changed


def test_whole_numbers_written_with_a_fraction_are_integers(client: TestClient) -> None:
    # JSON has one number type and JSON Schema counts 588.0 an integer; so does the admin API.
    added = client.post(
        "/_mock/faults", content=b'{"status": 429.0, "times": 2.0, "retry_after_ms": 5e0, "route": "list"}'
    )
    assert added.status_code == 201, added.text
    fault = added.json()["scripted"][0]
    assert (fault["status"], fault["times"], fault["retry_after_ms"]) == (429, 2, 5)
    assert client.get("/v1/models", headers=API).headers["retry-after-ms"] == "5"
    model = client.post("/_mock/models", content=json.dumps(NEW)[:-1].encode() + b', "max_tokens": 588.0}')
    assert model.status_code == 201, model.text
    served = client.get("/v1/models/claude-new-1", headers=API).json()["max_tokens"]
    assert (served, type(served)) == (588, int)  # served as 588, not 588.0
    assert client.put("/_mock/catalog", content=b'{"synthetic": 3.0, "seed": 7.0}').json()["models"] == 3
    assert client.put("/_mock/faults/rate", content=b'{"rate": 0.5, "seed": 1e1}').json()["seed"] == 10


@pytest.mark.parametrize("number", [b"429.5", b"4.2950e2", b"429.00000000000000000001"])
def test_a_number_not_whole_is_no_status(client: TestClient, number: bytes) -> None:
    response = client.post("/_mock/faults", content=b'{"status": %s}' % number)
    assert response.status_code == 400 and "status: expected a whole number" in response.json()["error"]["message"]


def test_null_means_absent_for_seed_and_headers(client: TestClient) -> None:
    assert client.put("/_mock/faults/rate", json={"rate": 0.5, "seed": 4}).json()["seed"] == 4
    assert client.put("/_mock/faults/rate", json={"rate": 0.5, "seed": None}).json()["seed"] == 4
    assert client.put("/_mock/faults/latency", json={"seconds": 0, "seed": None}).json()["seed"] == 4
    for body in ({"status": 500, "headers": None}, {"sequence": [500], "headers": None}):
        assert client.post("/_mock/faults", json=body).status_code == 201
    rate = client.put("/_mock/faults/rate", json={"rate": 0.5, "headers": None})
    assert rate.status_code == 200 and rate.json()["fail_rate"]["headers"] == {}


@pytest.mark.parametrize("path", ["/_mock/faults", "/_mock/catalog"])
@pytest.mark.parametrize(
    "content", [b"{nope", b'{"status": 429, "retry_after": NaN}', b"[" * 30_000 + b"]" * 30_000, b"9" * 5000]
)
def test_invalid_json_body(client: TestClient, path: str, content: bytes) -> None:
    response = client.request("POST" if path.endswith("faults") else "PUT", path, content=content)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith("request body: not valid JSON")
    assert client.get("/_mock/faults").json()["scripted"] == []


def test_admin_is_not_journaled_and_can_be_turned_off() -> None:
    app = create_app(Catalog.synthetic(5, 1), admin=False)
    with TestClient(app) as client:
        assert client.get("/_mock/journal").status_code == 404
    with TestClient(create_app(Catalog.synthetic(5, 1))) as client:
        client.get("/_mock/journal")
        client.get("/openapi.json")
        assert client.get("/_mock/journal").json()["requests"] == []
        client.get("/_mockery")  # not the admin API: an unknown route, journaled like any other
        client.get("/openapi.json/x")
        journaled = [(r["path"], r["status"]) for r in client.get("/_mock/journal").json()["requests"]]
        assert journaled == [("/_mockery", 404), ("/openapi.json/x", 404)]


def test_a_large_catalog_body_follows_the_rules_of_a_small_one() -> None:
    client = TestClient(create_app(Catalog.synthetic(3, 0)), raise_server_exceptions=False)
    padding = " " * 70_000
    model = {"id": "m-1", "display_name": "M", "created_at": "2025-01-01T00:00:00Z", "max_tokens": 8192.0}
    for body in (json.dumps({"models": [model]}), json.dumps({"models": [model]}) + padding):
        response = client.put("/_mock/catalog", content=body)
        assert response.status_code == 200, response.text
    response = client.put("/_mock/catalog", content='{"synthetic": 5' + padding + "}")
    assert response.status_code == 200 and response.json()["models"] == 5, response.text
    deep = '{"description": ' + "[" * 3000 + "]" * 3000 + ', "models": []}' + padding
    response = client.put("/_mock/catalog", content=deep)
    assert response.status_code == 400 and response.json()["error"]["message"].startswith(
        "request body: not valid JSON"
    )
