"""Catalog builds never stall the server: requests are answered during a 1,000,000-model build, and a
signal stops the server at once, build or not."""

from __future__ import annotations

import os
import re
import signal
import socket
import threading
import time
from urllib.parse import urlsplit

import httpx
from commands import serving

HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
BUILD = b'{"synthetic": 1000000, "seed": 5}'


def put_catalog(url: str) -> socket.socket:
    """Send ``PUT /_mock/catalog`` for a 1M synthetic catalog on a raw socket; its answer is read later."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port))
    head = f"PUT /_mock/catalog HTTP/1.1\r\nhost: {parts.netloc}\r\ncontent-type: application/json\r\n"
    sock.sendall(head.encode() + b"content-length: %d\r\n\r\n" % len(BUILD) + BUILD)
    return sock


def test_requests_are_answered_during_a_million_model_build_then_the_catalog_swaps() -> None:
    with serving() as (proc, url, _lines), httpx.Client(base_url=url, headers=HEADERS) as client:
        before = client.get("/v1/models").json()["data"]
        answer: list[httpx.Response] = []
        builder = threading.Thread(
            target=lambda: answer.append(httpx.put(f"{url}/_mock/catalog", content=BUILD, timeout=300))
        )
        builder.start()
        pages = []
        while builder.is_alive():  # answered while the PUT waits for its build (or, at the very end, just after)
            response = client.get("/v1/models")
            assert response.status_code == 200
            pages.append(response.json()["data"])
        builder.join()
        after = client.get("/v1/models").json()["data"]
        assert proc.stderr is not None
        stderr = os.read(proc.stderr.fileno(), 65536).decode()  # printed before the PUT was answered
    assert pages.count(before) >= 1  # the old catalog answered during the build
    summary = r"mockserver: PUT /_mock/catalog: built 1,000,000 models in \d+\.\d s \([\d,]+/s\)"
    assert re.fullmatch(summary, stderr.strip()), stderr
    assert all(page in (before, after) for page in pages)  # one catalog or the other, swapped in one step
    assert answer[0].status_code == 200 and answer[0].json()["models"] == 1_000_000
    assert after != before and all(model["id"].startswith("claude-") for model in after)


def test_requests_are_answered_while_a_large_catalog_file_loads() -> None:
    from anthropic_models_mock import Catalog

    body = Catalog.synthetic(100_000, 7).to_json()  # 200 MB, as ``mockserver catalog`` writes a catalog
    with serving() as (_proc, url, _lines), httpx.Client(base_url=url, headers=HEADERS) as client:
        parts = urlsplit(url)
        head = f"PUT /_mock/catalog HTTP/1.1\r\nhost: {parts.netloc}\r\nconnection: close\r\n"
        request = head.encode() + b"content-length: %d\r\n\r\n" % len(body) + body  # made before the clock
        answer = bytearray()

        def put() -> None:  # a raw socket: sending and receiving let this process's other thread run
            with socket.create_connection((parts.hostname, parts.port)) as sock:
                sock.sendall(request)
                while data := sock.recv(65536):
                    answer.extend(data)

        loader = threading.Thread(target=put)
        started = last = time.monotonic()
        loader.start()
        gaps = []
        while loader.is_alive():
            assert client.get("/v1/models", params={"limit": 1}).status_code == 200
            now = time.monotonic()
            gaps, last = [*gaps, now - last], now
        loader.join()
        took = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 200 ") and b'"models": 100000,' in answer, bytes(answer[:300])
    # No stretch of the upload or the load holds the server's interpreter: the longest wait for an answer
    # is a small part of the whole (decoding the file in one call held it for about a fifth of the load;
    # zeroing the body's 200 MB buffer in one call, ``bytearray(size)``, for about a tenth, 0.1-0.3 s).
    assert len(gaps) >= 20 and max(gaps) < took / 10, (max(gaps), took, len(gaps))


def test_a_signal_during_a_build_stops_the_server_within_a_second() -> None:
    for signum in (signal.SIGTERM, signal.SIGINT):
        with serving() as (proc, url, _lines):
            sock = put_catalog(url)
            for _ in range(3):  # the loop has read the PUT and handed its build to a worker by now
                assert httpx.get(f"{url}/v1/models", headers=HEADERS).status_code == 200
            proc.send_signal(signum)
            signalled = time.monotonic()
            proc.wait(timeout=30)
            stopped = time.monotonic() - signalled
            sock.settimeout(10)
            try:
                answer = sock.recv(65536)
            except ConnectionResetError:
                answer = b""
            sock.close()
            assert answer == b"", answer  # the PUT's connection closes: no plain-text 500 from uvicorn
            assert proc.stdout is not None and proc.stderr is not None
            out, err = proc.stdout.read(), proc.stderr.read()
        assert proc.returncode == 0, err
        assert stopped < 1.0, f"{signum!r}: stopped {stopped:.2f} s after the signal"
        assert out.strip().splitlines()[-1] == "mockserver: stopped"  # one line, and nothing else:
        assert err == "", err  # the build's cancelled request is the plan, not an error with a traceback
