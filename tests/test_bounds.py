"""Every input has a bound, a clear answer past it, and a setting that raises it: request heads (431), request
bodies (413), synthetic catalogs built by the admin API (400), and one catalog build at a time (409)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from anthropic_models_mock import Catalog, create_app
from anthropic_models_mock.http.admin import BUILD_THREAD
from anthropic_models_mock.http.server import BackgroundServer
from anthropic_models_mock.model.limits import (
    MAX_ADMIN_BODY_BYTES,
    MAX_BODY_BYTES,
    MAX_HEADER_BYTES,
    MAX_SYNTHETIC_ADMIN,
)

API = b"x-api-key: k\r\nanthropic-version: 2023-06-01\r\n"


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(create_app(Catalog.synthetic(5, 1))) as running:
        yield running


@pytest.fixture(scope="module")
def small() -> Iterator[BackgroundServer]:
    """A server with small bounds, set as a user would."""
    app = create_app(Catalog.synthetic(5, 1), max_synthetic=50)
    with BackgroundServer(app, max_header_bytes=2048, max_body_bytes=1000) as running:
        yield running


def connect(server: BackgroundServer) -> socket.socket:
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=20)


def read_all(sock: socket.socket) -> bytes:
    answer = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def answer_of(raw: bytes) -> tuple[int, dict[str, Any]]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head[9:12]), json.loads(body)


def head_of(size: int, path: str = "/v1/models?limit=1") -> bytes:
    """A request head of exactly ``size`` bytes (an ``x-pad`` header fills it)."""
    start = f"GET {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n".encode() + API + b"connection: close\r\nx-pad: "
    return start + b"p" * (size - len(start) - 4) + b"\r\n\r\n"


def test_a_head_at_the_limit_is_served_and_one_byte_more_is_a_431(small: BackgroundServer) -> None:
    with connect(small) as sock:
        sock.sendall(head_of(2048))
        assert answer_of(read_all(sock))[0] == 200
    with connect(small) as sock:
        sock.sendall(head_of(2049))
        status, envelope = answer_of(read_all(sock))
    assert status == 431
    assert envelope["error"]["type"] == "invalid_request_error"
    assert "more than 2,048 bytes" in envelope["error"]["message"]
    assert "--max-header-bytes" in envelope["error"]["message"]


def test_a_head_split_anywhere_across_reads_counts_the_same(small: BackgroundServer) -> None:
    """The end of a head may span two reads: a head under the limit is served however it arrives."""
    request = head_of(2000)
    for cut in (len(request) - 1, len(request) - 2, len(request) - 3, len(request) - 5):
        with connect(small) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.sendall(request[:cut])
            time.sleep(0.05)  # (a pause between the two writes, so the server reads them apart)
            sock.sendall(request[cut:])
            assert answer_of(read_all(sock))[0] == 200, cut


def test_a_huge_header_sent_in_pieces_is_cut_off_at_the_default_limit_and_the_server_stays_responsive(
    server: BackgroundServer,
) -> None:
    """Parsing a header sent in pieces costs the square of its size (the parser joins its pieces again and
    again), so it is refused at the bound, and every other request is answered meanwhile."""
    health: list[float] = []

    def probe() -> None:
        for _ in range(20):
            started = time.perf_counter()
            httpx.get(f"{server.url}/_mock/health", timeout=10)
            health.append(time.perf_counter() - started)

    with connect(server) as sock:
        sock.sendall(b"GET /v1/models HTTP/1.1\r\nhost: 127.0.0.1\r\n" + API + b"x-big: ")
        sent = 0
        prober = threading.Thread(target=probe)
        prober.start()
        with contextlib.suppress(OSError):  # the server refuses, then stops reading: the rest may not go out
            while sent < 8 << 20:
                sock.sendall(b"b" * 16384)
                sent += 16384
        status, envelope = answer_of(read_all(sock))
        prober.join()
    assert status == 431
    assert f"more than {MAX_HEADER_BYTES:,} bytes" in envelope["error"]["message"]
    assert len(health) == 20


def test_a_body_over_the_limit_is_a_413_by_its_content_length_before_it_is_sent(small: BackgroundServer) -> None:
    with connect(small) as sock:
        sock.sendall(b"PUT /_mock/catalog HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 1001\r\n\r\n")
        status, envelope = answer_of(read_all(sock))  # answered with no byte of the body sent
    assert status == 413
    assert envelope["error"]["type"] == "request_too_large"
    assert "1,001 bytes; at most 1,000" in envelope["error"]["message"]
    assert "--max-body-bytes" in envelope["error"]["message"]
    assert len(small.app.mock.catalog) == 5  # type: ignore[attr-defined]


def test_a_chunked_body_over_the_limit_is_a_413_as_it_arrives(small: BackgroundServer) -> None:
    with connect(small) as sock:
        sock.sendall(b"PUT /_mock/catalog HTTP/1.1\r\nhost: 127.0.0.1\r\ntransfer-encoding: chunked\r\n\r\n")
        with contextlib.suppress(OSError):
            for _ in range(3):
                sock.sendall(b"190\r\n" + b" " * 400 + b"\r\n")  # 1,200 bytes in all
        status, envelope = answer_of(read_all(sock))
    assert (status, envelope["error"]["type"]) == (413, "request_too_large")
    assert "more than 1,000 bytes" in envelope["error"]["message"]
    assert len(small.app.mock.catalog) == 5  # type: ignore[attr-defined]


def test_a_body_at_the_limit_is_read(small: BackgroundServer) -> None:
    body = json.dumps({"sequence": [500]}).encode().ljust(1000)
    response = httpx.post(f"{small.url}/_mock/faults", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 201
    httpx.delete(f"{small.url}/_mock/faults")


def test_the_default_body_limit_refuses_a_gibibyte_at_once(server: BackgroundServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"PUT /_mock/catalog HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: %d\r\n\r\n" % (1 << 30))
        status, envelope = answer_of(read_all(sock))
    assert status == 413
    assert f"at most {MAX_BODY_BYTES:,}" in envelope["error"]["message"]


def test_a_synthetic_catalog_over_the_servers_cap_is_a_400_naming_the_cap_and_the_setting(
    small: BackgroundServer,
) -> None:
    response = httpx.put(f"{small.url}/_mock/catalog", json={"synthetic": 51})
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert "51 models is more than this server builds (50;" in message
    assert "--max-synthetic" in message and "max_synthetic=" in message
    assert httpx.put(f"{small.url}/_mock/catalog", json={"synthetic": 50}).json()["models"] == 50


def test_the_default_synthetic_cap() -> None:
    app = create_app(Catalog.synthetic(1, 1))
    with BackgroundServer(app) as running:
        response = httpx.put(f"{running.url}/_mock/catalog", json={"synthetic": MAX_SYNTHETIC_ADMIN + 1})
    assert response.status_code == 400
    assert f"({MAX_SYNTHETIC_ADMIN:,};" in response.json()["error"]["message"]


def test_create_app_refuses_a_cap_past_the_maximum() -> None:
    with pytest.raises(ValueError, match="max_synthetic"):
        create_app(Catalog.synthetic(1, 1), max_synthetic=10**12)


def test_one_catalog_build_at_a_time(server: BackgroundServer) -> None:
    """A second PUT while one is reading its body gets a 409 at once; the first one then completes."""
    with connect(server) as first:
        body = json.dumps({"synthetic": 7}).encode()
        first.sendall(b"PUT /_mock/catalog HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: %d\r\n\r\n" % len(body))
        first.sendall(body[:3])  # the body is still on its way: the build has begun (it holds the slot)
        deadline = time.monotonic() + 10
        while True:
            second = httpx.put(f"{server.url}/_mock/catalog", json={"synthetic": 9})
            if second.status_code == 409 or time.monotonic() > deadline:
                break
        assert second.status_code == 409
        assert "another PUT /_mock/catalog" in second.json()["error"]["message"]
        first.sendall(body[3:])
        status = int(first.recv(65536)[9:12])
    assert status == 200
    assert len(server.app.mock.catalog) == 7  # type: ignore[attr-defined]
    assert httpx.put(f"{server.url}/_mock/catalog", json={"synthetic": 5}).status_code == 200


def statuses_of(raw: bytes) -> list[int]:
    """The statuses of the answers on a connection, in order (a body never holds this pattern: it is JSON)."""
    return [int(found) for found in re.findall(rb"HTTP/1\.1 (\d{3}) ", raw)]


def test_a_big_head_after_another_request_in_the_same_read_is_a_431_too(server: BackgroundServer) -> None:
    first = b"GET /_mock/health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n"
    second = b"GET /v1/models?limit=1 HTTP/1.1\r\nhost: 127.0.0.1\r\n" + API + b"x-pad: " + b"p" * 150_000 + b"\r\n\r\n"
    with connect(server) as sock:
        sock.sendall(first + second)
        assert statuses_of(read_all(sock)) == [200, 431]
    journal = httpx.get(f"{server.url}/_mock/journal").json()["requests"]
    assert all("x-pad" not in entry["headers"] for entry in journal)


@pytest.mark.parametrize("cut", [b"GET /v1/models HTTP/1.1\r", b"GET /v1/mo", b"GET /v1/models HTTP/1.1\r\n"])
def test_a_big_head_is_a_431_wherever_its_reads_split_it(server: BackgroundServer, cut: bytes) -> None:
    request = b"GET /v1/models HTTP/1.1\r\nx-pad: " + b"p" * 70_000 + b"\r\nhost: 127.0.0.1\r\n\r\n"
    with connect(server) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(cut)
        time.sleep(0.05)
        with contextlib.suppress(OSError):
            sock.sendall(request[len(cut) :])
        assert statuses_of(read_all(sock)) == [431]


def test_a_long_target_is_a_414_even_on_a_busy_connection(server: BackgroundServer) -> None:
    first = b"GET /_mock/health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n"
    second = b"GET /v1/models?q=" + b"x" * 70_000 + b" HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n"
    with connect(server) as sock:
        sock.sendall(first)
        time.sleep(0.05)
        sock.sendall(second)
        raw = read_all(sock)
    assert statuses_of(raw) == [200, 414]
    assert b"request target too long" in raw


def test_a_content_length_with_many_leading_zeros_is_its_number(server: BackgroundServer) -> None:
    body = b'{"sequence": [500]}'
    head = b"POST /_mock/faults HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\ncontent-type: application/json\r\n"
    with connect(server) as sock:
        sock.sendall(head + b"content-length: " + b"0" * 5000 + b"%d\r\n\r\n" % len(body) + body)
        assert statuses_of(read_all(sock)) == [201]
    httpx.delete(f"{server.url}/_mock/faults")


def test_a_body_past_the_limit_after_the_answer_gets_no_second_answer(small: BackgroundServer) -> None:
    with connect(small) as sock:
        sock.sendall(b"GET /v1/models?limit=1 HTTP/1.1\r\nhost: 127.0.0.1\r\n" + API + b"content-length: 5000\r\n\r\n")
        time.sleep(0.2)  # answered by now (a GET's body is not waited for)
        with contextlib.suppress(OSError):
            sock.sendall(b"b" * 5000)
        assert statuses_of(read_all(sock)) == [200]


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/_mock/faults"), ("POST", "/_mock/models"), ("PUT", "/_mock/faults/rate")]
)
def test_an_admin_body_other_than_a_catalog_is_small(server: BackgroundServer, method: str, path: str) -> None:
    big = b'{"x": "' + b"y" * MAX_ADMIN_BODY_BYTES + b'"}'
    headers = {"content-type": "application/json"}
    response = httpx.request(method, f"{server.url}{path}", content=big, headers=headers)
    assert response.status_code == 413
    assert response.json()["error"]["type"] == "request_too_large"
    assert "only PUT /_mock/catalog takes more" in response.json()["error"]["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield big[:40_000]
        yield big[40_000:]

    response = httpx.request(method, f"{server.url}{path}", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert httpx.get(f"{server.url}/_mock/health").status_code == 200


def test_a_cancelled_catalog_build_still_holds_the_slot_until_it_ends() -> None:
    """A request cancelled while its build runs (a client's timeout in process) leaves the build running: no
    other build may start beside it, and the next one may once it has ended."""
    app = create_app(Catalog.synthetic(1, 1))

    def builds() -> int:
        return sum(thread.name == BUILD_THREAD for thread in threading.enumerate())

    async def scenario() -> list[int]:
        seen = []
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as client:
            with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
                await asyncio.wait_for(client.put("/_mock/catalog", json={"synthetic": 400_000}), 0.2)
            assert builds() == 1  # the abandoned build runs on
            seen.append((await client.put("/_mock/catalog", json={"synthetic": 3})).status_code)
            while builds():
                await asyncio.sleep(0.05)
            seen.append((await client.put("/_mock/catalog", json={"synthetic": 3})).status_code)
        return seen

    assert asyncio.run(scenario()) == [409, 200]
    assert len(app.mock.catalog) == 3
