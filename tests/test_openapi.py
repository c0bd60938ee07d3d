"""/openapi.json: a valid OpenAPI 3.1 document of exactly what is served, checked by schemathesis too."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from anthropic_models_mock import Catalog, create_app
from anthropic_models_mock.admin import OPERATIONS, PREFIX
from anthropic_models_mock.rules import HEALTH_PATH, LIMIT_DEFAULT, LIMIT_MAX, LIMIT_MIN
from anthropic_models_mock.server import BackgroundServer
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


def test_every_model_matches_the_model_info_schema() -> None:
    validator = schema_validator(document(), "ModelInfo")
    first = CLIENT.get("/v1/models", params={"limit": 1000, "lifecycle": "active,deprecated,retired"}, headers=HEADERS)
    for model in first.json()["data"]:
        validator.validate(model)
    with TestClient(create_app()) as default:
        for model in default.get("/v1/models?limit=1000&lifecycle=active,deprecated,retired", headers=HEADERS).json()[
            "data"
        ]:
            validator.validate(model)


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    # Keys configured, so that schemathesis' "ignored auth" check can see a 401;
    # admin API off, so that fuzzing cannot inject faults into the run.
    with BackgroundServer(create_app(Catalog.synthetic(40, 2), api_keys=["k"], admin=False)) as server:
        yield server.url


def test_schemathesis_finds_nothing(served: str, tmp_path: Path) -> None:
    st = Path(sys.executable).parent / "st"
    command = [
        str(st), "run", f"{served}/openapi.json",
        "--header", "x-api-key: k",
        "--checks", "all",
        # Random strings are schema-valid cursors, but SPEC makes a cursor that names no
        # model (and two cursors at once) a 400: the document says so, the schema cannot.
        "--exclude-checks", "positive_data_acceptance",
        "--max-examples", "40",
        "--seed", "1",
    ]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    assert "Tested: 3" in completed.stdout  # list, retrieve and the health probe


def test_document_bytes_are_json() -> None:
    assert json.loads(CLIENT.get("/openapi.json").content)["info"]["title"] == "anthropic-models-mock"
