"""Faults may carry ``details``: served as ``error.details``, so an SDK raises the typed exception of that code."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import anthropic
import httpx
import pytest
from anthropic_models_mock import Catalog, create_app
from anthropic_models_mock.http import MockApp
from anthropic_models_mock.runtime.faults import DETAILS_BYTES, Faults
from anthropic_models_testkit.mock import AnthropicMock
from commands import MOCKSERVER, serving
from starlette.testclient import TestClient

HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
ON_HOLD = {"error_code": "organization_on_hold", "appeal_url": "https://support.example.com/appeal"}


@pytest.fixture
def app() -> MockApp:
    return create_app(Catalog.synthetic(3, 1))


@pytest.fixture
def client(app: MockApp) -> TestClient:
    return TestClient(app)


def test_details_are_served_as_error_details(app: MockApp, client: TestClient) -> None:
    app.mock.faults.add(400, details=ON_HOLD)
    app.mock.faults.add(400)
    with_details, without = client.get("/v1/models", headers=HEADERS), client.get("/v1/models", headers=HEADERS)
    assert with_details.status_code == without.status_code == 400
    assert with_details.json()["error"] == {
        "type": "invalid_request_error",
        "message": "invalid request error (injected by anthropic-models-mock)",
        "details": ON_HOLD,
    }
    assert "details" not in without.json()["error"]  # absent, not null, when the fault has none


def test_details_from_the_admin_api(client: TestClient) -> None:
    added = client.post("/_mock/faults", json={"status": 400, "details": ON_HOLD, "route": "retrieve"})
    assert added.status_code == 201
    assert added.json()["scripted"][0]["details"] == ON_HOLD
    model = client.get("/v1/models", headers=HEADERS).json()["data"][0]["id"]
    assert client.get(f"/v1/models/{model}", headers=HEADERS).json()["error"]["details"] == ON_HOLD
    sequence = client.post("/_mock/faults", json={"sequence": [400, 403], "details": {"error_code": "x"}})
    assert [fault["details"] for fault in sequence.json()["scripted"]] == [{"error_code": "x"}] * 2
    rate = client.put("/_mock/faults/rate", json={"rate": 1, "status": 400, "details": ON_HOLD})
    assert rate.json()["fail_rate"]["details"] == ON_HOLD


@pytest.mark.parametrize(
    ("details", "says"),
    [
        (["organization_on_hold"], "expected a JSON object with an error_code"),
        ({"appeal_url": "x"}, "error_code: expected a non-empty string, got None"),
        ({"error_code": ""}, "error_code: expected a non-empty string"),
        ({"error_code": 400}, "error_code: expected a non-empty string, got 400"),
        ({"error_code": "x", "n": float("nan")}, "not JSON"),
        ({"error_code": "x", "pad": "p" * DETAILS_BYTES}, f"at most {DETAILS_BYTES:,}"),
    ],
)
def test_details_that_are_not_an_error_code_and_its_fields_are_refused(details: Any, says: str) -> None:
    faults = Faults()
    with pytest.raises(ValueError, match="details: ") as raised:
        faults.add(400, details=details)
    assert says in str(raised.value)
    assert not faults.active


def test_the_admin_api_refuses_bad_details_with_a_400(client: TestClient) -> None:
    response = client.post("/_mock/faults", json={"status": 400, "details": {"appeal_url": "x"}})
    assert response.status_code == 400
    assert "details: error_code" in response.json()["error"]["message"]
    assert client.get("/_mock/faults").json()["scripted"] == []


def test_details_are_copied_not_shared() -> None:
    details: dict[str, Any] = {"error_code": "x", "fields": ["a"]}
    fault = Faults().add(400, details=details)
    details["fields"].append("b")
    assert fault.details == {"error_code": "x", "fields": ["a"]}


_TYPED = hasattr(anthropic, "OrganizationOnHoldError")


@pytest.mark.skipif(not _TYPED, reason=f"anthropic {anthropic.__version__} has no typed error details (2.x does)")
def test_the_sdk_raises_the_typed_exception_of_the_code(
    anthropic_mock: AnthropicMock, anthropic_client: anthropic.Anthropic
) -> None:
    anthropic_mock.faults.add(400, details=ON_HOLD)
    with pytest.raises(anthropic.OrganizationOnHoldError) as raised:
        anthropic_client.models.list()
    assert raised.value.error_code == "organization_on_hold"
    assert raised.value.details.appeal_url == ON_HOLD["appeal_url"]
    assert isinstance(raised.value, anthropic.BadRequestError)

    anthropic_mock.faults.add(400, details={"error_code": "claude_code_key_creator_not_member"})
    with pytest.raises(anthropic.ClaudeCodeKeyCreatorNotMemberError):
        anthropic_client.models.retrieve("claude-opus-4-1")

    anthropic_mock.faults.add(400, details={"error_code": "a_code_no_sdk_knows"})
    with pytest.raises(anthropic.BadRequestError) as plain:
        anthropic_client.models.list()
    assert type(plain.value) is anthropic.BadRequestError
    assert plain.value.error_code == "a_code_no_sdk_knows"


def test_serve_fault_details() -> None:
    details = json.dumps(ON_HOLD)
    with serving("--synthetic", "3", "--fault", "400", "--fault-details", details) as (_, url, _lines):
        body = httpx.get(f"{url}/v1/models", headers=HEADERS).json()
    assert body["error"]["details"] == ON_HOLD


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--fault", "400", "--fault-details", "{nope"], "argument --fault-details: Expecting property name"),
        (["--fault", "400", "--fault-details", '{"appeal_url": "x"}'], "argument --fault-details: error_code:"),
        (["--fault-details", '{"error_code": "x"}'], "--fault-details applies to --fault and --fail-rate errors"),
    ],
)
def test_serve_refuses_fault_details_that_cannot_work(args: list[str], says: str) -> None:
    done = subprocess.run([*MOCKSERVER, "serve", "--port", "0", *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1 and says in done.stderr, done.stderr


def test_no_details_in_the_envelope_of_the_fakes_own_errors(client: TestClient) -> None:
    assert "details" not in client.get("/v1/models/nope", headers=HEADERS).json()["error"]
