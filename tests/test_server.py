"""The uvicorn layer: a free port, readiness without sleeping, and the envelope even for unparseable HTTP."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import httpx
import pytest
from anthropic_models_mock import Catalog, create_app
from anthropic_models_mock.http.server import BackgroundServer


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(create_app(Catalog.synthetic(5, 1))) as running:
        yield running


def raw(server: BackgroundServer, request: bytes) -> tuple[bytes, dict[str, str], bytes]:
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines)
    return status.encode(), headers, body


def test_it_answers_on_its_own_port(server: BackgroundServer) -> None:
    response = httpx.get(f"{server.url}/v1/models", headers={"x-api-key": "k", "anthropic-version": "2023-06-01"})
    listed = list(Catalog.synthetic(5, 1).view().ids)
    assert response.status_code == 200 and [model["id"] for model in response.json()["data"]] == listed
    assert 0 < len(listed) <= 5


@pytest.mark.parametrize(
    "request_line",
    [
        b"GET /v1/models?after_id=\xff HTTP/1.1",  # raw, not percent-encoded, bytes in the target
        b"GET /v1/models/\xc3\xa9 HTTP/1.1",
        b"FOO /v1/models HTTP/1.1",  # no such method in HTTP
    ],
)
def test_unparseable_http_gets_the_error_envelope(server: BackgroundServer, request_line: bytes) -> None:
    status, headers, body = raw(server, request_line + b"\r\nhost: x\r\nx-api-key: k\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 400")
    assert headers["content-type"] == "application/json"
    envelope = json.loads(body)
    assert envelope["type"] == "error" and envelope["error"]["type"] == "invalid_request_error"
    assert envelope["request_id"] == headers["request-id"] and headers["request-id"].startswith("req_")
