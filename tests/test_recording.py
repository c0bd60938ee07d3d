"""``mockserver catalog record``: a recording of a served catalog serves the same bytes; failures are one line."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import os
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from anthropic_models_mock import Catalog
from anthropic_models_mock.catalog import default_catalog_path
from anthropic_models_mock.recording import MAX_WAIT, RecordError, _wait, known_model_names, record
from commands import run, serving

KEY = "sk-ant-test-SECRET-0123456789abcdef"
LIFECYCLE_FILTERS: list[list[str]] = [[], ["active"], ["deprecated"], ["retired"], ["active", "deprecated", "retired"]]


def env(key: str | None = KEY, name: str = "ANTHROPIC_API_KEY") -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}
    if key is not None:
        environment[name] = key
    return environment


def recorded(url: str, tmp_path: Path, *args: str, key: str | None = KEY) -> tuple[Path, str]:
    """``catalog record URL ARGS -o FILE``: the file and the stderr; the run must succeed and never show the key."""
    out = tmp_path / "recorded.json"
    done = run("catalog", "record", url, "-o", str(out), *args, env=env(key))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert KEY not in done.stderr and KEY not in out.read_text()
    return out, done.stderr


def bodies(url: str, catalog: Catalog, *, limit: int) -> dict[str, bytes]:
    """Every list page (each lifecycle filter, plain and beta) and every retrieve (ids and aliases, plain and beta)."""
    found: dict[str, bytes] = {}
    headers = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        for beta in ("", "true"):
            for lifecycles in LIFECYCLE_FILTERS:
                after = None
                while True:
                    params: dict[str, Any] = {"limit": limit, "lifecycle[]": lifecycles}
                    if beta:
                        params["beta"] = beta
                    if after:
                        params["after_id"] = after
                    response = client.get("/v1/models", params=params)
                    assert response.status_code == 200, response.text
                    found[str(response.request.url.query)] = response.content
                    page = response.json()
                    if not page["has_more"]:
                        break
                    after = page["last_id"]
            for name in [*(model["id"] for model in catalog), *catalog.aliases]:
                response = client.get(f"/v1/models/{name}", params={"beta": beta} if beta else {})
                assert response.status_code == 200, response.text
                found[f"{name}?{beta}"] = response.content
    return found


def assert_same_bodies(original: str, recording: Path, catalog: Catalog, *, limit: int) -> None:
    with serving("--catalog", str(recording)) as (_, replay, _lines):
        before, after = bodies(original, catalog, limit=limit), bodies(replay, catalog, limit=limit)
    assert before.keys() == after.keys()
    differing = [request for request in before if before[request] != after[request]]
    assert not differing, f"{len(differing)} bodies differ, first: {differing[0]}"


def test_a_recording_of_the_embedded_catalog_serves_the_same_bytes(tmp_path: Path) -> None:
    catalog = Catalog.default()
    with serving() as (_, url, _lines):
        out, stderr = recorded(url, tmp_path, "--base", str(default_catalog_path()))
        assert_same_bodies(url, out, catalog, limit=7)
    assert stderr.splitlines() == [stderr.splitlines()[-1]]  # not a terminal: one summary line
    assert f"recorded 29 models and {len(catalog.aliases)} aliases from {url}" in stderr
    document = json.loads(out.read_text())
    assert set(document["aliases"]) == set(catalog.aliases)
    assert document["source"].startswith(f"GET {url}/v1/models") and "recorded 20" in document["source"]
    assert document["as_of"] == dt.datetime.now(dt.timezone.utc).date().isoformat()
    shipped = json.loads(default_catalog_path().read_text())
    kept = {model["id"]: model["sources"] for model in document["models"]}
    assert kept == {model["id"]: model["sources"] for model in shipped["models"]}  # --base keeps the citations
    assert set(document["sources"]) <= set(shipped["sources"])


def test_a_recording_of_5000_synthetic_models_serves_the_same_bytes(tmp_path: Path) -> None:
    catalog = Catalog.synthetic(5000, seed=3)
    original = tmp_path / "synthetic.json"
    original.write_text(json.dumps(catalog.to_document()))
    with serving("--synthetic", "5000", "--seed", "3") as (_, url, _lines):
        aliases = [arg for alias in list(catalog.aliases)[:3] for arg in ("--alias", alias)]
        out, _stderr = recorded(url, tmp_path, "--base", str(original), *aliases)
        assert_same_bodies(url, out, catalog, limit=1000)
    assert Catalog.from_file(out).aliases == catalog.aliases


def test_a_recording_under_injected_faults_retries_and_serves_the_same_bytes(tmp_path: Path) -> None:
    catalog = Catalog.default()
    faults = ["--fault", "429", "--fault", "529", "--fault", "500", "--retry-after", "0"]
    rate = ["--fail-rate", "0.3", "--fail-status", "503", "--fault-seed", "7"]
    with serving(*faults, *rate) as (_, url, _lines):
        out, stderr = recorded(url, tmp_path, "--base", str(default_catalog_path()), "--retries", "20")
        statuses = [entry["status"] for entry in httpx.get(f"{url}/_mock/journal").json()["requests"]]
        assert {429, 529, 500, 503} <= set(statuses)
        httpx.delete(f"{url}/_mock/faults").raise_for_status()
        assert_same_bodies(url, out, catalog, limit=5)
    retries = [line for line in stderr.splitlines() if "; retry " in line]
    assert len(retries) == sum(status != 200 for status in statuses) > 3
    assert "429 rate_limit_error" in retries[0]
    assert f"{len(retries)} retried" in stderr


def test_without_the_sdk_s_names_or_a_base_only_given_aliases_are_found(tmp_path: Path) -> None:
    with serving() as (_, url, _lines):
        document = record(url, KEY, candidates=["claude-opus-4-0", "claude-nothing-1", "claude-opus-4-6"])
    assert document["aliases"] == {"claude-opus-4-0": "claude-opus-4-20250514"}
    assert "sources" not in document and all("sources" not in model for model in document["models"])


def test_the_sdk_s_model_names_are_candidates() -> None:
    pytest.importorskip("anthropic")
    names = known_model_names()
    assert "claude-sonnet-4-5" in names and "claude-opus-4-5" in names


# -- failures: one line, exit 2, never the key -----------------------------------------


def failed(*args: str, key: str | None = KEY, key_env: str = "ANTHROPIC_API_KEY") -> str:
    done = run("catalog", "record", *args, env=env(key, key_env))
    assert done.returncode == 2, done
    assert done.stdout == ""
    *notes, line = done.stderr.splitlines()
    assert line.startswith("mockserver: error: "), done.stderr
    assert all("; retry " in note for note in notes), done.stderr  # only retries come before the one error line
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
    assert "unrecognized arguments: --api-k and 1 value(s)" in failed("http://127.0.0.1:9", "--api-k", KEY)


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
    thread = threading.Thread(target=server.serve_forever, daemon=True)
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


def test_a_path_that_is_not_a_models_api_is_named() -> None:
    with serving() as (_, url, _lines):
        line = failed(f"{url}/not/an/api")
    assert f"GET {url}/not/an/api/v1/models" in line and "404 not_found_error" in line
    assert "is " + url + "/not/an/api the base URL of a Models API?" in line


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
    with answering(
        lambda r: (
            r.send_response(307),
            r.send_header("location", "http://elsewhere.invalid/v1/models"),
            r.end_headers(),
        )
    ) as url:
        line = failed(url)
    assert "307 redirect to http://elsewhere.invalid/v1/models" in line


def test_user_info_in_the_url_is_never_shown(tmp_path: Path) -> None:
    with serving() as (_, url, _lines):
        secret_url = url.replace("http://", "http://user:hunter2@")
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


def test_a_failed_run_leaves_an_existing_file_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "models.json"
    out.write_text("the old catalog\n")
    out.chmod(0o640)
    with answering(reply(200, b"<html></html>", "text/html")) as url:
        done = run("catalog", "record", url, "-o", str(out), env=env())
    assert done.returncode == 2
    assert out.read_text() == "the old catalog\n"
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind
    with serving() as (_, url, _lines):
        assert run("catalog", "record", url, "-o", str(out), env=env()).returncode == 0
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
        "not recorded, unknown to this version of mockserver: capabilities.teleport (2 models), colour (2 models)"
        in stderr
    )
    (served,) = Catalog.from_file(out).models
    assert served["capabilities"] == capabilities and "colour" not in served


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
    assert _wait(httpx.Response(429, headers=headers), attempt) == expected


def test_an_http_date_retry_after_is_honoured() -> None:
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=30)
    wait = _wait(httpx.Response(503, headers={"retry-after": later.strftime("%a, %d %b %Y %H:%M:%S GMT")}), 0)
    assert 25 <= wait <= 30


def test_x_should_retry_false_is_not_retried() -> None:
    calls = []

    def refuse(request: http.server.BaseHTTPRequestHandler) -> None:
        calls.append(request.path)
        request.send_response(503)
        request.send_header("x-should-retry", "false")
        request.send_header("content-length", "0")
        request.end_headers()

    with answering(refuse) as url, pytest.raises(RecordError, match="503 with a no content-type body"):
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
        f"--- {shipped}: 29 models, 10 aliases, as of 2026-11-25\n"
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
