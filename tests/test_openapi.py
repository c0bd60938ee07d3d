"""/openapi.json: a valid OpenAPI 3.1 document of exactly what is served, checked by schemathesis too."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from anthropic_models_mock import Catalog, create_app
from anthropic_models_mock.http import HEALTH_PATH
from anthropic_models_mock.http.admin_schemas import COMMON_ERRORS, OPERATIONS, PREFIX
from anthropic_models_mock.http.server import BackgroundServer
from anthropic_models_mock.model.limits import LIMIT_DEFAULT, LIMIT_MAX, LIMIT_MIN, MAX_SYNTHETIC
from anthropic_models_mock.model.modelinfo import ANNOTATIONS, FIELDS, is_model_id
from openapi_spec_validator import validate
from starlette.testclient import TestClient

HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
CLIENT = TestClient(create_app(Catalog.synthetic(50, 3)))


def document(client: TestClient = CLIENT) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    return dict(response.json())


def test_the_document_is_valid_openapi_3_1() -> None:
    spec = document()
    validate(spec)
    assert spec["openapi"] == "3.1.0"


def test_it_documents_exactly_the_served_paths() -> None:
    with TestClient(create_app(Catalog.synthetic(5, 1), admin=False)) as plain:
        spec = document(plain)
    validate(spec)
    assert set(spec["paths"]) == {"/v1/models", "/v1/models/{model_id}", HEALTH_PATH}
    assert set(document()["paths"]) == {"/v1/models", "/v1/models/{model_id}", HEALTH_PATH} | {
        PREFIX + op.path for op in OPERATIONS
    }


def test_limit_bounds_come_from_the_rules() -> None:
    params = {p.get("name"): p for p in document()["paths"]["/v1/models"]["get"]["parameters"]}
    assert params["limit"]["schema"] == {
        "type": "integer",
        "minimum": LIMIT_MIN,
        "maximum": LIMIT_MAX,
        "default": LIMIT_DEFAULT,
    }


def schema_validator(spec: dict[str, Any], name: str) -> jsonschema.protocols.Validator:
    resolver_schema = {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
    return jsonschema.Draft202012Validator(resolver_schema)


@pytest.mark.parametrize(
    ("path", "headers", "status", "schema"),
    [
        ("/v1/models?limit=7", HEADERS, 200, "ListResponse"),
        ("/v1/models?lifecycle=retired", HEADERS, 200, "ListResponse"),
        ("/v1/models/claude-nope", HEADERS, 404, "ErrorResponse"),
        ("/v1/models?limit=0", HEADERS, 400, "ErrorResponse"),
        ("/v1/models", {"anthropic-version": "2023-06-01"}, 401, "ErrorResponse"),
    ],
)
def test_responses_match_the_document(path: str, headers: dict[str, str], status: int, schema: str) -> None:
    spec = document()
    response = CLIENT.get(path, headers=headers)
    assert response.status_code == status
    schema_validator(spec, schema).validate(response.json())


@pytest.mark.parametrize("beta", ["false", "true"])
def test_every_model_matches_its_schema(beta: str) -> None:
    validator = schema_validator(document(), "ModelInfo")
    every = {"limit": 1000, "lifecycle": "active,deprecated,retired", "beta": beta}
    with TestClient(create_app()) as default:
        for client in (CLIENT, default):
            for model in client.get("/v1/models", params=every, headers=HEADERS).json()["data"]:
                validator.validate(model)


def test_the_model_schema_requires_every_key() -> None:
    schemas = document()["components"]["schemas"]
    keys = ["type", "id", "display_name", "created_at", "lifecycle", "deprecated_at", "retires_at", "line"]
    keys += ["max_input_tokens", "max_tokens", "allowed_fallback_models", "capabilities"]
    assert schemas["ModelInfo"]["required"] == keys
    assert "BetaModelInfo" not in schemas  # one shape, served to every request
    capabilities = schemas["ModelInfo"]["properties"]["capabilities"]["anyOf"][0]
    assert "compaction" in capabilities["required"]
    assert "xhigh" in capabilities["properties"]["effort"]["required"]


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    # Keys configured, so that schemathesis' "ignored auth" check can see a 401;
    # admin API off, so that fuzzing cannot inject faults into the run.
    with BackgroundServer(create_app(Catalog.synthetic(40, 2), api_keys=["k"], admin=False)) as server:
        yield server.url


def schemathesis(url: str, tmp_path: Path, *options: str, statuses: str | None = None) -> str:
    """``st run`` every check over ``url``'s document with ``options``, the same cases every run; its output.

    ``statuses``: what positive data may also get, for rules the schema cannot express (``"400", "404"``).
    """
    command = [str(Path(sys.executable).parent / "st")]
    if statuses is not None:
        config = tmp_path / "schemathesis.toml"
        config.write_text(f'[checks.positive_data_acceptance]\nexpected-statuses = ["2xx", {statuses}]\n')
        command += ["--config-file", str(config)]
    command += [
        "run", f"{url}/openapi.json", "--checks", "all", *options,
        "--seed", "1",
        "--workers", "1",  # operations may change one server's state: keep their order fixed
        "--generation-database", "none",  # nothing replayed from earlier runs
    ]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr[-2000:]
    return completed.stdout


def test_schemathesis_finds_nothing(served: str, tmp_path: Path) -> None:
    # Random strings are schema-valid cursors and model ids, but SPEC makes a cursor that names no model
    # (or two cursors at once) a 400 and an unknown model a 404: each operation documents them, the schema
    # cannot express them, so positive data may get those.
    output = schemathesis(served, tmp_path, "--header", "x-api-key: k", "--max-examples", "40", statuses='"400", "404"')
    assert "Tested: 3" in output  # list, retrieve and the health probe


# -- the admin API ---------------------------------------------------------------------------
NEW = {"id": "claude-new-1", "display_name": "New", "created_at": "2031-01-01T00:00:00Z"}


@pytest.fixture(scope="module")
def admin_catalog() -> Catalog:
    """Built once for the module: a catalog never changes in place, so each test's new app starts from this one."""
    return Catalog.synthetic(20, 4)


@pytest.fixture
def admin(admin_catalog: Catalog) -> Iterator[TestClient]:
    with TestClient(create_app(admin_catalog), raise_server_exceptions=False) as client:
        yield client


def admin_operation(spec: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    """The documented operation serving ``method path`` (path parameters are ``{...}``)."""
    for template, item in spec["paths"].items():
        if method.lower() in item and re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path):
            operation: dict[str, Any] = item[method.lower()]
            return operation
    raise AssertionError(f"{method} {path}: not in the document")


def validator(spec: dict[str, Any], schema: dict[str, Any]) -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator(
        {**schema, "components": spec["components"]}, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def assert_documented(spec: dict[str, Any], method: str, path: str, response: Any) -> None:
    """The status is among the operation's responses, and the body matches the schema given for it."""
    responses = admin_operation(spec, method, path)["responses"]
    assert str(response.status_code) in responses, f"{method} {path}: {response.status_code} undocumented"
    schema = responses[str(response.status_code)]["content"]["application/json"]["schema"]
    validator(spec, schema).validate(response.json())
    assert response.headers["request-id"].startswith("req_")


def body_is_valid(spec: dict[str, Any], method: str, path: str, body: object) -> bool:
    schema = admin_operation(spec, method, path)["requestBody"]["content"]["application/json"]["schema"]
    return bool(validator(spec, schema).is_valid(body))


#: Bodies on which the schema and the handler once disagreed (seed null, 588.0, seconds past 3600,
#: a sequence with a status, an empty id), and their neighbours.
SCHEMA_CASES = [
    ("PUT", "/_mock/faults/rate", {"rate": 0.5, "seed": None}),
    ("POST", "/_mock/faults", {"status": 429.0, "times": 2.0, "retry_after_ms": 5.0}),
    ("POST", "/_mock/faults", {"status": 429.5}),
    ("PUT", "/_mock/faults/rate", {"rate": 1, "seed": 7.0}),
    ("POST", "/_mock/models", {**NEW, "max_tokens": 588.0, "max_input_tokens": 2e5}),
    ("PUT", "/_mock/faults/latency", {"seconds": 1, "seed": None}),
    ("PUT", "/_mock/faults/rate", {"rate": 0.5, "seed": 3}),
    ("PUT", "/_mock/faults/rate", {"rate": 0.5, "seed": "3"}),
    ("PUT", "/_mock/faults/rate", {"rate": 0.5, "seed": -(2**63) - 1}),
    ("PUT", "/_mock/faults/rate", {"rate": 0.5, "message": "no", "retry_after": 1, "headers": {"x-a": "b"}}),
    ("PUT", "/_mock/faults/rate", {"rate": 0.5, "kind": "disconnect"}),
    ("PUT", "/_mock/faults/rate", {"rate": 0.5, "times": 2}),
    ("PUT", "/_mock/faults/latency", {"seconds": 3600}),
    ("PUT", "/_mock/faults/latency", {"seconds": 3601}),
    ("PUT", "/_mock/faults/latency", {"seconds": 1, "jitter": 3600.5}),
    ("PUT", "/_mock/faults/latency", {"seconds": 1, "jitter": None}),
    ("PUT", "/_mock/faults/latency", {"seconds": 1, "status": 500}),
    ("POST", "/_mock/faults", {}),
    ("POST", "/_mock/faults", {"retry_after": 3600, "retry_after_ms": 3_600_000}),
    ("POST", "/_mock/faults", {"retry_after": 3600.01}),
    ("POST", "/_mock/faults", {"retry_after_ms": 3_600_001}),
    ("POST", "/_mock/faults", {"sequence": [429, 529], "route": "retrieve", "model_id": "m", "kind": "truncate"}),
    ("POST", "/_mock/faults", {"sequence": [429], "status": 429}),
    ("POST", "/_mock/faults", {"sequence": [429], "times": 1}),
    ("POST", "/_mock/faults", {"sequence": []}),
    ("POST", "/_mock/faults", {"status": 503, "times": None, "headers": None}),
    ("POST", "/_mock/faults", {"sequence": [503], "headers": None}),
    ("POST", "/_mock/faults", {"status": 500, "route": "list", "model_id": "m"}),
    ("POST", "/_mock/faults", {"sequence": [500], "route": "list", "model_id": "m"}),
    ("POST", "/_mock/faults", {"status": 500, "route": "list", "model_id": None}),
    ("POST", "/_mock/faults", {"status": 500, "headers": {"X-Trace": "t\tu ~"}}),
    ("POST", "/_mock/faults", {"status": 500, "headers": {"Content-Length": "1"}}),
    ("POST", "/_mock/faults", {"status": 500, "headers": {"TRANSFER-encoding": "chunked"}}),
    ("POST", "/_mock/faults", {"status": 500, "headers": {"content-lengths": "1"}}),
    ("POST", "/_mock/faults", {"status": 500, "headers": {"x a": "1"}}),
    ("POST", "/_mock/faults", {"status": 500, "headers": {"x-a": "é"}}),
    ("POST", "/_mock/faults", {"status": 500, "kind": None}),
    ("POST", "/_mock/models", NEW),
    ("POST", "/_mock/models", {**NEW, "type": "model", "lifecycle": "active", "id": ""}),
    ("POST", "/_mock/models", {**NEW, "id": "a/b"}),
    ("POST", "/_mock/models", {**NEW, "id": "-a"}),
    ("POST", "/_mock/models", {**NEW, "id": "a" * 256}),
    ("POST", "/_mock/models", {**NEW, "id": "a" * 257}),
    (
        "POST",
        "/_mock/models",
        {**NEW, "sources": ["x"], "lifecycle": "retired", "deprecated_at": "2031-02-01T00:00:00Z"},
    ),
    ("POST", "/_mock/models", {**NEW, "lifecycle": "retired"}),
    ("POST", "/_mock/models", {**NEW, "lifecycle": "deprecated", "deprecated_at": None}),
    ("POST", "/_mock/models", {**NEW, "lifecycle": "active", "deprecated_at": "2031-02-01T00:00:00Z"}),
    ("POST", "/_mock/models", {**NEW, "retires_at": "2031-02-01T00:00:00Z"}),
    ("POST", "/_mock/models", {**NEW, "allowed_fallback_models": ["claude-x-1"], "max_tokens": 8, "line": "opus"}),
    ("POST", "/_mock/models", {**NEW, "allowed_fallback_models": ["claude x"]}),
    ("POST", "/_mock/models", {**NEW, "max_tokens": 0}),
    ("POST", "/_mock/models", {**NEW, "colour": "red"}),
    ("POST", "/_mock/models", {**NEW, "type": None}),
    ("POST", "/_mock/models", {**NEW, "created_at": "0000-01-01T00:00:00Z"}),
    ("POST", "/_mock/models", {**NEW, "created_at": "2030-06-30T23:59:60Z"}),
    ("POST", "/_mock/models", {**NEW, "created_at": "0001-01-01T00:00:00+01:00"}),
    ("POST", "/_mock/models", {**NEW, "created_at": "9999-12-31T23:00:00-01:00"}),
    ("POST", "/_mock/models", {**NEW, "created_at": "2030-02-29T00:00:00Z"}),
    (
        "POST",
        "/_mock/models",
        {**NEW, "lifecycle": "deprecated", "deprecated_at": "2031-01-01t00:00:00.123456789+05:30"},
    ),
    ("POST", "/_mock/models", {**NEW, "capabilities": {"batch": {"supported": True}}}),
    ("PUT", "/_mock/aliases/claude-new", {"target": "claude-new-1"}),
    ("PUT", "/_mock/aliases/claude-new", {"target": ""}),
    ("PUT", "/_mock/aliases/claude-new", {"target": "claude-new-1", "note": 1}),
]


def case_id(method: str, path: str, body: dict[str, Any]) -> str:
    shown = {key: value for key, value in body.items() if key not in NEW or NEW[key] != value}
    return f"{method} {path} {shown}"


@pytest.mark.parametrize(("method", "path", "body"), SCHEMA_CASES, ids=[case_id(*case) for case in SCHEMA_CASES])
def test_the_admin_api_accepts_a_body_exactly_when_its_schema_does(
    admin: TestClient, method: str, path: str, body: object
) -> None:
    spec = document(admin)
    admin.post("/_mock/models", json=NEW)
    response = admin.request(method, path, json=body)
    assert_documented(spec, method, path, response)
    assert response.is_success == body_is_valid(spec, method, path, body), response.text


@pytest.mark.parametrize("path", ["/_mock/models/nope", "/_mock/aliases/nope"])
def test_removing_what_is_not_there_is_a_documented_404(admin: TestClient, path: str) -> None:
    response = admin.delete(path)
    assert response.status_code == 404 and response.json()["error"]["type"] == "not_found_error"
    assert_documented(document(admin), "DELETE", path, response)


def test_every_admin_answer_is_documented_with_its_own_schema(admin: TestClient) -> None:
    spec = document(admin)
    for op in OPERATIONS:
        operation = spec["paths"][PREFIX + op.path][op.method.lower()]
        statuses = {int(status) for status in operation["responses"]}
        assert statuses == {op.status, *op.errors, *COMMON_ERRORS}, op.name
        for status, answer in operation["responses"].items():
            if int(status) < 400 and op.media != "application/json":  # the dashboard's files, the journal's stream
                schema = {"$ref": "#/components/schemas/" + op.answer} if op.answer else {"type": "string"}
                assert answer["content"] == {op.media: {"schema": schema}}, op.name
                continue
            schema = answer["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/" + (op.answer if int(status) < 400 else "ErrorResponse")}
            assert answer["headers"] == {"request-id": {"$ref": "#/components/headers/RequestId"}}
    admin.get("/v1/models/nope", headers=HEADERS)
    admin.post("/_mock/models", json=NEW)
    admin.post("/_mock/faults", json={"status": 429, "times": None, "route": "retrieve", "model_id": "m"})
    admin.put("/_mock/faults/latency", json={"seconds": 0.001, "route": "list"})
    admin.put("/_mock/faults/rate", json={"rate": 0.01, "headers": {"x-a": "b"}})
    examples = [
        ("GET", "/_mock", None),
        ("GET", "/_mock/journal", None),
        ("GET", "/_mock/journal?after=1&limit=1", None),
        ("GET", "/_mock/journal?after=-1", None),
        ("GET", "/_mock/faults", None),
        ("PUT", "/_mock/aliases/claude-new", {"target": "claude-new-1"}),
        ("PUT", "/_mock/aliases/claude-new-1", {"target": "claude-new-1"}),
        ("DELETE", "/_mock/aliases/claude-new", None),
        ("DELETE", "/_mock/models/claude-new-1", None),
        ("DELETE", "/_mock/faults", None),
        ("DELETE", "/_mock/journal", None),
        ("POST", "/_mock/reset", None),
    ]
    for method, path, body in examples:
        assert_documented(spec, method, path.partition("?")[0], admin.request(method, path, json=body))


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_a_request_from_another_origin_is_a_documented_403(admin: TestClient, op: Any) -> None:
    path = PREFIX + op.path.replace("{model_id}", "m").replace("{alias}", "a")
    response = admin.request(op.method, path, json={}, headers={"origin": "https://elsewhere.example"})
    assert response.status_code == 403 and response.json()["error"]["type"] == "permission_error"
    assert_documented(document(admin), op.method, path, response)


def test_model_ids_are_documented_with_their_real_pattern() -> None:
    schema = document()["components"]["schemas"]["ModelId"]
    for text in ["", "a", "claude-opus-4-1@20250805", "A.b_c:d-e", "-a", ".a", "a b", "a/b", "é", "a" * 256, "a" * 257]:
        matches = re.search(schema["pattern"], text) is not None and 1 <= len(text) <= schema["maxLength"]
        assert matches == is_model_id(text), text
    assert schema["minLength"] == 1


def test_a_new_model_is_documented_with_every_field_the_catalog_takes() -> None:
    properties = document()["components"]["schemas"]["NewModel"]["properties"]
    assert set(properties) == set(FIELDS) | ANNOTATIONS


# PUT /_mock/catalog is left out of fuzzing (see below) and checked here by example instead.
CATALOG_CASES = [
    ({"synthetic": 7, "seed": 3}, 200),
    ({"synthetic": 0}, 200),
    ({"models": [NEW], "aliases": {"claude-new": "claude-new-1"}, "as_of": None, "description": "d"}, 200),
    ([NEW, {**NEW, "id": "claude-new-2"}], 200),
    ({"synthetic": MAX_SYNTHETIC + 1}, 400),
    ({"synthetic": 5, "seed": None}, 400),
    ({"synthetic": 5, "models": []}, 400),
    ({"models": [{**NEW, "id": ""}]}, 400),
    ({"models": [NEW], "aliases": {"a b": "claude-new-1"}}, 400),
    ({"models": [NEW], "colour": 1}, 400),
    ({"aliases": {}}, 400),
    ("models", 400),
]


@pytest.mark.parametrize(("body", "status"), CATALOG_CASES)
def test_replacing_the_catalog_by_example(admin: TestClient, body: object, status: int) -> None:
    spec = document(admin)
    response = admin.put("/_mock/catalog", json=body)
    assert response.status_code == status, response.text
    assert_documented(spec, "PUT", "/_mock/catalog", response)
    assert body_is_valid(spec, "PUT", "/_mock/catalog", body) == (status == 200)


@pytest.mark.parametrize(
    "body",
    [
        {"models": [NEW, NEW]},
        {"models": [NEW], "aliases": {"claude-x": "claude-nope"}},
        {"models": [NEW], "aliases": {"claude-new-1": "claude-new-1"}},
    ],
)
def test_a_catalog_the_schema_cannot_judge_is_a_documented_400(admin: TestClient, body: object) -> None:
    spec = document(admin)
    assert body_is_valid(spec, "PUT", "/_mock/catalog", body)
    response = admin.put("/_mock/catalog", json=body)
    assert response.status_code == 400
    assert_documented(spec, "PUT", "/_mock/catalog", response)
    assert "400" in admin_operation(spec, "PUT", "/_mock/catalog")["responses"]


@pytest.fixture(scope="module")
def served_admin() -> Iterator[str]:
    with BackgroundServer(create_app(Catalog.synthetic(20, 2))) as server:
        yield server.url


def test_schemathesis_finds_nothing_in_the_admin_api(served_admin: str, tmp_path: Path) -> None:
    output = schemathesis(
        served_admin,
        tmp_path,
        # Only the admin API: the faults it injects would break the /v1 operations mid-run.
        "--include-path-regex", f"^{PREFIX}(/|$)",
        # PUT /_mock/catalog is fuzzed on its own (test_schemathesis_finds_nothing_in_the_catalog_replacement,
        # below) on an app capped at 50 synthetic models: here {"synthetic": N} is valid up to 10,000,000
        # models (seconds a million), and the coverage phase tries that bound.
        "--exclude-operation-id", "admin_replace_catalog",
        # GET /_mock/journal/stream lasts its timeout (up to an hour): fuzzed on its own too, with a short one.
        "--exclude-operation-id", "admin_journal_stream",
        "--max-examples", "50",
    )  # fmt: skip
    assert f"Tested: {len(OPERATIONS) - 1}" in output  # every admin operation but two, and the health probe


def test_document_bytes_are_json() -> None:
    assert json.loads(CLIENT.get("/openapi.json").content)["info"]["title"] == "anthropic-models-mock"


@pytest.fixture(scope="module")
def served_small_catalogs() -> Iterator[str]:
    """An app whose PUT /_mock/catalog builds at most 50 synthetic models, in its schema and its checks
    alike, so that schemathesis can fuzz that operation too (2,000,000 would take seconds a case)."""
    with BackgroundServer(create_app(Catalog.synthetic(5, 2), max_synthetic=50)) as server:
        yield server.url


def test_schemathesis_finds_nothing_in_the_catalog_replacement(served_small_catalogs: str, tmp_path: Path) -> None:
    # A schema-valid catalog document can still be refused with a 400 (two models with one id, an alias
    # naming no model, lifecycle dates that break the SDK's rules): documented, not expressible in the schema.
    options = ("--include-operation-id", "admin_replace_catalog", "--max-examples", "40")
    assert "Tested: 1" in schemathesis(served_small_catalogs, tmp_path, *options, statuses='"400"')


@pytest.fixture(scope="module")
def served_short_streams() -> Iterator[str]:
    """An app whose journal stream lasts at most 0.2 s, in its schema and its checks alike, so that
    schemathesis can fuzz it (a stream of an hour would hold each case that long)."""
    import anthropic_models_mock.http.admin_schemas as admin

    patch = pytest.MonkeyPatch()
    patch.setitem(admin.STREAM_TIMEOUT, "maximum", 0.2)
    patch.setitem(admin.STREAM_TIMEOUT, "default", 0.1)
    try:
        with BackgroundServer(create_app(Catalog.synthetic(5, 2))) as server:
            yield server.url
    finally:
        patch.undo()


def test_schemathesis_finds_nothing_in_the_journal_stream(served_short_streams: str, tmp_path: Path) -> None:
    options = ("--include-operation-id", "admin_journal_stream", "--max-examples", "30")
    assert "Tested: 1" in schemathesis(served_short_streams, tmp_path, *options)


@pytest.mark.parametrize("cap", [0, 50, 2_000_000, 10_000_000])
def test_the_document_states_the_apps_own_synthetic_cap(cap: int) -> None:
    document = TestClient(create_app(Catalog.synthetic(1, 1), max_synthetic=cap)).get("/openapi.json").json()
    assert document["components"]["schemas"]["SyntheticSize"] == {"type": "integer", "minimum": 0, "maximum": cap}
