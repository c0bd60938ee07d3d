"""Hostile traffic: each kind of attack an adversarial run found, over raw sockets and with Hypothesis.

Each class has a raw-socket test against a real server (what an attacker sends) and a Hypothesis
test of the property that must hold for every such input.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket
import tracemalloc
from collections.abc import Iterator

import httpx
import pytest
from anthropic_models_mock import Catalog, create_app
from anthropic_models_mock.http.server import BackgroundServer
from anthropic_models_mock.model.limits import MAX_URL_BYTES
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
        with contextlib.suppress(OSError):  # the server may have answered and closed already
            sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def responses(answer: bytes) -> list[tuple[int, bytes, bytes]]:
    """Split what a connection received into (status, head, body), by each response's content-length."""
    found = []
    while answer:
        head, _, rest = answer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        length = next(int(line.split(b":")[1]) for line in lines if line.lower().startswith(b"content-length:"))
        found.append((int(lines[0].split()[1]), head.lower(), rest[:length]))
        answer = rest[length:]
    return found


def statuses(answer: bytes) -> list[int]:
    return [status for status, _, _ in responses(answer)]


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
    """The parsed-query cache keeps only short queries: 800 distinct long ones keep nothing.

    The app is called as ASGI, with no HTTP client (a client's own caches would be measured too)."""
    long_ids = [f"claude-{n:04d}-" + "x" * 240 for n in range(200)]
    models = [{"id": i, "display_name": "L", "created_at": "2026-01-01T00:00:00Z"} for i in long_ids]
    app = create_app(Catalog(models), journal_size=1)  # the journal's own (bounded) memory aside
    headers = [(name.lower().encode(), value.encode()) for name, value in HEADERS.items()]
    statuses: list[int] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])  # type: ignore[arg-type]

    async def burst(first: int) -> None:
        for n in range(first, first + 800):
            after = "".join(f"%{byte:02X}" for byte in long_ids[n % 200].encode())  # 3 bytes a character
            query = f"after_id={after}&limit={1 + n // 200}&lifecycle=active,deprecated&beta=false".encode()
            assert len(query) > 700
            scope = {"type": "http", "method": "GET", "path": "/v1/models", "raw_path": b"/v1/models",
                     "query_string": query, "headers": headers, "root_path": ""}  # fmt: skip
            await app(scope, receive, send)

    async def measured() -> int:
        await burst(0)  # warm up everything but the cache
        gc.collect()
        tracemalloc.start()
        try:
            start, _ = tracemalloc.get_traced_memory()
            await burst(800)
            gc.collect()
            end, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return end - start

    kept = asyncio.run(measured())
    assert statuses == [200] * 1600
    assert kept < 100_000, f"{kept:,} bytes kept after 800 distinct long queries"


# -- pipelining: every request read is answered, in order, before the one that could not be read ---------
def get(path: str = "/v1/models?limit=1") -> bytes:
    return f"GET {path} HTTP/1.1\r\nhost: x\r\n".encode() + RAW_HEADERS + b"\r\n"


GARBAGE = [
    b"FOO\x01 / HTTP/1.1\r\n\r\n",  # not a method
    b"GET /v1/models HTTP/1.1\nhost: x\n\n",  # bare LF
    b"GET /v1/\xc3\xa9 HTTP/1.1\r\nhost: x\r\n\r\n",  # raw non-ASCII in the URL
    b"POST /_mock/reset HTTP/1.1\r\ncontent-length: 1\r\ntransfer-encoding: chunked\r\n\r\n",  # both framings
    b"GET /v1/models HTTP/9.9\r\n\r\n",
]


def test_pipelined_requests_before_a_bad_one_are_answered_in_order(server: BackgroundServer) -> None:
    answer = exchange(server, get() + get("/v1/models/nope") + GARBAGE[0])
    assert statuses(answer) == [200, 404, 400]
    assert answer.count(b"request-id: req_") == 3


def test_pipelined_answers_wait_for_a_slow_one() -> None:
    app = create_app(CATALOG)
    app.mock.faults.set_latency(0.2)
    with BackgroundServer(app) as slow:
        assert statuses(exchange(slow, get() + get() + GARBAGE[1])) == [200, 200, 400]


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    paths=st.lists(st.sampled_from(["/v1/models?limit=2", "/v1/models/nope", "/nowhere", "/_mock/health"]), max_size=5),
    garbage=st.sampled_from(GARBAGE),
    split=st.integers(0, 200),
)
def test_any_pipeline_is_answered_in_order(
    server: BackgroundServer, paths: list[str], garbage: bytes, split: int
) -> None:
    expected = [
        {"/v1/models?limit=2": 200, "/v1/models/nope": 404, "/nowhere": 404, "/_mock/health": 200}[p] for p in paths
    ]
    data = b"".join(get(path) for path in paths) + garbage
    with socket.create_connection(address(server), timeout=10) as sock:
        sock.sendall(data[:split])  # in two pieces, cut anywhere
        sock.sendall(data[split:])
        with contextlib.suppress(OSError):  # the server may have answered and closed already
            sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert statuses(answer) == [*expected, 400]


# -- upgrades: no WebSocket here; the request is answered as the HTTP request it also is -----------------
UPGRADE = b"connection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n"


@pytest.mark.parametrize(
    ("path", "status"), [("/v1/models", 200), ("/v1/models/nope", 404), ("/nowhere", 404), ("/_mock/health", 200)]
)
def test_a_websocket_upgrade_is_answered_as_plain_http(server: BackgroundServer, path: str, status: int) -> None:
    answer = exchange(server, f"GET {path} HTTP/1.1\r\nhost: x\r\n".encode() + UPGRADE + RAW_HEADERS + b"\r\n")
    assert statuses(answer) == [status]
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"request-id: req_" in head and b"content-type: application/json" in head
    assert body.startswith(b"{")


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    protocol=st.sampled_from([b"websocket", b"h2c", b"WebSocket", b"TLS/1.0", b"x"]),
    connection=st.sampled_from([b"Upgrade", b"upgrade", b"keep-alive, Upgrade", b"Upgrade, HTTP2-Settings"]),
    method=st.sampled_from([b"GET", b"POST", b"DELETE", b"OPTIONS"]),
    path=st.sampled_from([b"/v1/models", b"/v1/models/x", b"/", b"/_mock/reset"]),
)
def test_any_upgrade_gets_an_envelope_never_plain_text(
    server: BackgroundServer, protocol: bytes, connection: bytes, method: bytes, path: bytes
) -> None:
    request = method + b" " + path + b" HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\nconnection: " + connection
    answer = exchange(server, request + b"\r\nupgrade: " + protocol + b"\r\n" + RAW_HEADERS + b"\r\n")
    [status] = statuses(answer)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"request-id: req_" in head and b"content-type: application/json" in head, answer
    assert status < 500 and body.startswith(b"{")


# -- slow and silent clients: a request timeout, and everyone else is still served -------------------------
@pytest.fixture
def impatient() -> Iterator[BackgroundServer]:
    with BackgroundServer(create_app(CATALOG), request_timeout=0.5) as running:
        yield running


def test_slow_and_silent_clients_get_a_408_while_others_are_served(impatient: BackgroundServer) -> None:
    slow = []
    for n in range(20):
        sock = socket.create_connection(address(impatient), timeout=10)
        if n % 2:
            sock.sendall(b"GET /v1/models HTTP/1.1\r\nhost: x\r\nx-slow: ")  # headers never finished
        slow.append(sock)  # the others send nothing at all
    try:
        with httpx.Client(base_url=impatient.url, headers=HEADERS, timeout=5) as client:
            assert client.get("/v1/models").status_code == 200  # served while 20 connections hang
        for sock in slow:
            answer = b""
            while chunk := sock.recv(65536):  # the server closes each one after its 408
                answer += chunk
            assert statuses(answer) == [408], answer
            assert b"request headers not received within 0.5 s" in answer
    finally:
        for sock in slow:
            sock.close()


def test_a_client_trickling_bytes_is_cut_off(impatient: BackgroundServer) -> None:
    with socket.create_connection(address(impatient), timeout=10) as sock:
        sock.sendall(b"GET /v1/models HTTP/1.1\r\n")
        answer = b""
        for _ in range(100):  # a byte every 20 ms would take 2 s: more than the 0.5 s allowed
            try:
                sock.sendall(b"x")
            except OSError:
                break
            sock.settimeout(0.02)
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            answer += chunk
            if not chunk or b"}" in chunk:
                break
    assert statuses(answer) == [408]


# -- parser errors say what was wrong ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("request_bytes", "status", "says"),
    [
        (b"GET /v1/models?q=" + b"x" * 70_000 + b" HTTP/1.1\r\n\r\n", 414, b"request target too long"),
        (b"BREW /v1/models HTTP/1.1\r\n\r\n", 400, b"invalid method"),
        (b"GET /v1/models HTTP/1.1\nhost: x\n\n", 400, b"expected CRLF"),
        (GARBAGE[3], 400, b"Transfer-Encoding can't be present with Content-Length"),
        (GARBAGE[2], 400, b"percent-encode"),
        (b"GET /v1/models HTTP/1.1\r\nho st: x\r\n\r\n", 400, b"invalid header token"),
    ],
)
def test_parser_errors_say_what_was_wrong(
    server: BackgroundServer, request_bytes: bytes, status: int, says: bytes
) -> None:
    answer = exchange(server, request_bytes)
    assert statuses(answer) == [status]
    assert says.lower() in answer.lower()
    if says != b"percent-encode":
        assert b"percent-encode" not in answer


def test_a_body_that_never_arrives_is_cut_off(impatient: BackgroundServer) -> None:
    with socket.create_connection(address(impatient), timeout=10) as sock:
        sock.sendall(b"POST /_mock/faults HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 100\r\n\r\n{")  # 99 bytes owed
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert statuses(answer) == [408]
    assert b"request body not received within 0.5 s" in answer
    assert impatient.app.mock.faults.to_json()["scripted"] == []  # type: ignore[attr-defined]


def test_a_body_that_cannot_be_read_is_a_400_at_once(server: BackgroundServer) -> None:
    request = b"POST /_mock/faults HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nZZ\r\n"
    with socket.create_connection(address(server), timeout=5) as sock:  # no half-close: the answer must come anyway
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert statuses(answer) == [400]
    assert b"chunk" in answer


@pytest.mark.parametrize(
    ("request_bytes", "says"),
    [
        (b"CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\n", b"must be a path"),
        (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", b"HTTP/2 is not served"),
        (b"GET /v1/mo\x7fdels HTTP/1.1\r\n\r\n", b"control characters"),
    ],
)
def test_more_parser_errors_say_what_was_wrong(server: BackgroundServer, request_bytes: bytes, says: bytes) -> None:
    answer = exchange(server, request_bytes)
    assert statuses(answer) == [400] and says in answer


# -- credentials over the wire: never journaled, one key rule for both headers ------------------------
SECRET = b"s3cret-key-for-the-wire"


@pytest.fixture(scope="module")
def keyed() -> Iterator[BackgroundServer]:
    with BackgroundServer(create_app(CATALOG, api_keys=[SECRET.decode()])) as running:
        yield running


def send_credentials(keyed: BackgroundServer, *headers: bytes) -> int:
    request = b"GET /v1/models?limit=1 HTTP/1.1\r\nhost: x\r\nanthropic-version: 2023-06-01\r\nconnection: close\r\n"
    [status] = statuses(exchange(keyed, request + b"".join(h + b"\r\n" for h in headers) + b"\r\n"))
    return status


@pytest.mark.parametrize(
    "headers",
    [
        (b"authorization: " + SECRET,),
        (b"authorization: Bearer\t" + SECRET,),
        (b"authorization: Token=" + SECRET,),
        (b"authorization: Bearer," + SECRET,),
        (b"authorization: Bearer " + SECRET, b"authorization: " + SECRET),
        (b"x-api-key: " + SECRET + b"\xc2\xa0",),
        (b"proxy-authorization: " + SECRET, b"x-api-key: wrong"),
    ],
)
def test_no_credential_reaches_the_journal_over_the_wire(keyed: BackgroundServer, headers: tuple[bytes, ...]) -> None:
    keyed.app.mock.journal.clear()  # type: ignore[attr-defined]
    send_credentials(keyed, *headers)
    journal = httpx.get(f"{keyed.url}/_mock/journal").text
    assert '"total": 1' in journal or '"total":1' in journal
    assert SECRET.decode() not in journal


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    around=st.lists(st.sampled_from([b"\xc2\xa0", b"\x85", b"\x0b", b"\x0c", b"\xe2\x80\x83"]), min_size=1, max_size=2),
    side=st.sampled_from(["before", "after"]),
    header=st.sampled_from([b"x-api-key: ", b"authorization: Bearer "]),
)
def test_only_spaces_and_tabs_around_a_key_are_not_part_of_it(
    keyed: BackgroundServer, around: list[bytes], side: str, header: bytes
) -> None:
    junk = b"".join(around)
    value = junk + SECRET if side == "before" else SECRET + junk
    assert send_credentials(keyed, header + value) in (400, 401)  # another key (or, for a control byte, not HTTP)
    assert send_credentials(keyed, header + b" \t" + SECRET + b"\t ") == 200
