"""``mockserver catalog record``: a recording of a served catalog serves the same bytes; failures are one line."""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import http.client
import http.server
import io
import json
import os
import socket
import stat
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from anthropic_models_mock import Catalog
from anthropic_models_mock.catalog import default_catalog_path
from anthropic_models_mock.cli.main import main
from anthropic_models_mock.cli.progress import Progress
from anthropic_models_mock.cli.recording import (
    MAX_WAIT,
    RecordError,
    _imported_model_names,
    _wait,
    candidate_names,
    known_model_names,
    record,
)
from commands import run, run_here, serving

KEY = "sk-ant-test-SECRET-0123456789abcdef"
LIFECYCLE_FILTERS: list[list[str]] = [[], ["active"], ["deprecated"], ["retired"], ["active", "deprecated", "retired"]]


def env(key: str | None = KEY, name: str = "ANTHROPIC_API_KEY") -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("ANTHROPIC_API_KEY", "ANTHROPIC_WORKSPACE_ID")}
    if key is not None:
        environment[name] = key
    return environment


def recorded(
    url: str, tmp_path: Path, *args: str, key: str | None = KEY, via: Callable[..., Any] = run_here
) -> tuple[Path, str]:
    """``catalog record URL ARGS -o FILE``: the file and the stderr; the run must succeed and never show the key.

    In this process (``run_here``) unless ``via=run``: a subprocess, for the recordings that are replayed."""
    out = tmp_path / "recorded.json"
    done = via("catalog", "record", url, "-o", str(out), *args, env=env(key))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert KEY not in done.stderr and KEY not in out.read_text()
    return out, done.stderr


def bodies(url: str, catalog: Catalog, *, limit: int, every: int = 1) -> dict[str, bytes]:
    """Every list page (each lifecycle filter, with beta=true and without) and every retrieve (ids and aliases, both ways;
    with ``every=N``, the retrieve of every Nth id only: the list pages hold every model's bytes already).

    Over one kept-alive ``http.client`` connection: the bodies are what is compared, and thousands of
    retrieves take a third of the time they take through httpx.
    """
    found: dict[str, bytes] = {}
    headers = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
    host, port = url.removeprefix("http://").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=30)

    def get(path: str, params: dict[str, Any]) -> tuple[str, bytes]:
        query = urllib.parse.urlencode(params, doseq=True)
        connection.request("GET", f"{path}?{query}" if query else path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        assert response.status == 200, body
        return query, body

    try:
        for beta in ("", "true"):
            for lifecycles in LIFECYCLE_FILTERS:
                after = None
                while True:
                    params: dict[str, Any] = {"limit": limit, "lifecycle[]": lifecycles}
                    if beta:
                        params["beta"] = beta
                    if after:
                        params["after_id"] = after
                    query, body = get("/v1/models", params)
                    found[query] = body
                    page = json.loads(body)
                    if not page["has_more"]:
                        break
                    after = page["last_id"]
            ids = [model["id"] for model in catalog]
            for name in [*ids[::every], *catalog.aliases]:
                found[f"{name}?{beta}"] = get(f"/v1/models/{name}", {"beta": beta} if beta else {})[1]
    finally:
        connection.close()
    return found


@pytest.fixture(scope="module")
def shipped() -> Iterator[str]:
    """The URL of ``mockserver serve`` with the embedded catalog, shared by this module's tests that only read it."""
    with serving() as (_, url, _lines):
        yield url


def assert_same_bodies(original: str, recording: Path, catalog: Catalog, *, limit: int, every: int = 1) -> None:
    with serving("--catalog", str(recording)) as (_, replay, _lines):
        before = bodies(original, catalog, limit=limit, every=every)
        after = bodies(replay, catalog, limit=limit, every=every)
    assert before.keys() == after.keys()
    differing = [request for request in before if before[request] != after[request]]
    assert not differing, f"{len(differing)} bodies differ, first: {differing[0]}"


def test_a_recording_of_the_embedded_catalog_serves_the_same_bytes(tmp_path: Path, shipped: str) -> None:
    catalog = Catalog.default()
    out, stderr = recorded(shipped, tmp_path, "--base", str(default_catalog_path()), via=run)
    assert_same_bodies(shipped, out, catalog, limit=7)
    assert stderr.splitlines() == [stderr.splitlines()[-1]]  # not a terminal: one summary line
    assert f"recorded 29 models and {len(catalog.aliases)} aliases from {shipped}" in stderr
    document = json.loads(out.read_text())
    assert set(document["aliases"]) == set(catalog.aliases)
    assert document["source"].startswith(f"GET {shipped}/v1/models") and "recorded 20" in document["source"]
    assert document["as_of"] == dt.datetime.now(dt.timezone.utc).date().isoformat()
    shipped = json.loads(default_catalog_path().read_text())
    kept = {model["id"]: model["sources"] for model in document["models"]}
    assert kept == {model["id"]: model["sources"] for model in shipped["models"]}  # --base keeps the citations
    assert set(document["sources"]) <= set(shipped["sources"])


def test_a_recording_is_what_the_key_sees_in_its_workspace_and_says_so(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    view = {"models": ["claude-opus-*", "claude-haiku-4-5-*"], "workspaces": ["wrkspc_a", "wrkspc_b"]}
    keys.write_text(json.dumps({"keys": {KEY: view}}))
    with serving("--keys", str(keys)) as (_, url, _lines):
        refused = run_here("catalog", "record", url, env=env())  # a key of two workspaces must name one
        assert refused.returncode == 2 and "anthropic-workspace-id is required" in refused.stderr
        out, _stderr = recorded(url, tmp_path, "--workspace", "wrkspc_b")
    document = json.loads(out.read_text())
    ids = [model["id"] for model in document["models"]]
    every = [model["id"] for model in Catalog.default()]
    assert ids == [i for i in every if i.startswith(("claude-opus-", "claude-haiku-4-5-"))]
    assert document["aliases"] == {
        alias: target for alias, target in Catalog.default().aliases.items() if target in ids
    }, "an alias whose target the key cannot see is not recorded"
    fingerprint = "key:" + hashlib.blake2b(KEY.encode(), digest_size=4).hexdigest()
    assert f"as the key in $ANTHROPIC_API_KEY ({fingerprint}) in workspace wrkspc_b sees it" in document["source"]
    bad = run_here("catalog", "record", "http://127.0.0.1:9", "--workspace", "wrkspc-b", env=env())
    assert bad.returncode == 2 and "--workspace: 'wrkspc-b' is not a workspace id" in bad.stderr


def test_a_recording_of_3000_synthetic_models_serves_the_same_bytes(tmp_path: Path) -> None:
    catalog = Catalog.synthetic(3000, seed=3)
    # Enough for the walks of the active and of the retired models to take two pages of 1,000 each (the
    # recorder's page), and the whole list three; each thousand more models is seconds more of requests.
    lifecycles = collections.Counter(model["lifecycle"] for model in catalog)
    assert lifecycles["active"] > 1000 and lifecycles["retired"] > 1000 and len(catalog) > 2000
    original = tmp_path / "synthetic.json"
    original.write_text(json.dumps(catalog.to_document()))
    with serving("--synthetic", "3000", "--seed", "3") as (_, url, _lines):
        aliases = [arg for alias in list(catalog.aliases)[:3] for arg in ("--alias", alias)]
        out, _stderr = recorded(url, tmp_path, "--base", str(original), *aliases, via=run)
        assert_same_bodies(url, out, catalog, limit=1000, every=10)  # (3,000 retrieves twice over: seconds)
    assert Catalog.from_file(out).aliases == catalog.aliases


def test_a_recording_under_injected_faults_retries_and_serves_the_same_bytes(tmp_path: Path) -> None:
    catalog = Catalog.default()
    faults = ["--fault", "429", "--fault", "529", "--fault", "500", "--retry-after", "0"]
    rate = ["--fail-rate", "0.3", "--fail-status", "503", "--fault-seed", "7"]
    with serving(*faults, *rate) as (_, url, _lines):
        out, stderr = recorded(url, tmp_path, "--base", str(default_catalog_path()), "--retries", "20", via=run)
        statuses = [entry["status"] for entry in httpx.get(f"{url}/_mock/journal").json()["requests"]]
        assert {429, 529, 500, 503} <= set(statuses)
        httpx.delete(f"{url}/_mock/faults").raise_for_status()
        assert_same_bodies(url, out, catalog, limit=5)
    retries = [line for line in stderr.splitlines() if "; retry " in line]
    assert len(retries) == sum(status != 200 for status in statuses) > 3
    assert "429 rate_limit_error" in retries[0]
    assert f"{len(retries)} retried" in stderr


def test_without_the_sdk_s_names_or_a_base_only_given_aliases_are_found(tmp_path: Path, shipped: str) -> None:
    document = record(shipped, KEY, candidates=["claude-opus-4-0", "claude-nothing-1", "claude-opus-4-6"])
    assert document["aliases"] == {"claude-opus-4-0": "claude-opus-4-20250514"}
    assert "sources" not in document and all("sources" not in model for model in document["models"])


def test_the_sdk_s_model_names_are_candidates() -> None:
    pytest.importorskip("anthropic")
    import typing

    from anthropic.types import Model

    # The names in the installed SDK's ``Model`` literal (each release lists others: 2.16 dropped
    # claude-sonnet-4-5), all among the candidates.
    [literal] = [arg for arg in typing.get_args(Model) if typing.get_origin(arg) is typing.Literal]
    listed = set(typing.get_args(literal))
    names = known_model_names()
    assert len(listed) >= 5 and listed <= set(names)
    assert all(name.startswith("claude-") for name in names)
    assert names == _imported_model_names(), "the names read from the SDK's source are those it imports"


# -- failures: one line, exit 2, never the key -----------------------------------------


def failed(*args: str, key: str | None = KEY, key_env: str = "ANTHROPIC_API_KEY") -> str:
    done = run_here("catalog", "record", *args, env=env(key, key_env))
    assert done.returncode == 2, done
    assert done.stdout == ""
    *notes, line = done.stderr.splitlines()
    assert line.startswith("mockserver: error: "), done.stderr
    assert all("; retry " in note or note.startswith("mockserver: warning: ") for note in notes), done.stderr
    assert KEY not in done.stderr
    return line


def test_a_refused_key_says_so_and_the_journal_never_holds_it() -> None:
    with serving("--api-key", "the-right-key") as (_, url, _lines):
        line = failed(url)
        journal = httpx.get(f"{url}/_mock/journal").text
    assert "the key in $ANTHROPIC_API_KEY was refused" in line and "401 authentication_error" in line
    assert KEY not in journal and "x-api-key" in journal


def test_the_key_comes_only_from_the_environment() -> None:
    assert "$ANTHROPIC_API_KEY is not set" in failed("http://127.0.0.1:9", key=None)
    assert "$MY_KEY is not set" in failed("http://127.0.0.1:9", "--api-key-env", "MY_KEY")
    assert "$ANTHROPIC_API_KEY: a key must be" in failed("http://127.0.0.1:9", key=" padded ")
    for flag in (["--api-key", KEY], [f"--api-key={KEY}"], ["--api-key-env", KEY]):
        assert "environment" in failed("http://127.0.0.1:9", *flag)
    assert "unrecognized arguments: --api-k and 1 value (not shown)" in failed("http://127.0.0.1:9", "--api-k", KEY)
    assert "unrecognized arguments: 1 value (not shown) (see" in failed("http://127.0.0.1:9", KEY)
    assert "unrecognized arguments: --x and 2 values (not shown)" in failed("http://127.0.0.1:9", KEY, "--x=1", "y")


def test_another_variable_can_hold_the_key(tmp_path: Path) -> None:
    with serving("--api-key", KEY) as (_, url, _lines):
        out = tmp_path / "out.json"
        done = run(
            "catalog", "record", url, "--api-key-env", "GATEWAY_KEY", "-o", str(out), env=env(KEY, "GATEWAY_KEY")
        )
    assert done.returncode == 0, done.stderr
    assert len(Catalog.from_file(out)) == 29


@contextmanager
def answering(handle: Callable[[http.server.BaseHTTPRequestHandler], None]) -> Iterator[str]:
    """A local HTTP server whose every GET is answered by ``handle``; its base URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            handle(self)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # shutdown() waits for the loop to look at its flag: every 0.5 s by default, half a second of each test.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def reply(status: int, body: bytes, content_type: str = "application/json") -> Callable[[Any], None]:
    def handle(request: http.server.BaseHTTPRequestHandler) -> None:
        request.send_response(status)
        request.send_header("content-type", content_type)
        request.send_header("content-length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return handle


def test_a_server_that_answers_html_is_named() -> None:
    with answering(reply(200, b"<html><body>Welcome</body></html>", "text/html; charset=utf-8")) as url:
        line = failed(url)
    assert f"GET {url}/v1/models?limit=1000&lifecycle%5B%5D=active" in line
    assert "not JSON (text/html; charset=utf-8" in line and "base URL of a Models API" in line


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b'{"hello": "world"}', "data: not the Models API's answer: expected a list, got nothing"),
        (
            b'{"data": [], "has_more": "no"}',
            'has_more: not the Models API\'s answer: expected true or false, got str "no"',
        ),
        (
            b'{"data": [{"id": "m", "type": "model", "created_at": "2026-01-01T00:00:00Z"}], "has_more": false}',
            "data[0].display_name: not the Models API's answer: expected a string, got nothing",
        ),
        (
            b'{"data": [{"id": "a b", "type": "model"}], "has_more": false}',
            "data[0].id: not the Models API's answer: expected a model id",
        ),
        (
            b'{"data": [{"id": "m", "type": "model", "display_name": "M", "created_at": "yesterday"}], "has_more": false}',
            "created_at: not an RFC 3339 date-time: 'yesterday'",
        ),
        (
            b'{"data": [{"id": "m", "type": "model", "display_name": "M", "created_at": "2026-01-01T00:00:00Z"}], "has_more": true, "last_id": "m"}',
            "has_more is true but the page does not advance",
        ),
    ],
)
def test_an_answer_that_is_not_the_models_api_s_names_the_field(body: bytes, fragment: str) -> None:
    with answering(reply(200, body)) as url:
        line = failed(url, "--retries", "0")
    assert fragment in line


def test_a_server_that_drops_the_connection_is_named() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def drop() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            connection.recv(65536)
            connection.close()

    thread = threading.Thread(target=drop, daemon=True)
    thread.start()
    try:
        line = failed(f"http://127.0.0.1:{listener.getsockname()[1]}", "--retries", "1")
    finally:
        stop.set()
        listener.close()
    assert "closed the connection without a complete answer" in line


def test_a_path_that_is_not_a_models_api_is_named(shipped: str) -> None:
    line = failed(f"{shipped}/not/an/api")
    assert f"GET {shipped}/not/an/api/v1/models" in line and "404 not_found_error" in line
    assert "is " + shipped + "/not/an/api the base URL of a Models API?" in line


def test_a_server_that_echoes_the_key_has_it_redacted() -> None:
    def echo(request: http.server.BaseHTTPRequestHandler) -> None:
        body = json.dumps(
            {
                "type": "error",
                "error": {"type": "authentication_error", "message": f"bad key {request.headers['x-api-key']}"},
            }
        )
        reply(401, body.encode())(request)

    with answering(echo) as url:
        line = failed(url)
    assert "bad key [key redacted]" in line


def test_a_redirect_is_not_followed_with_the_key() -> None:
    def redirect(request: http.server.BaseHTTPRequestHandler) -> None:
        request.send_response(307)
        request.send_header("location", "http://elsewhere.invalid/v1/models")
        request.end_headers()

    with answering(redirect) as url:
        line = failed(url)
    assert "307 redirect to http://elsewhere.invalid/v1/models" in line


def test_user_info_in_the_url_is_never_shown(tmp_path: Path, shipped: str) -> None:
    secret_url = shipped.replace("http://", "http://user:hunter2@")
    out, stderr = recorded(secret_url, tmp_path)
    assert "hunter2" not in stderr and "hunter2" not in out.read_text()


def test_bad_arguments_are_refused_before_any_request(tmp_path: Path) -> None:
    assert "URL: expected the http:// or https:// base URL" in failed("ftp://example.com")
    assert "--alias: 'a b' is not a model name" in failed("http://127.0.0.1:9", "--alias", "a b")
    assert "no such folder" in failed("http://127.0.0.1:9", "-o", str(tmp_path / "missing" / "x.json"))
    broken = tmp_path / "broken.json"
    broken.write_text('{"models": [{"id": "x"}]}')
    assert f"{broken}: models[0] (id 'x'): display_name: required" in failed(
        "http://127.0.0.1:9", "--base", str(broken)
    )
    assert "--synthetic chooses the catalog" in failed_catalog("--synthetic", "3", "record", "http://127.0.0.1:9")


def failed_catalog(*args: str) -> str:
    done = run("catalog", *args, env=env())
    assert done.returncode == 2 and done.stdout == "", done
    return done.stderr


def test_a_failed_run_leaves_an_existing_file_as_it_was(tmp_path: Path, shipped: str) -> None:
    out = tmp_path / "models.json"
    out.write_text("the old catalog\n")
    out.chmod(0o640)
    with answering(reply(200, b"<html></html>", "text/html")) as url:
        done = run("catalog", "record", url, "-o", str(out), env=env())
    assert done.returncode == 2
    assert out.read_text() == "the old catalog\n"
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind
    assert run_here("catalog", "record", shipped, "-o", str(out), env=env()).returncode == 0  # (the process: above)
    assert len(Catalog.from_file(out)) == 29 and stat.S_IMODE(out.stat().st_mode) == 0o640


def test_fields_this_version_does_not_know_are_dropped_with_a_warning(tmp_path: Path) -> None:
    capabilities = json.loads(Catalog.default().body("claude-opus-4-6") or b"")["capabilities"]
    model = {
        "id": "m-1",
        "type": "model",
        "display_name": "M",
        "created_at": "2026-01-01T00:00:00Z",
        "lifecycle": "active",
        "colour": "red",
        "capabilities": {**capabilities, "teleport": {"supported": True}},
    }
    body = json.dumps({"data": [model], "has_more": False, "first_id": "m-1", "last_id": "m-1"}).encode()

    def only_active(request: http.server.BaseHTTPRequestHandler) -> None:
        if request.path.startswith("/v1/models/"):
            return reply(404, b'{"type": "error", "error": {"type": "not_found_error", "message": "no"}}')(request)
        empty = b'{"data": [], "has_more": false, "first_id": null, "last_id": null}'
        reply(200, body if "lifecycle%5B%5D=active" in request.path else empty)(request)

    with answering(only_active) as url:
        out, stderr = recorded(url, tmp_path)
    assert (
        "not recorded, unknown to this version of mockserver: capabilities.teleport (1 model), colour (1 model)"
        in stderr
    )
    (served,) = Catalog.from_file(out).models
    assert served["capabilities"] == {**capabilities, "compaction": None} and "colour" not in served


@pytest.mark.parametrize(
    ("headers", "attempt", "expected"),
    [
        ({"retry-after-ms": "250"}, 0, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0, 0.25),
        ({"retry-after": "3"}, 0, 3.0),
        ({"retry-after": "86400"}, 0, MAX_WAIT),
        ({"retry-after": "soon"}, 2, 2.0),
        ({}, 0, 0.5),
        ({}, 3, 4.0),
        ({"retry-after": "-5"}, 1, 1.0),
    ],
)
def test_waits_honour_the_server_within_a_bound(headers: dict[str, str], attempt: int, expected: float) -> None:
    assert _wait(headers, attempt) == expected


def test_an_http_date_retry_after_is_honoured() -> None:
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=30)
    wait = _wait({"retry-after": later.strftime("%a, %d %b %Y %H:%M:%S GMT")}, 0)
    assert 25 <= wait <= 30


def test_x_should_retry_false_is_not_retried() -> None:
    calls: list[str] = []

    def refuse(request: http.server.BaseHTTPRequestHandler) -> None:
        calls.append(request.path)
        request.send_response(503)
        request.send_header("x-should-retry", "false")
        request.send_header("content-length", "0")
        request.end_headers()

    with (
        answering(refuse) as url,
        pytest.raises(RecordError, match="503 with an empty body, not the API's error envelope"),
    ):
        record(url, KEY, sleep=lambda seconds: None)
    assert len(calls) == 1


# -- catalog diff ------------------------------------------------------------------------


def test_diff_of_the_shipped_catalog_with_itself_exits_0() -> None:
    shipped = str(default_catalog_path())
    done = run("catalog", "diff", shipped, shipped)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "same: 29 models, 10 aliases serve the same bodies"
    as_json = run("catalog", "diff", "--json", shipped, shipped)
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["same"] is True


def test_diff_against_a_recording_of_a_changed_fake_exits_1_with_a_readable_report(tmp_path: Path) -> None:
    new_model = {"id": "claude-opus-6", "display_name": "Claude Opus 6", "created_at": "2026-12-01T00:00:00Z"}
    with serving() as (_, url, _lines):
        httpx.post(f"{url}/_mock/models", json=new_model).raise_for_status()
        httpx.delete(f"{url}/_mock/models/claude-3-sonnet-20240229").raise_for_status()
        httpx.delete(f"{url}/_mock/aliases/claude-3-opus-latest").raise_for_status()
        httpx.put(f"{url}/_mock/aliases/claude-opus-latest", json={"target": "claude-opus-6"}).raise_for_status()
        out, _stderr = recorded(url, tmp_path, "--base", str(default_catalog_path()), "--alias", "claude-opus-latest")
    shipped = str(default_catalog_path())
    done = run("catalog", "diff", shipped, str(out))
    assert done.returncode == 1, done.stderr
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    assert done.stdout == (
        f"--- {shipped}: 29 models, 10 aliases, as of 2026-12-06\n"
        f"+++ {out}: 29 models, 10 aliases, as of {today}\n"
        "added models (1):\n"
        '  + claude-opus-6  "Claude Opus 6"  active, created 2026-12-01T00:00:00Z\n'
        "removed models (1):\n"
        '  - claude-3-sonnet-20240229  "Claude Sonnet 3"  retired, created 2024-02-29T00:00:00Z\n'
        "aliases:\n"
        "  + claude-opus-latest → claude-opus-6\n"
        "  - claude-3-opus-latest (was → claude-3-opus-20240229)\n"
        "differ: 1 added, 1 removed, 0 changed, 2 alias changes\n"
    )
    report = json.loads(run("catalog", "diff", "--json", shipped, str(out)).stdout)
    assert [model["id"] for model in report["added"]] == ["claude-opus-6"]
    assert report["aliases"]["removed"] == {"claude-3-opus-latest": "claude-3-opus-20240229"}


def test_diff_names_a_changed_field_by_its_path(tmp_path: Path) -> None:
    document = json.loads(default_catalog_path().read_text())
    opus = next(model for model in document["models"] if model["id"] == "claude-opus-4-5-20251101")
    opus["max_tokens"] = 1
    opus["capabilities"]["effort"]["supported"] = False
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(document))
    done = run("catalog", "diff", str(default_catalog_path()), str(changed))
    assert done.returncode == 1
    assert (
        "  ~ claude-opus-4-5-20251101\n      max_tokens: 64000 → 1\n      capabilities.effort.supported: true → false\n"
        in done.stdout
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("missing.json", "{shipped}"), "missing.json: cannot read catalog file"),
        (("{shipped}", "{broken}"), "{broken}: models[0] (id 'x'): display_name: required"),
        (("-", "-"), "OLD and NEW cannot both be -"),
        (("{shipped}",), "the following arguments are required: NEW"),
    ],
)
def test_diff_errors_exit_2_in_one_line(tmp_path: Path, args: tuple[str, ...], fragment: str) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"models": [{"id": "x"}]}')
    names = {"shipped": str(default_catalog_path()), "broken": str(broken)}
    done = subprocess_in(tmp_path, "catalog", "diff", *(arg.format(**names) for arg in args))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and fragment.format(**names) in done.stderr


def test_diff_reads_one_side_from_stdin() -> None:
    shipped = default_catalog_path()
    done = run("catalog", "diff", "-", str(shipped), stdin=shipped.read_text())
    assert done.returncode == 0 and "--- <stdin>: 29 models" in done.stdout


def subprocess_in(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "anthropic_models_mock", *args], capture_output=True, text=True, cwd=folder, timeout=60
    )


def test_the_project_s_drift_script_exits_0_without_drift_and_1_with_it() -> None:
    script = Path(__file__).resolve().parents[1] / ".ci" / "drift"
    environment = {**env(), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    with serving() as (_, url, _lines):
        same = subprocess.run([str(script), url], env=environment, capture_output=True, text=True, timeout=120)
        httpx.delete(f"{url}/_mock/models/claude-3-haiku-20240307").raise_for_status()
        drifted = subprocess.run([str(script), url], env=environment, capture_output=True, text=True, timeout=120)
    assert same.returncode == 0, same.stderr
    assert "same: 29 models, 10 aliases serve the same bodies" in same.stdout
    assert drifted.returncode == 1, drifted.stderr
    assert '  - claude-3-haiku-20240307  "Claude Haiku 3"  retired' in drifted.stdout
    assert KEY not in same.stdout + same.stderr + drifted.stdout + drifted.stderr


# -- hostile servers: the key never shown or stored, every failure one line, every walk bounded ----------------

NOT_FOUND = b'{"type": "error", "error": {"type": "not_found_error", "message": "no"}}'


def item(model_id: str = "claude-x-1", **extra: Any) -> dict[str, Any]:
    return {"type": "model", "id": model_id, "display_name": "X", "created_at": "2025-01-01T00:00:00Z", **extra}


def lists(page: Callable[[str], Any]) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    """Lists answered ``page(request path)``, with beta=true or without; every retrieve 404."""

    def handle(request: http.server.BaseHTTPRequestHandler) -> None:
        if not request.path.startswith("/v1/models?"):
            return reply(404, NOT_FOUND)(request)
        reply(200, json.dumps(page(request.path)).encode())(request)

    return handle


def under(**lifecycles: list[dict[str, Any]]) -> Callable[[str], Any]:
    """One page per lifecycle filter: the items given for it, else none."""

    def page(path: str) -> dict[str, Any]:
        found = [items for name, items in lifecycles.items() if f"lifecycle%5B%5D={name}" in path]
        return {"data": found[0] if found else [], "has_more": False}

    return page


def test_a_key_or_a_terminal_escape_in_a_field_name_is_never_printed(tmp_path: Path) -> None:
    capabilities = json.loads(Catalog.default().body("claude-opus-4-6") or b"")["capabilities"]
    hostile = item(lifecycle="active", capabilities={**capabilities, KEY: {"supported": True}})
    hostile.update({KEY: 1, "\x1b[31mEVIL\x1b[0m": 2})
    with answering(lists(under(active=[hostile]))) as url:
        _out, stderr = recorded(url, tmp_path)
    assert "SECRET" not in stderr and "\x1b" not in stderr
    assert "[key redacted] (1 model)" in stderr and "capabilities.[key redacted] (1 model)" in stderr
    assert "\\u001b[31mEVIL\\u001b[0m (1 model)" in stderr


@pytest.mark.parametrize("field", ["id", "display_name"])
def test_an_answer_that_holds_the_key_is_refused_and_nothing_is_written(tmp_path: Path, field: str) -> None:
    out = tmp_path / "models.json"
    out.write_text("the old catalog\n")
    hostile = item(lifecycle="active", **{field: KEY if field == "id" else f"hello {KEY}"})
    with answering(lists(under(active=[hostile]))) as url:
        done = run_here("catalog", "record", url, "-o", str(out), env=env())
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "SECRET" not in done.stderr
    assert "data[0]: the answer contains the key in $ANTHROPIC_API_KEY (not shown); nothing recorded" in done.stderr
    assert out.read_text() == "the old catalog\n" and list(tmp_path.iterdir()) == [out]


def test_a_long_value_is_redacted_before_it_is_cut() -> None:
    with answering(lists(under(active=[item(type="a" * 30 + KEY)]))) as url:
        line = failed(url)
    assert 'data[0].type: not the Models API\'s answer: expected "model", got str "aaaa' in line
    assert "SECRET" not in line and "sk-ant" not in line


def test_a_short_key_is_redacted_only_as_a_whole_word() -> None:
    def echo(request: http.server.BaseHTTPRequestHandler) -> None:
        key = request.headers["x-api-key"]
        body = {"type": "error", "error": {"type": "authentication_error", "message": f"bad key {key}: {key}x"}}
        reply(401, json.dumps(body).encode())(request)

    with answering(echo) as url:
        with pytest.raises(RecordError) as short:
            record(url, "m")
        with pytest.raises(RecordError) as long:
            record(url, "abcdefgh")
    assert f"GET {url}/v1/models?limit=1000" in str(short.value)  # not "/v1/[key redacted]odels"
    assert str(short.value).endswith("bad key [key redacted]: mx")
    assert str(long.value).endswith("bad key [key redacted]: [key redacted]x")


def test_a_body_that_cannot_be_decoded_is_one_line() -> None:
    def bad_gzip(request: http.server.BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("content-type", "application/json")
        request.send_header("content-encoding", "gzip")
        request.send_header("content-length", "15")
        request.end_headers()
        request.wfile.write(b"not gzip at all")

    with answering(bad_gzip) as url:
        line = failed(url)
    assert f"GET {url}/v1/models?limit=1000&lifecycle%5B%5D=active&beta=true: the answer cannot be decoded" in line


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("http://[::1", "URL: not a valid URL (Invalid IPv6 URL)"),
        ("http://127.0.0.1:http", "URL: not a valid URL (the port is not a number from 0 to 65535)"),
        ("http://127.0.0.1:99999", "URL: not a valid URL (the port is not a number from 0 to 65535)"),
        ("http://127.0.0.1:9/?region=eu", "URL: a base URL has no query (?...) or fragment (#...)"),
        ("http://127.0.0.1:9/#models", "URL: a base URL has no query (?...) or fragment (#...)"),
        ("http://127.0.0.1:9?", "URL: a base URL has no query (?...) or fragment (#...)"),
    ],
)
def test_a_url_that_is_not_a_base_url_is_refused_in_one_line(url: str, fragment: str) -> None:
    assert fragment in failed(url)


def test_an_error_that_a_retry_cannot_cure_is_not_retried() -> None:
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    sleeps: list[float] = []
    with pytest.raises(RecordError, match=r"cannot connect: .*refused"):
        record(f"http://127.0.0.1:{port}", KEY, sleep=sleeps.append)
    assert sleeps == []


@pytest.mark.parametrize("declared", [True, False])
def test_an_answer_larger_than_the_bound_is_cut_off(monkeypatch: pytest.MonkeyPatch, declared: bool) -> None:
    from anthropic_models_mock.cli import recording

    monkeypatch.setattr(recording, "MAX_ANSWER", 4096)
    body = json.dumps({"data": [item(f"claude-x-{n}") for n in range(100)], "has_more": False}).encode()

    def big(request: http.server.BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        if declared:
            request.send_header("content-length", str(len(body)))
        request.end_headers()  # without a length, HTTP/1.0: the body runs to the end of the connection
        request.wfile.write(body)

    with answering(big) as url, pytest.raises(RecordError) as caught:
        record(url, KEY, retries=0)
    how = f"it declares {len(body):,} bytes" if declared else "stopped reading"
    assert str(caught.value).endswith(f"the answer is larger than 0 MiB ({how}): not a page of the Models API")


def test_the_timeout_bounds_each_whole_answer() -> None:
    ticks = iter([0.0])  # the answer starts at 0 s; its first bytes come at 100 s, as from a slow drip

    def clock() -> float:
        return next(ticks, 100.0)

    with answering(lists(under(active=[item()]))) as url, pytest.raises(RecordError) as caught:
        record(url, KEY, retries=0, timeout=30, clock=clock)
    assert "active&beta=true: no complete answer in 30 s (--timeout bounds each whole answer)" in str(caught.value)


def test_a_last_id_that_is_not_the_last_item_s_is_refused() -> None:
    page = {"data": [item("claude-x-1"), item("claude-x-2")], "has_more": True, "last_id": "claude-x-9"}
    with answering(lists(lambda path: page)) as url:
        line = failed(url, "--retries", "0")
    assert "last_id: not the Models API's answer: expected the last item's id claude-x-2, got str" in line


def test_pagination_without_end_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    from anthropic_models_mock.cli import recording

    monkeypatch.setattr(recording, "MAX_PAGES", 5)
    pages: list[str] = []

    def endless(path: str) -> dict[str, Any]:
        pages.append(path)
        fresh = f"claude-x-{len(pages)}"
        return {"data": [item(fresh)], "has_more": True, "last_id": fresh}

    with answering(lists(endless)) as url, pytest.raises(RecordError) as caught:
        record(url, KEY)
    assert "models or 5 pages listed for one lifecycle, far more than any real catalog: stopped" in str(caught.value)
    assert len(pages) == 5


def test_a_recording_of_no_models_is_refused_and_an_existing_file_kept(tmp_path: Path) -> None:
    out = tmp_path / "models.json"
    out.write_text("the old catalog\n")
    with answering(lists(under())) as url:
        done = run_here("catalog", "record", url, "-o", str(out), env=env())
    assert done.returncode == 2
    assert done.stderr.startswith("mockserver: error: the API listed no models: GET ")
    assert out.read_text() == "the old catalog\n"


def test_repeats_and_contradicting_lifecycles_are_warned_and_unknown_fields_counted_per_model() -> None:
    stream = io.StringIO()
    twice = [item("claude-a", lifecycle="active", hue=1), item("claude-a", lifecycle="active", display_name="Y")]
    page = under(
        active=twice,
        deprecated=[item("claude-b", lifecycle="active", hue=2)],
        retired=[item("claude-c", deprecated_at="2025-02-01T00:00:00Z")],
    )
    with answering(lists(page)) as url:
        document = record(url, KEY, progress=Progress("models", stream=stream, live=False))
    notes = stream.getvalue().splitlines()
    assert "mockserver: warning: not recorded, unknown to this version of mockserver: hue (2 models)" in notes
    assert (
        "mockserver: warning: 1 model listed twice with different bodies; the first listing is kept: claude-a" in notes
    )
    assert (
        "mockserver: warning: 1 model listed under another lifecycle than their own, or under two; the model's own"
        ' (else the first) is kept: claude-b (listed as deprecated, says "active")'
    ) in notes
    assert notes[-1].startswith("mockserver: recorded 3 models and 0 aliases from")
    lifecycles = {model["id"]: (model["lifecycle"], model["display_name"]) for model in document["models"]}
    assert lifecycles == {"claude-a": ("active", "X"), "claude-b": ("active", "X"), "claude-c": ("retired", "X")}


def test_one_model_is_said_in_the_singular() -> None:
    stream = io.StringIO()
    with answering(lists(under(active=[item()]))) as url:
        record(url, KEY, progress=Progress("models", stream=stream, live=False))
    assert stream.getvalue().startswith(f"mockserver: recorded 1 model and 0 aliases from {url} in ")


def test_the_live_line_names_each_phase() -> None:
    stream = io.StringIO()
    with answering(lists(under(active=[item()]))) as url:
        record(url, KEY, candidates=["claude-y-1", "claude-y-2"], progress=Progress("models", stream=stream, live=True))
    shown = stream.getvalue()
    assert "mockserver: listing models: 0 models" in shown
    assert "mockserver: trying alias names: 0/2 names" in shown


def test_output_problems_are_found_before_any_request(tmp_path: Path) -> None:
    assert f"-o {tmp_path}: is a folder: give the file to write" in failed("http://127.0.0.1:9", "-o", str(tmp_path))


def test_output_through_a_symbolic_link_replaces_its_target(tmp_path: Path) -> None:
    target = tmp_path / "target.json"
    target.write_text("old\n")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    with answering(lists(under(active=[item()]))) as url:
        done = run_here("catalog", "record", url, "-o", str(link), env=env())
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and [model["id"] for model in json.loads(target.read_text())["models"]] == ["claude-x-1"]


def test_the_embedded_catalog_s_aliases_are_always_tried(tmp_path: Path, shipped: str) -> None:
    assert set(Catalog.default().aliases) <= set(candidate_names())
    out, _stderr = recorded(shipped, tmp_path)  # no --base, no --alias
    assert json.loads(out.read_text())["aliases"] == dict(Catalog.default().aliases)


def test_the_live_drift_never_shows_a_password_from_the_url() -> None:
    from anthropic_models_testkit.contract import live_drift

    with serving("--api-key", KEY) as (_, url, _lines):
        secret = url.replace("http://", "http://user:hunter2@")
        report = live_drift(secret, KEY, Catalog.default())
        failure = live_drift(secret, "not-the-key", Catalog.default())
    assert f"+++ {url}: 29 models" in report and "hunter2" not in report
    assert failure.startswith(f"could not record {url} to compare: the key") and "hunter2" not in failure


def test_the_live_url_is_checked_when_pytest_starts(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    pytester.makepyfile(test_a="def test_one():\n    pass\n")
    quiet = ("-p", "no:cacheprovider", "-o", "asyncio_default_fixture_loop_scope=function")
    alone = pytester.runpytest_inprocess(*quiet, "--anthropic-live-url", "http://127.0.0.1:9")
    assert alone.ret == pytest.ExitCode.USAGE_ERROR
    assert "--anthropic-live-url applies to the live run only: give --anthropic-live too" in alone.stderr.str()
    bad = pytester.runpytest_inprocess(*quiet, "--anthropic-live", "--anthropic-live-url", "http://127.0.0.1:9/?x")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    assert "--anthropic-live-url: a base URL has no query" in bad.stderr.str()


def test_diff_prints_to_an_ascii_output(tmp_path: Path) -> None:
    document = json.loads(default_catalog_path().read_text())
    document["models"][0]["display_name"] = "Évil \u202e"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(document), encoding="utf-8")
    ascii_env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    done = run("catalog", "diff", str(default_catalog_path()), str(changed), env=ascii_env)
    assert done.returncode == 1, done.stderr
    assert '-> "\\xc9vil \\u202e"' in done.stdout
    as_json = run("catalog", "diff", "--json", str(default_catalog_path()), str(changed), env=ascii_env)
    assert as_json.returncode == 1, as_json.stderr
    assert json.loads(as_json.stdout)["changed"][0]["fields"][0]["new"] == "Évil \u202e"


def test_an_unexpected_failure_of_diff_exits_2_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from anthropic_models_mock.catalog import diff as catalogdiff

    def broken(old: Catalog, new: Catalog) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(catalogdiff, "diff_catalogs", broken)
    shipped = str(default_catalog_path())
    with pytest.raises(SystemExit) as exited:
        main(["catalog", "diff", shipped, shipped])
    assert exited.value.code == 2
    assert capsys.readouterr().err == "mockserver: error: diff failed: RuntimeError: a bug\n"
