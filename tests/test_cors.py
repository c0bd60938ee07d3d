"""Browsers (CORS): the opt-in header, the two response headers on every answer, preflights."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from anthropic_models_mock import Catalog, create_app
from anthropic_models_mock.http import HEALTH_PATH
from anthropic_models_mock.http.cors import MAX_AGE, REFUSAL
from anthropic_models_mock.http.server import BackgroundServer
from anthropic_models_mock.model.limits import MAX_URL_BYTES
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

KEY = "test-key"
HEADERS = {"x-api-key": KEY, "anthropic-version": "2023-06-01"}
ORIGIN = {"origin": "http://localhost:5173"}
OPT_IN = {"anthropic-dangerous-direct-browser-access": "true"}
BROWSER = {**HEADERS, **ORIGIN, **OPT_IN}  # what the TypeScript SDK sends with dangerouslyAllowBrowser
MODELS = [
    {"id": "claude-a-1", "display_name": "A", "created_at": "2026-01-01T00:00:00Z"},
    {"id": "claude-b-1", "display_name": "B", "created_at": "2025-01-01T00:00:00Z"},
]
ALIASES = {"claude-a": "claude-a-1"}
CORS = ("access-control-allow-origin", "access-control-expose-headers")
#: The headers the TypeScript SDK sends from a browser, as a preflight asks for them.
SDK_HEADERS = (
    "anthropic-beta, anthropic-dangerous-direct-browser-access, anthropic-version, authorization, content-type, "
    "x-api-key, x-stainless-arch, x-stainless-helper-method, x-stainless-lang, x-stainless-os, "
    "x-stainless-package-version, x-stainless-retry-count, x-stainless-runtime, x-stainless-runtime-version, "
    "x-stainless-timeout"
)
PREFLIGHT = {**ORIGIN, "access-control-request-method": "GET", "access-control-request-headers": SDK_HEADERS}
LIST, RETRIEVE = "/v1/models", "/v1/models/claude-a-1"


def new_app(**options: Any) -> Any:
    return create_app(Catalog(MODELS, ALIASES), api_keys=[KEY], **options)


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(new_app()) as test_client:
        yield test_client


def assert_cors(response: Any) -> None:
    """Each CORS header exactly once, with ``*``."""
    for name in CORS:
        assert response.headers.get_list(name) == ["*"], (name, response.headers)


def assert_no_cors(response: Any) -> None:
    assert not any(name.startswith("access-control-") for name in response.headers), response.headers


def assert_refused(response: Any) -> None:
    """The real API's answer to a browser request without the opt-in header."""
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/json"
    request_id = response.headers["request-id"]
    assert request_id.startswith("req_")
    assert response.json() == {
        "type": "error",
        "error": {"type": "authentication_error", "message": REFUSAL},
        "request_id": request_id,
    }
    assert_no_cors(response)


# -- without Origin nothing changes ------------------------------------------------------------------------
@pytest.mark.parametrize("path", [LIST, RETRIEVE, "/v1/models/nope", HEALTH_PATH])
def test_no_origin_no_cors_headers(client: TestClient, path: str) -> None:
    response = client.get(path, headers=HEADERS)
    assert response.headers["request-id"].startswith("req_")
    assert_no_cors(response)


def test_the_opt_in_header_alone_changes_nothing(client: TestClient) -> None:
    response = client.get(LIST, headers={**HEADERS, **OPT_IN})  # a server-side client may send it too
    assert response.status_code == 200
    assert_no_cors(response)


# -- Origin without the opt-in header: the 401, before anything else ----------------------------------------
@pytest.mark.parametrize(
    "path", [LIST, RETRIEVE, "/v1/models/claude-a", "/v1/models/nope", "/v1/models?limit=0", "/v1/nowhere"]
)
def test_origin_without_opt_in_is_refused(client: TestClient, path: str) -> None:
    assert_refused(client.get(path, headers={**HEADERS, **ORIGIN}))


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no key, no version
        {"anthropic-version": "2023-06-01"},  # no key
        {"x-api-key": "wrong", "anthropic-version": "2023-06-01"},  # a key the app does not know
        {"x-api-key": KEY},  # no version
        {"x-api-key": KEY, "anthropic-version": "not-a-date"},
    ],
    ids=["nothing", "no-key", "bad-key", "no-version", "bad-version"],
)
@pytest.mark.parametrize("path", [LIST, RETRIEVE])
def test_the_cors_check_comes_before_the_key_and_the_version(
    client: TestClient, path: str, headers: dict[str, str]
) -> None:
    assert_refused(client.get(path, headers={**headers, **ORIGIN}))


@pytest.mark.parametrize("method", ["DELETE", "POST", "PUT"])
def test_a_wrong_method_from_a_browser_without_opt_in_is_refused(client: TestClient, method: str) -> None:
    assert_refused(client.request(method, LIST, headers={**HEADERS, **ORIGIN}))


@pytest.mark.parametrize("origin", ["null", "https://example.com", "http://127.0.0.1:8080", ""])
def test_any_origin_value_counts(client: TestClient, origin: str) -> None:
    assert_refused(client.get(LIST, headers={**HEADERS, "origin": origin}))


@pytest.mark.parametrize("value", ["false", "", "1", "yes", "truee", "true,true"])
def test_the_opt_in_header_must_say_true(client: TestClient, value: str) -> None:
    headers = {**HEADERS, **ORIGIN, "anthropic-dangerous-direct-browser-access": value}
    assert_refused(client.get(LIST, headers=headers))


@pytest.mark.parametrize("value", ["true", "TRUE", "True", " true\t"])
def test_the_opt_in_value_is_true_in_any_case(client: TestClient, value: str) -> None:
    response = client.get(LIST, headers={**HEADERS, **ORIGIN, "anthropic-dangerous-direct-browser-access": value})
    assert response.status_code == 200
    assert_cors(response)


def test_a_repeated_opt_in_header_counts_as_its_first_value(client: TestClient) -> None:
    name = "anthropic-dangerous-direct-browser-access"
    first_true = [*HEADERS.items(), *ORIGIN.items(), (name, "true"), (name, "false")]
    first_false = [*HEADERS.items(), *ORIGIN.items(), (name, "false"), (name, "true")]
    assert client.get(LIST, headers=first_true).status_code == 200
    assert_refused(client.get(LIST, headers=first_false))


def test_the_refusal_is_journaled_and_takes_no_fault(client: TestClient) -> None:
    app = client.app
    app.mock.faults.add(529)  # type: ignore[attr-defined]
    assert_refused(client.get(LIST, headers={**HEADERS, **ORIGIN}))
    late = client.get(LIST, headers=BROWSER)  # the fault is still there for the next request the API serves
    assert late.status_code == 529
    assert_cors(late)
    journal = app.mock.journal  # type: ignore[attr-defined]
    assert [entry.line for entry in journal] == ["GET /v1/models -> 401", "GET /v1/models -> 529"]


# -- with the opt-in header: every answer carries the two headers, and is otherwise unchanged --------------
OUTCOMES = [
    ("GET", LIST, HEADERS, 200),
    ("GET", "/v1/models?limit=1", HEADERS, 200),
    ("GET", RETRIEVE, HEADERS, 200),
    ("GET", "/v1/models/claude-a", HEADERS, 200),  # an alias
    ("HEAD", LIST, HEADERS, 200),
    ("GET", "/v1/models/nope", HEADERS, 404),
    ("GET", "/v1/nowhere", HEADERS, 404),
    ("GET", "/v1/models?limit=0", HEADERS, 400),
    ("GET", "/v1/models?nope=1", HEADERS, 400),
    ("GET", RETRIEVE, {"x-api-key": KEY}, 400),  # no version
    ("GET", LIST, {"anthropic-version": "2023-06-01"}, 401),  # no key
    ("GET", RETRIEVE, {"x-api-key": "wrong", "anthropic-version": "2023-06-01"}, 401),  # an unknown key
    ("GET", LIST, {"authorization": "Basic abc", "anthropic-version": "2023-06-01"}, 401),
    ("DELETE", LIST, HEADERS, 405),
    ("POST", RETRIEVE, HEADERS, 405),
    ("OPTIONS", LIST, HEADERS, 405),  # with Origin but no Access-Control-Request-Method: no preflight
]


@pytest.mark.parametrize(("method", "path", "headers", "status"), OUTCOMES)
def test_opted_in_answers_carry_cors_headers(
    client: TestClient, method: str, path: str, headers: dict[str, str], status: int
) -> None:
    plain = client.request(method, path, headers=headers)
    browser = client.request(method, path, headers={**headers, **ORIGIN, **OPT_IN})
    assert browser.status_code == plain.status_code == status, browser.text
    assert_cors(browser)
    assert browser.headers["content-type"] == "application/json"
    assert browser.headers["request-id"].startswith("req_")
    assert without_request_id(browser) == without_request_id(plain)


def without_request_id(response: Any) -> tuple[int, dict[str, str], bytes]:
    headers = {k: v for k, v in response.headers.items() if k not in {"request-id", *CORS}}
    return response.status_code, headers, response.content.replace(response.headers["request-id"].encode(), b"")


@pytest.mark.parametrize("path", [LIST, RETRIEVE])
@pytest.mark.parametrize("status", [429, 500, 529, 503])
def test_injected_faults_carry_cors_headers(client: TestClient, path: str, status: int) -> None:
    client.app.mock.faults.add(status, retry_after=2)  # type: ignore[attr-defined]
    response = client.get(path, headers=BROWSER)
    assert response.status_code == status
    assert response.headers["retry-after"] == "2"  # readable by the page: exposed by `*`
    assert_cors(response)


def test_a_malformed_answer_carries_cors_headers(client: TestClient) -> None:
    client.app.mock.faults.add(500, kind="malformed")  # type: ignore[attr-defined]
    response = client.get(LIST, headers=BROWSER)
    assert response.status_code == 200
    assert_cors(response)


def test_a_fault_cannot_double_the_cors_headers(client: TestClient) -> None:
    """A duplicated ``access-control-allow-origin`` fails the browser's check: the fake's own value wins."""
    extra = {"access-control-allow-origin": "https://elsewhere", "access-control-expose-headers": "retry-after"}
    client.app.mock.faults.add(429, headers=extra)  # type: ignore[attr-defined]
    response = client.get(LIST, headers=BROWSER)
    assert response.status_code == 429
    assert_cors(response)


def test_a_target_too_long_is_a_414_first(client: TestClient) -> None:
    path = LIST + "?after_id=" + "x" * MAX_URL_BYTES
    refused = client.get(path, headers={**HEADERS, **ORIGIN})
    assert refused.status_code == 414  # as for any request: never parsed, never journaled
    assert_no_cors(refused)
    browser = client.get(path, headers=BROWSER)
    assert browser.status_code == 414
    assert_cors(browser)
    assert len(client.app.mock.journal) == 0  # type: ignore[attr-defined]


# -- preflights ---------------------------------------------------------------------------------------------
def assert_preflight(response: Any, method: str = "GET", headers: str | None = SDK_HEADERS) -> None:
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert response.headers.get_list("access-control-allow-origin") == ["*"]
    assert response.headers["access-control-allow-methods"] == method
    if headers is None:
        assert "access-control-allow-headers" not in response.headers
    else:
        assert response.headers["access-control-allow-headers"] == headers
    assert response.headers["access-control-max-age"] == str(MAX_AGE)
    assert response.headers["request-id"].startswith("req_")
    assert "content-type" not in response.headers  # a 204 has no content to describe


@pytest.mark.parametrize(
    "path", [LIST, RETRIEVE, "/v1/models/claude-a", "/v1/models?limit=3", "/v1/models/nope", "/v1/messages"]
)
def test_a_preflight_is_answered(client: TestClient, path: str) -> None:
    assert_preflight(client.options(path, headers=PREFLIGHT))
    assert len(client.app.mock.journal) == 0  # type: ignore[attr-defined]  # not an API request


def test_a_preflight_grants_what_it_asks(client: TestClient) -> None:
    asked = {**ORIGIN, "access-control-request-method": "DELETE", "access-control-request-headers": "X-Custom,  B"}
    assert_preflight(client.options(LIST, headers=asked), "DELETE", "x-custom, b")
    bare = {**ORIGIN, "access-control-request-method": "GET"}
    assert_preflight(client.options(LIST, headers=bare), headers=None)


def test_a_preflight_needs_no_key_and_takes_no_fault(client: TestClient) -> None:
    client.app.mock.faults.add(529)  # type: ignore[attr-defined]
    client.app.mock.faults.set_latency(5)  # type: ignore[attr-defined]  # a preflight is never delayed either
    assert_preflight(client.options(LIST, headers=PREFLIGHT))
    assert client.app.mock.faults.to_json()["scripted"]  # type: ignore[attr-defined]


def test_a_plain_options_is_still_a_405(client: TestClient) -> None:
    response = client.options(LIST, headers=HEADERS)
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/json"
    assert_no_cors(response)


# -- the fake's own endpoints: the spec and the probe for anyone; the admin API for its own origin only ------
@pytest.mark.parametrize("path", [HEALTH_PATH, "/openapi.json"])
def test_the_spec_and_the_probe_allow_any_origin(client: TestClient, path: str) -> None:
    response = client.get(path, headers=ORIGIN)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert_cors(response)
    assert_preflight(client.options(path, headers=PREFLIGHT))


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/_mock"), ("GET", "/_mock/journal"), ("POST", "/_mock/faults"), ("POST", "/_mock/reset")],
)
def test_the_admin_api_refuses_other_origins(client: TestClient, method: str, path: str) -> None:
    """A page on another origin can neither read nor change a local fake (no CSRF with a text/plain POST)."""
    before = client.app.mock.faults.to_json()  # type: ignore[attr-defined]
    body = b'{"status": 529, "times": null}'
    refused = client.request(method, path, headers={**ORIGIN, "content-type": "text/plain"}, content=body)
    assert refused.status_code == 403 and refused.json()["error"]["type"] == "permission_error"
    assert "own origin only" in refused.json()["error"]["message"]
    assert_no_cors(refused)
    assert client.app.mock.faults.to_json() == before  # type: ignore[attr-defined]
    preflight = client.options(path, headers={**ORIGIN, "access-control-request-method": method})
    assert preflight.status_code == 403
    assert_no_cors(preflight)


def test_the_admin_api_from_its_own_origin(client: TestClient) -> None:
    """The dashboard the fake serves is same-origin: its requests carry Origin, and are answered."""
    own = {"origin": "http://testserver"}  # TestClient's Host
    added = client.post("/_mock/faults", json={"status": 529}, headers=own)
    assert added.status_code == 201, added.text
    assert client.get("/_mock/journal", headers=own).status_code == 200
    client.app.mock.reset()  # type: ignore[attr-defined]
    assert len(client.app.mock.journal) == 0  # type: ignore[attr-defined]


# -- over a real socket -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(new_app()) as running:
        yield running


@pytest.fixture
def live(server: BackgroundServer) -> Iterator[httpx.Client]:
    server.app.mock.reset()  # type: ignore[attr-defined]
    with httpx.Client(base_url=server.url, timeout=10) as http:
        yield http
    server.app.mock.reset()  # type: ignore[attr-defined]


def raw_exchange(server: BackgroundServer, request: bytes) -> bytes:
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_over_a_socket(server: BackgroundServer, live: httpx.Client) -> None:
    assert_preflight(live.options(LIST, headers=PREFLIGHT))
    assert_preflight(live.options(RETRIEVE, headers=PREFLIGHT))
    for path in (LIST, RETRIEVE):
        allowed = live.get(path, headers=BROWSER)
        assert allowed.status_code == 200
        assert_cors(allowed)
        assert_refused(live.get(path, headers={**HEADERS, **ORIGIN}))
    missing = live.get(RETRIEVE, headers={**ORIGIN, **OPT_IN})
    assert missing.status_code == 401
    assert_cors(missing)


def test_a_preflight_on_the_wire_is_a_bare_204(server: BackgroundServer) -> None:
    request = b"OPTIONS /v1/models HTTP/1.1\r\nhost: x\r\norigin: http://a\r\naccess-control-request-method: GET\r\n"
    answer = raw_exchange(server, request + b"connection: close\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 204 "), answer
    assert body == b""
    lines = head.lower().split(b"\r\n")
    assert b"access-control-allow-origin: *" in lines
    assert not any(line.startswith((b"content-length:", b"transfer-encoding:")) for line in lines)


@pytest.mark.parametrize("kind", ["disconnect", "truncate"])
def test_transport_faults_still_drop_the_connection(server: BackgroundServer, live: httpx.Client, kind: str) -> None:
    """The CORS layer wraps ``send``: the fault must still find uvicorn's connection to cut it, not answer a 500."""
    server.app.mock.faults.add(500, kind=kind)  # type: ignore[attr-defined]
    with pytest.raises(httpx.TransportError):
        live.get(LIST, headers=BROWSER)
    after = live.get(LIST, headers=BROWSER)
    assert after.status_code == 200
    assert_cors(after)


# -- properties ---------------------------------------------------------------------------------------------
FAULTS = st.sampled_from([None, 429, 500, 529])
PATHS = st.sampled_from(
    [LIST, "/v1/models?limit=1", "/v1/models?limit=0", RETRIEVE, "/v1/models/claude-a", "/v1/models/nope"]
)
OTHER_PATHS = st.sampled_from(["/v1/models/", "/v1/nowhere", "/"])
METHODS = st.sampled_from(["GET", "GET", "HEAD", "POST", "DELETE", "OPTIONS"])
KEYS = st.sampled_from([{"x-api-key": KEY}, {"authorization": f"Bearer {KEY}"}, {"x-api-key": "wrong"}, {}])
VERSIONS = st.sampled_from([{"anthropic-version": "2023-06-01"}, {"anthropic-version": "nope"}, {}])
ORIGINS = st.sampled_from(["http://localhost:5173", "null", "https://example.com", ""])
OPT_IN_VALUES = st.sampled_from([None, "true", "TRUE", " true", "false", "", "1"])


@settings(max_examples=150, deadline=None)
@given(
    method=METHODS,
    path=PATHS | OTHER_PATHS,
    key=KEYS,
    version=VERSIONS,
    fault=FAULTS,
    origin=ORIGINS,
    opt_in=OPT_IN_VALUES,
)
def test_a_browser_gets_the_answer_plus_cors_headers_or_the_refusal(
    method: str,
    path: str,
    key: dict[str, str],
    version: dict[str, str],
    fault: int | None,
    origin: str,
    opt_in: str | None,
) -> None:
    """With the opt-in header: the same answer as without ``Origin``, plus the two headers.
    Without it: the 401 and no CORS header, whatever the route, key, version or fault.
    """
    headers = {**key, **version}
    browser_headers = {**headers, "origin": origin}
    if opt_in is not None:
        browser_headers["anthropic-dangerous-direct-browser-access"] = opt_in
    plain_app, browser_app = new_app(), new_app()
    if fault is not None:
        plain_app.mock.faults.add(fault)
        browser_app.mock.faults.add(fault)
    plain = TestClient(plain_app).request(method, path, headers=headers)
    browser = TestClient(browser_app).request(method, path, headers=browser_headers)
    assert browser.status_code < 500 or browser.status_code == fault
    assert browser.headers["request-id"].startswith("req_")
    assert browser.headers["content-type"] == "application/json"
    if opt_in is not None and opt_in.strip().lower() == "true":
        assert_cors(browser)
        assert without_request_id(browser) == without_request_id(plain)
    else:
        assert browser.status_code == 401
        assert_no_cors(browser)
        if method != "HEAD":  # a HEAD answer has no body to read
            assert_refused(browser)
        if fault is not None:
            assert browser_app.mock.faults.to_json()["scripted"], "the refusal took the fault"
        assert [entry.status for entry in browser_app.mock.journal] == [401]


@settings(max_examples=100, deadline=None)
@given(
    # (not "/…": "//:" would be a URL naming another host, with a bad port)
    path=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="?#%"), max_size=40).filter(
        lambda path: not path.startswith("/")
    ),
    method=st.from_regex(r"[A-Z]{1,10}", fullmatch=True),
    names=st.lists(st.from_regex(r"[a-zA-Z][a-zA-Z0-9-]{0,20}", fullmatch=True), max_size=8),
    fault=FAULTS,
)
def test_any_preflight_is_granted(path: str, method: str, names: list[str], fault: int | None) -> None:
    app = new_app()
    if fault is not None:
        app.mock.faults.add(fault)
    headers = {**ORIGIN, "access-control-request-method": method}
    if names:
        headers["access-control-request-headers"] = ",".join(names)
    response = TestClient(app).options("/" + path, headers=headers)
    assert response.status_code == 204, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-allow-methods"] == method
    granted = response.headers.get("access-control-allow-headers", "")
    assert {name.lower() for name in names} == {name for name in granted.split(", ") if name}
    assert len(app.mock.journal) == 0
