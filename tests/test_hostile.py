"""Hostile traffic: each kind of attack an adversarial run found, over raw sockets and with Hypothesis.

Each class has a raw-socket test against a real server (what an attacker sends) and a Hypothesis
test of the property that must hold for every such input.
"""

from __future__ import annotations

import gc
import socket
import tracemalloc
from collections.abc import Iterator

import pytest
from anthropic_models_mock import Catalog, create_app
from anthropic_models_mock.rules import MAX_URL_BYTES
from anthropic_models_mock.server import BackgroundServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

HEADERS = {"x-api-key": "test-key", "anthropic-version": "2023-06-01"}
RAW_HEADERS = b"x-api-key: test-key\r\nanthropic-version: 2023-06-01\r\n"
CATALOG = Catalog.synthetic(30, seed=3)


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(create_app(CATALOG)) as running:
        yield running


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(CATALOG)) as test_client:
        yield test_client


def address(server: BackgroundServer) -> tuple[str, int]:
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def exchange(server: BackgroundServer, request: bytes, *, timeout: float = 10) -> bytes:
    """Send raw bytes, read until the server closes the connection."""
    with socket.create_connection(address(server), timeout=timeout) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def statuses(answer: bytes) -> list[int]:
    return [int(line.split()[1]) for line in answer.split(b"\r\n") if line.startswith(b"HTTP/1.1 ")]


# -- long URLs: capped with a 414 envelope, and never kept -------------------------------------
def test_a_url_over_the_cap_is_a_414_envelope(server: BackgroundServer) -> None:
    cursor = "c" * MAX_URL_BYTES
    request = f"GET /v1/models?after_id={cursor} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n".encode()
    answer = exchange(server, request + RAW_HEADERS + b"\r\n")
    assert statuses(answer) == [414]
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"request-id: req_" in head.lower() and b"content-type: application/json" in head.lower()
    assert b'"type":"invalid_request_error"' in body and b"request target too long" in body


def test_the_cap_is_exact(client: TestClient) -> None:
    prefix = "/v1/models?after_id="
    at_cap = prefix + "c" * (MAX_URL_BYTES - len(prefix))
    assert client.get(at_cap, headers=HEADERS).status_code == 400  # read, and refused as an unknown cursor
    assert client.get(at_cap + "c", headers=HEADERS).status_code == 414


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(["/v1/models", "/v1/models/x", "/nowhere", "/_mock/journal"]), extra=st.integers(1, 5000))
def test_any_route_refuses_a_long_target_before_keeping_it(client: TestClient, path: str, extra: int) -> None:
    app = client.app
    before = app.mock.journal.total  # type: ignore[attr-defined]
    response = client.get(f"{path}?q={'x' * (MAX_URL_BYTES + extra)}", headers=HEADERS)
    assert response.status_code == 414 and response.json()["error"]["type"] == "invalid_request_error"
    assert app.mock.journal.total == before  # type: ignore[attr-defined]


def test_distinct_long_valid_queries_do_not_grow_memory() -> None:
    """The parsed-query cache keeps only short queries: 800 distinct long ones keep nothing."""
    long_ids = [f"claude-{n:04d}-" + "x" * 240 for n in range(200)]
    models = [{"id": i, "display_name": "L", "created_at": "2026-01-01T00:00:00Z"} for i in long_ids]
    app = create_app(Catalog(models), journal_size=1)  # the journal's own (bounded) memory aside
    with TestClient(app) as test_client:

        def burst(first: int) -> None:
            for n in range(first, first + 800):
                after = "".join(f"%{byte:02X}" for byte in long_ids[n % 200].encode())  # 3 bytes a character
                query = f"after_id={after}&limit={1 + n // 200}&lifecycle=active,deprecated&beta=false"
                assert len(query) > 700
                response = test_client.get(f"/v1/models?{query}", headers=HEADERS)
                assert response.status_code == 200, response.text

        burst(0)  # warm up everything but the cache
        gc.collect()
        tracemalloc.start()
        try:
            start, _ = tracemalloc.get_traced_memory()
            burst(800)
            gc.collect()
            end, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert end - start < 300_000, f"{end - start:,} bytes kept after 800 distinct long queries"
