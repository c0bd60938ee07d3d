"""The admin API and the dashboard answer only requests that name this server: DNS rebinding and other sites' pages
are refused before any effect; the Models API answers any Host."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from anthropic_models_mock import Catalog, create_app
from anthropic_models_mock.http.hosts import Hosts, host_name
from anthropic_models_mock.http.server import BackgroundServer
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

API = {"x-api-key": "k", "anthropic-version": "2023-06-01"}


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(create_app(Catalog.synthetic(5, 1), allow_hosts=["mock.internal"])) as running:
        yield running


def exchange(
    server: BackgroundServer, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, dict[str, Any]]:
    """One request on a raw socket, so that ``Host`` is exactly what the test says (or absent)."""
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    request = f"{method} {path} HTTP/1.1\r\n{head}content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head_bytes, _, payload = answer.partition(b"\r\n\r\n")
    return int(head_bytes[9:12]), json.loads(payload) if payload.startswith(b"{") else {}


def port_of(server: BackgroundServer) -> str:
    return server.url.rsplit(":", 1)[1]


def test_a_rebinding_page_can_neither_change_nor_read_the_fake(server: BackgroundServer) -> None:
    port = port_of(server)
    page = {"host": f"evil.example:{port}", "origin": f"http://evil.example:{port}", "content-type": "application/json"}
    before = server.app.mock.catalog  # type: ignore[attr-defined]
    attempts = [
        ("POST", "/_mock/faults", b'{"sequence": [500]}'),
        ("PUT", "/_mock/catalog", b'{"synthetic": 3}'),
        ("POST", "/_mock/reset", b""),
        ("GET", "/_mock/journal", b""),
        ("GET", "/_mock/ui", b""),
        ("GET", "/_mock/nowhere", b""),
    ]
    for method, path, body in attempts:
        status, envelope = exchange(server, method, path, page, body)
        assert status == 403, (method, path)
        assert envelope["error"]["type"] == "permission_error"
        assert "'evil.example:" in envelope["error"]["message"]
        assert "--allow-host" in envelope["error"]["message"]
    assert server.app.mock.faults.to_json()["scripted"] == []  # type: ignore[attr-defined]
    assert server.app.mock.catalog is before  # type: ignore[attr-defined]


def test_without_origin_too_a_foreign_host_is_refused(server: BackgroundServer) -> None:
    status, envelope = exchange(server, "POST", "/_mock/faults", {"host": "evil.example"}, b'{"sequence": [500]}')
    assert (status, envelope["error"]["type"]) == (403, "permission_error")
    assert server.app.mock.faults.to_json()["scripted"] == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("site", ["cross-site", "same-site", "Cross-Site"])
def test_another_sites_request_is_refused_by_sec_fetch_site(server: BackgroundServer, site: str) -> None:
    headers = {"host": f"127.0.0.1:{port_of(server)}", "sec-fetch-site": site, "content-type": "application/json"}
    status, envelope = exchange(server, "POST", "/_mock/faults", headers, b'{"sequence": [500]}')
    assert (status, envelope["error"]["type"]) == (403, "permission_error")
    assert "Sec-Fetch-Site" in envelope["error"]["message"]
    assert server.app.mock.faults.to_json()["scripted"] == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("site", ["same-origin", "none"])
def test_the_dashboard_and_a_typed_url_are_answered(server: BackgroundServer, site: str) -> None:
    status, _ = exchange(
        server, "GET", "/_mock/journal", {"host": f"127.0.0.1:{port_of(server)}", "sec-fetch-site": site}
    )
    assert status == 200


@pytest.mark.parametrize(
    "host",
    ["localhost", "LOCALHOST:{port}", "localhost.", "app.localhost:{port}", "127.0.0.1:{port}", "127.8.9.10",
     "[::1]:{port}", "[::ffff:127.0.0.1]", "mock.internal:{port}", "Mock.Internal"],
)  # fmt: skip
def test_the_names_of_this_server_are_answered(server: BackgroundServer, host: str) -> None:
    status, _ = exchange(server, "GET", "/_mock/journal", {"host": host.format(port=port_of(server))})
    assert status == 200


def test_a_request_without_host_is_answered(server: BackgroundServer) -> None:
    assert exchange(server, "GET", "/_mock/journal", {})[0] == 200


@pytest.mark.parametrize(
    "host",
    ["evil.example", "127.0.0.1.evil.example", "localhost.evil.example", "10.0.0.1", "[::2]", "testserver", "fake.test",
     "[::1]evil.example", "[::ffff:7f00:1].evil", "localhost/x"],
)  # fmt: skip
def test_the_api_answers_any_host_and_admin_none_of_these(server: BackgroundServer, host: str) -> None:
    assert exchange(server, "GET", "/v1/models?limit=1", {"host": host, **API})[0] == 200
    assert exchange(server, "GET", "/_mock/health", {"host": host})[0] == 200  # the readiness probe, as in a container
    assert exchange(server, "GET", "/_mock/journal", {"host": host})[0] == 403


@given(
    name=st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,20}){0,3}", fullmatch=True),
    port=st.none() | st.integers(0, 65535),
)
def test_a_name_is_allowed_with_any_port_and_no_other_name_is(name: str, port: int | None) -> None:
    hosts = Hosts(["allowed.example"])
    value = name if port is None else f"{name}:{port}"
    assert host_name(value) == name
    own = name == "localhost" or name.endswith(".localhost")
    assert hosts.allows(value.encode()) is (name == "allowed.example" or own)


def test_the_command_line_allows_its_host_and_allow_host_names() -> None:
    command = [sys.executable, "-m", "anthropic_models_mock", "serve", "--port", "0", "--synthetic", "3"]
    command += ["--host", "127.0.0.1", "--allow-host", "one.internal", "--allow-host", "two.internal:9999"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            url = next(line for line in process.stdout if line.startswith("url: ")).split()[-1]
            running = BackgroundServer.__new__(BackgroundServer)
            running.url = url
            for host, status in [("one.internal", 200), ("two.internal:80", 200), ("three.internal", 403)]:
                assert exchange(running, "GET", "/_mock/journal", {"host": host})[0] == status, host
        finally:
            process.terminate()


@pytest.mark.parametrize("host", ["testserver", "anything.example", "evil.example:4010"])
def test_a_request_made_in_process_is_answered_whatever_its_host(host: str) -> None:
    """No network carried it, so no web page can have sent it (TestClient, httpx's ASGITransport, the kit)."""
    with TestClient(create_app(Catalog.synthetic(2, 1)), base_url=f"http://{host}") as client:
        assert client.post("/_mock/faults", json={"sequence": [500]}).status_code == 201


def test_the_dashboard_opens_from_a_link_on_another_site(server: BackgroundServer) -> None:
    """A link followed (a GET navigation) opens it; the page that had the link cannot read it, nor change anything."""
    host = f"127.0.0.1:{port_of(server)}"
    navigation = {"host": host, "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate"}
    assert exchange(server, "GET", "/_mock/ui", navigation)[0] == 200
    assert exchange(server, "POST", "/_mock/reset", navigation)[0] == 403
    assert exchange(server, "GET", "/_mock/ui", {**navigation, "sec-fetch-mode": "cors"})[0] == 403


@pytest.mark.parametrize("names", ["mock.internal", b"mock.internal"])
def test_allow_hosts_takes_a_list_not_one_string(names: object) -> None:
    with pytest.raises(TypeError, match=r"allow_hosts=\["):
        create_app(Catalog.synthetic(1, 1), allow_hosts=names)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["http://mock:80", "mock/", "*.example.com", "", "mock internal"])
def test_allow_hosts_refuses_what_is_not_a_host(name: str) -> None:
    with pytest.raises(ValueError, match="is not a host name"):
        create_app(Catalog.synthetic(1, 1), allow_hosts=[name])


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--allow-host", "http://mock:80"], "argument --allow-host: expected a host name"),
        (["--no-admin", "--allow-host", "mock"], "--allow-host names hosts the admin API answers, and it is off"),
    ],
)
def test_the_command_line_refuses_an_allow_host_that_cannot_work(args: list[str], says: str) -> None:
    command = [sys.executable, "-m", "anthropic_models_mock", "serve", "--port", "0", "--synthetic", "2", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1 and says in done.stderr
