"""The ``mockserver`` command, run as a user runs it: subprocesses, real sockets, signals."""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import pty
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from anthropic_models_mock import Catalog
from commands import HEADERS, MOCKSERVER, SCRIPT, run, run_here, serving


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        ((), ["serve", "catalog"]),
        (("serve",), ["--port", "--catalog", "--synthetic", "--api-key", "--keys", "--clock", "--fault", "--no-admin"]),
        (("catalog",), ["--catalog", "--synthetic", "--seed", "record", "diff"]),
        (("catalog", "record"), ["URL", "--api-key-env", "--output", "--base", "--alias", "--retries", "--timeout"]),
        (("catalog", "diff"), ["OLD", "NEW", "--json", "Exit 0"]),
    ],
)
def test_help(args: tuple[str, ...], mentions: list[str]) -> None:
    completed = run(*args, "--help")
    assert completed.returncode == 0
    for word in mentions:
        assert word in completed.stdout


def test_the_console_script_is_installed() -> None:
    completed = subprocess.run([str(SCRIPT), "--help"], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0 and "serve" in completed.stdout


def bad_files(tmp_path: Path) -> dict[str, Path]:
    model = {"id": "a", "display_name": "A", "created_at": "2025-01-01T00:00:00Z"}
    files = {
        "invalid.json": "{oops",
        "duplicate.json": json.dumps({"models": [model, model]}),
        "nowhere.json": json.dumps({"models": [model], "aliases": {"b": "c"}}),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return {name: tmp_path / name for name in files}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("bogus",), "invalid choice: 'bogus'"),
        (("serve", "--port", "99999"), "--port: expected a port from 0 to 65,535"),
        (("serve", "--port", "abc"), "--port: expected a port, got 'abc'"),
        (("serve", "--synthetic", "-1"), "--synthetic: expected a whole number"),
        (("serve", "--seed", "3"), "--seed only applies to --synthetic N"),
        (("serve", "--catalog", "/no/such/file.json"), "cannot read catalog file"),
        (("serve", "--catalog", "{invalid.json}"), "not valid JSON"),
        (("serve", "--catalog", "{duplicate.json}"), "duplicate id 'a'"),
        (("serve", "--catalog", "{nowhere.json}"), "points to 'c', which is not a model"),
        (("serve", "--catalog", "x.json", "--synthetic", "3"), "not allowed with argument"),
        (("serve", "--api-key", ""), "--api-key: a key must be non-empty visible ASCII"),
        (("serve", "--api-key", "k\xa0"), "--api-key: a key must be non-empty visible ASCII"),
        (("serve", "--api-key", " k "), "no space or tab at either end"),
        (("serve", "--retry-after", "5"), "--retry-after applies to --fault and --fail-rate"),
        (("serve", "--fail-status", "503"), "--fail-status applies to --fail-rate"),
        (
            ("serve", "--fail-rate", "0", "--fail-status", "503"),
            "--fail-status would change nothing: --fail-rate 0 fails no request",
        ),
        (
            ("serve", "--fail-rate", "0", "--retry-after", "5"),
            "--retry-after would change nothing: --fail-rate 0 fails no request",
        ),
        (("serve", "--fault-seed", "3"), "--fault-seed seeds --fail-rate and --latency-jitter; give one of them"),
        (("serve", "--latency", "1", "--fault-seed", "3"), "--fault-seed seeds --fail-rate and --latency-jitter"),
        (
            ("serve", "--latency-jitter", "0", "--fault-seed", "3"),
            "--fault-seed would change nothing: --latency-jitter 0 adds no delay",
        ),
        (
            ("serve", "--catalog", ""),
            "--catalog: expected a catalog file, or - for standard input; got an empty string",
        ),
        (
            ("catalog", "--catalog", ""),
            "--catalog: expected a catalog file, or - for standard input; got an empty string",
        ),
        (("serve", "--synthetic", "20000000"), "--synthetic: expected a whole number from 0 to 10,000,000"),
        (("serve", "--fail-rate", "2"), "--fail-rate: expected a probability"),
        (("serve", "--admin", "--no-admin"), "not allowed with argument --admin"),
        (("serve", "--clock", "yesterday"), "--clock: expected an RFC 3339 date-time such as 2026-06-01T00:00:00Z"),
        (("serve", "--clock", "2026-02-30T00:00:00Z"), "--clock: expected an RFC 3339 date-time"),
        (("serve", "--keys", "/no/such/keys.json"), "--keys: cannot read /no/such/keys.json: No such file"),
        (("serve", "--keys", "{invalid.json}"), "invalid.json: not JSON"),
        (("serve", "--keys", "{duplicate.json}"), 'expected an object {"keys": {KEY: {...}, ...}} and nothing else'),
        (("serve", "--keys", "{duplicate.json}", "--api-key", "k"), "not allowed with argument --keys"),
        (("catalog", "--catalog", "{duplicate.json}"), "duplicate id 'a'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: tuple[str, ...], fragment: str) -> None:
    """Through the entry point, in this process (the same stderr and exit status: a real process's are
    checked below, and by every test that starts one)."""
    files = bad_files(tmp_path)
    args = tuple(str(files[a[1:-1]]) if a.startswith("{") else a for a in args)
    completed = run_here(*args)
    assert completed.returncode == 2
    lines = completed.stderr.splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("mockserver: error: ")
    assert fragment in lines[0]
    assert "Traceback" not in completed.stderr


def test_a_bad_flag_in_a_real_process_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for args in (("serve", "--port", "abc"), ("serve", "--catalog", str(bad_files(tmp_path)["duplicate.json"]))):
        completed = run(*args)
        assert completed.returncode == 2 and completed.stdout == ""
        assert len(completed.stderr.splitlines()) == 1 and completed.stderr.startswith("mockserver: error: ")


def test_a_busy_port_is_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        completed = run("serve", "--port", port)
    assert completed.returncode == 2
    assert completed.stderr.startswith(f"mockserver: error: cannot listen on 127.0.0.1:{port}")
    assert len(completed.stderr.splitlines()) == 1


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_serve_answers_and_stops_on_ctrl_c_or_sigterm(signum: signal.Signals) -> None:
    with serving("--synthetic", "30", "--seed", "1") as (proc, url, lines):
        assert url.startswith("http://127.0.0.1:")
        assert lines[1].startswith(f"try: curl -s {url}/v1/models -H 'x-api-key: ")
        response = httpx.get(f"{url}/v1/models", headers=HEADERS)
        assert response.status_code == 200
        assert [m["id"] for m in response.json()["data"]] == list(Catalog.synthetic(30, 1).view().ids)[:20]
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert out.strip() == "mockserver: stopped"
    assert err == ""


@pytest.mark.parametrize("command", ["serve", "catalog"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_during_a_long_build_ends_it_within_a_second(command: str, signum: signal.Signals) -> None:
    """A server asked to stop ends with exit 0, as it does while serving; a one-shot command ends by the signal
    itself, as Python ends on Ctrl-C: a shell sees 130 (or 143), a script stops too.

    stderr is a terminal here, so the build shows its live progress line: the signal is sent once it shows.
    """
    args = [*MOCKSERVER, command, "--synthetic", "3000000"] + (["--port", "0"] if command == "serve" else [])
    leader, follower = pty.openpty()
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=follower) as proc:
        os.close(follower)
        try:
            seen = b""
            while b"/3,000,000 models in" not in seen:
                chunk = os.read(leader, 4096)
                assert chunk, seen
                seen += chunk
            proc.send_signal(signum)
            signalled = time.monotonic()
            proc.wait(timeout=20)
            stopped = time.monotonic() - signalled
            rest = b""
            with contextlib.suppress(OSError):  # the terminal closes with the process
                while chunk := os.read(leader, 4096):
                    rest += chunk
        finally:
            if proc.poll() is None:
                proc.kill()
            os.close(leader)
        out = proc.stdout.read() if proc.stdout else b""
    assert proc.returncode == (0 if command == "serve" else -signum)
    assert stopped < 1.0, f"took {stopped:.2f} s to stop"
    assert out == b""
    assert (seen + rest).endswith(b"\x1b[Kmockserver: interrupted\r\n")


def test_a_long_build_off_a_terminal_prints_one_summary_line() -> None:
    # stdout (the catalog, 800 MB of JSON) goes to /dev/null: only stderr is checked, and reading it took seconds.
    completed = subprocess.run(
        [*MOCKSERVER, "catalog", "--synthetic", "400000"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120,
    )  # fmt: skip
    assert completed.returncode == 0
    (line,) = completed.stderr.splitlines()
    assert re.fullmatch(r"mockserver: built 400,000 synthetic models in \d+\.\d s \([\d,]+/s\)", line), line


def test_ctrl_c_ends_requests_held_by_latency_quietly() -> None:
    command = [*MOCKSERVER, "serve", "--port", "0", "--latency", "3600", "--fault", "500"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        url = proc.stdout.readline().rsplit(" at ", 1)[-1].strip()
        client = [sys.executable, "-c", f"import httpx; httpx.get('{url}/v1/models', headers={HEADERS!r}, timeout=60)"]
        with subprocess.Popen(client, stderr=subprocess.DEVNULL) as held:  # waits on a request held for an hour
            try:
                while httpx.get(f"{url}/_mock/faults").json()["scripted"]:  # the fault is taken on arrival
                    pass
                proc.send_signal(signal.SIGINT)
                out, err = proc.communicate(timeout=30)
            finally:
                held.kill()
    assert proc.returncode == 0
    assert out.strip().endswith("mockserver: stopped")
    assert "Traceback" not in err
    assert "ERROR" not in err, err  # ending held requests after the grace period is the plan, not an error


def test_a_reader_gone_before_ctrl_c_is_not_an_error() -> None:
    command = f"{shlex.join(MOCKSERVER)} serve --port 0 | head -n 1"
    with subprocess.Popen(
        ["bash", "-c", command], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    ) as proc:
        try:
            assert proc.stdout is not None
            proc.stdout.readline()  # head has printed its line and gone; the server still runs
            server = subprocess.run(
                ["pgrep", "-f", "-P", str(proc.pid), "anthropic_models_mock"], capture_output=True, text=True
            )
            pid = int(server.stdout.split()[0])
            os.kill(pid, signal.SIGINT)
            _, err = proc.communicate(timeout=30)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # never leave a server behind, whatever failed
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_serve_with_keys_and_the_embedded_catalog() -> None:
    with serving("--api-key", "good", "--no-admin") as (_, url, lines):
        assert not any("good" in line for line in lines), "a configured key is never printed"
        assert "-H 'x-api-key: <your --api-key>'" in lines[1]
        assert httpx.get(f"{url}/v1/models", headers={**HEADERS, "x-api-key": "good"}).status_code == 200
        assert httpx.get(f"{url}/v1/models", headers=HEADERS).status_code == 401
        assert (
            httpx.get(f"{url}/v1/models/claude-sonnet-4-5", headers={**HEADERS, "x-api-key": "good"}).json()["id"]
            == "claude-sonnet-4-5-20250929"
        )
        assert httpx.get(f"{url}/_mock").status_code == 404


def test_serve_with_a_keys_file_and_a_clock(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    typos = ["claude-opsu-*", "claude-haiku-4-5-20251001", "claude-haiku-4-5-2025101"]
    keys.write_text(
        json.dumps({"keys": {"sk-opus": {"models": ["claude-opus-*"], "label": "opus"}, "sk-b": {"models": typos}}})
    )
    with serving("--keys", str(keys), "--clock", "2025-12-01T00:00:00Z") as (_, url, lines):
        assert not any("sk-opus" in line or "sk-b" in line for line in lines), "a key is never printed"
        assert lines[2:5] == [
            f"keys: 2 from {keys}, each seeing the models and workspaces it lists\n",
            "keys: models pattern 'claude-haiku-4-5-2025101' (key 2) matches no model of the catalog\n",
            "keys: models pattern 'claude-opsu-*' (key 2) matches no model of the catalog\n",
        ]
        headers = {**HEADERS, "x-api-key": "sk-opus"}
        listed = httpx.get(f"{url}/v1/models?limit=1000", headers=headers).json()["data"]
        assert listed and all(model["id"].startswith("claude-opus-") for model in listed)
        assert all(model["created_at"] <= "2025-12-01T00:00:00Z" for model in listed)
        # At the clock, Opus 4.5 (deprecated 2026-11-23 in the catalog) was still active.
        assert httpx.get(f"{url}/v1/models/claude-opus-4-5", headers=headers).json()["lifecycle"] == "active"
        assert httpx.get(f"{url}/v1/models", headers=HEADERS).status_code == 401
        assert httpx.get(f"{url}/_mock").json()["clock"] == "2025-12-01T00:00:00Z"
        assert [entry["key"] for entry in httpx.get(f"{url}/_mock/journal").json()["requests"]] == [
            "opus", "opus", "key:" + fingerprint_of("k")]  # fmt: skip


def test_the_patterns_that_match_no_model_are_named_and_the_check_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from anthropic_models_mock.model.access import keys_from_document

    cli = importlib.import_module("anthropic_models_mock.cli.main")  # (the package's ``main`` is the function)

    catalog = Catalog.synthetic(100)
    ids = [model["id"] for model in catalog]  # newest first: the last is tried last
    patterns = {"sk-1": {"models": [ids[-1][:-1] + "?", "claude-*-x"]}, "sk-2": {"models": ["claude-*-x"]}}
    keys = keys_from_document({"keys": {**patterns, **{f"sk-{n}": {"models": ["nope"]} for n in range(3, 7)}}})
    assert list(cli._idle_patterns(keys, catalog)) == [
        "keys: models pattern 'claude-*-x' (key 1, key 2) matches no model of the catalog",
        "keys: models pattern 'nope' (key 3, key 4, key 5 and 1 more) matches no model of the catalog",
    ]
    # Both wildcard patterns are tried on each id, newest first; the '?' one matches only the last, the 100th.
    for tries in (200, 10_000):  # every id tried (200 uses the budget up exactly): the same lines
        monkeypatch.setattr(cli, "_PATTERN_TRIES", tries)
        assert list(cli._idle_patterns(keys, catalog)) == [
            "keys: models pattern 'claude-*-x' (key 1, key 2) matches no model of the catalog",
            "keys: models pattern 'nope' (key 3, key 4, key 5 and 1 more) matches no model of the catalog",
        ]
    monkeypatch.setattr(cli, "_PATTERN_TRIES", 199)  # one short: the last id is not tried
    assert list(cli._idle_patterns(keys, catalog)) == [
        "keys: models pattern 'nope' (key 3, key 4, key 5 and 1 more) matches no model of the catalog",
        "keys: 2 models patterns not checked against every model of the catalog (199 tries at most)",
    ]
    only = keys_from_document({"keys": {"sk-1": {"models": ["claude-*-x"]}}})
    monkeypatch.setattr(cli, "_PATTERN_TRIES", 100)  # tried on every id, the budget used up: named, not counted
    assert list(cli._idle_patterns(only, catalog)) == [
        "keys: models pattern 'claude-*-x' (key 1) matches no model of the catalog"
    ]
    monkeypatch.setattr(cli, "_PATTERN_TRIES", 50)
    assert list(cli._idle_patterns(only, catalog)) == [
        "keys: 1 models pattern not checked against every model of the catalog (50 tries at most)"
    ]


def fingerprint_of(key: str) -> str:
    import hashlib

    return hashlib.blake2b(key.encode(), digest_size=4).hexdigest()


def test_fault_flags() -> None:
    with serving("--fault", "429", "--fault", "529", "--retry-after", "2", "--journal-size", "2") as (_, url, _l):
        first = httpx.get(f"{url}/v1/models", headers=HEADERS)
        assert (first.status_code, first.headers["retry-after"]) == (429, "2")
        assert httpx.get(f"{url}/v1/models", headers=HEADERS).status_code == 529
        assert httpx.get(f"{url}/v1/models", headers=HEADERS).status_code == 200
        state = httpx.get(f"{url}/_mock").json()
        assert state["journal"] == {"size": 2, "maxlen": 2, "total": 3}
        httpx.post(f"{url}/_mock/reset")  # back to the server as it started: the flags' faults again
        assert httpx.get(f"{url}/v1/models", headers=HEADERS).status_code == 429


def test_catalog_command_is_deterministic_and_loadable() -> None:
    def synthetic(seed: str, hash_seed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}  # string hashing differs from process to process
        command = [*MOCKSERVER, "catalog", "--synthetic", "300", "--seed", seed]
        completed = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env, check=True)
        return completed.stdout

    first, again, other = synthetic("7", "1"), synthetic("7", "2"), synthetic("8", "1")
    assert first == again != other
    assert len(Catalog.from_json(first)) == 300


def test_catalog_command_prints_the_embedded_catalog() -> None:
    printed = Catalog.from_json(run("catalog").stdout)
    assert printed.models == Catalog.default().models
    assert dict(printed.aliases) == dict(Catalog.default().aliases)


def test_a_closed_pipe_is_not_an_error() -> None:
    command = f"set -o pipefail; {shlex.join(MOCKSERVER)} catalog --synthetic 3000 | head -n 1"
    completed = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "{\n"
    assert completed.stderr == ""


def test_version() -> None:
    completed = run("--version")
    assert completed.returncode == 0
    assert completed.stdout == f"mockserver {importlib.metadata.version('anthropic-models-mock')}\n"


def test_version_from_an_uninstalled_source_tree() -> None:
    code = (
        "import importlib.metadata as m\n"
        "def missing(name): raise m.PackageNotFoundError(name)\n"
        "m.version = missing\n"
        "from anthropic_models_mock.cli.main import main\n"
        "main(['--version'])\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0
    assert completed.stdout == "mockserver 0+unknown\n"


def test_catalog_from_stdin(tmp_path: Path) -> None:
    document = json.dumps({"models": [{"id": "claude-x-1", "display_name": "X", "created_at": "2025-01-01T00:00:00Z"}]})
    printed = run("catalog", "--catalog", "-", stdin=document)
    assert printed.returncode == 0, printed.stderr
    assert [m["id"] for m in Catalog.from_json(printed.stdout).models] == ["claude-x-1"]
    (tmp_path / "catalog.json").write_text(document)
    with (tmp_path / "catalog.json").open() as stdin, serving("--catalog", "-", stdin=stdin) as (_, url, lines):
        assert lines[0].startswith("mockserver: serving 1 models (<stdin>) at ")
        assert httpx.get(f"{url}/v1/models/claude-x-1", headers=HEADERS).json()["id"] == "claude-x-1"


@pytest.mark.parametrize("command", ["serve", "catalog"])
@pytest.mark.parametrize(
    ("stdin", "fragment"),
    [(b"{oops", "<stdin>: not valid JSON"), (b"\xff", "<stdin>: not UTF-8 text"), (b"", "<stdin>: not valid JSON")],
)
def test_a_bad_catalog_on_stdin_is_named(command: str, stdin: bytes, fragment: str) -> None:
    args = [*MOCKSERVER, command, "--catalog", "-"] + (["--port", "0"] if command == "serve" else [])
    completed = subprocess.run(args, capture_output=True, input=stdin, timeout=60)
    assert completed.returncode == 2
    assert completed.stderr.decode().startswith(f"mockserver: error: {fragment}")
    assert len(completed.stderr.splitlines()) == 1


def test_the_fault_seed_seeds_what_it_is_given_with() -> None:
    with serving("--latency-jitter", "0.001", "--fault-seed", "5") as (_, url, _lines):
        assert httpx.get(f"{url}/_mock/faults").json()["seed"] == 5


def test_a_non_loopback_host_says_the_admin_api_is_off() -> None:
    with serving("--host", "0.0.0.0") as (_, url, lines):
        assert (
            lines[2]
            == "admin: off on a non-loopback address (anyone there could change the fake); --admin turns it on\n"
        )
        assert httpx.get(url.replace("0.0.0.0", "127.0.0.1") + "/_mock").status_code == 404
    with serving("--host", "0.0.0.0", "--no-admin") as (_, url, lines):  # asked for: nothing to explain
        assert not any(line.startswith("admin:") for line in lines)


def test_the_health_probe_answers_with_no_key_no_admin_and_no_delay() -> None:
    with serving("--no-admin", "--api-key", "secret", "--latency", "3600") as (_, url, _lines):
        got = httpx.get(f"{url}/_mock/health", timeout=10)
        assert got.status_code == 200
        assert got.json() == {"status": "ok", "models": len(Catalog.default())}
        assert got.headers["content-type"] == "application/json"
        assert got.headers["request-id"].startswith("req_")
        head = httpx.head(f"{url}/_mock/health", timeout=10)
        assert (head.status_code, head.content) == (200, b"")
        assert head.headers["request-id"].startswith("req_")


def test_the_url_line_is_for_scripts() -> None:
    """The banner ends with ``url: http://HOST:PORT``, once the socket is bound (connections wait)."""
    with serving() as (_, _url, lines):
        found = [m for line in lines if (m := re.fullmatch(r"url: (http://127\.0\.0\.1:([0-9]+))\n", line))]
        assert len(found) == 1 and found[0].group(0) == lines[-1]
        url, port = found[0].groups()
        assert int(port) > 0 and lines[0].endswith(f" at {url}\n")
        assert httpx.get(f"{url}/_mock/health").json()["status"] == "ok"


def test_a_shell_script_can_wait_for_the_url_line() -> None:
    """What a script does: start the server, read until the url line, use it; no sleeping."""
    script = f"""
        coproc server {{ exec {shlex.join(MOCKSERVER)} serve --port 0; }}
        while read -r line <&"${{server[0]}}"; do
            case $line in "url: "*) url=${{line#url: }}; break;; esac
        done
        {shlex.quote(sys.executable)} -c 'import httpx, sys; print(httpx.get(sys.argv[1] + "/_mock/health").text)' "$url"
        kill -TERM "$server_PID"
        wait "$server_PID"
    """
    with subprocess.Popen(
        ["bash", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    ) as proc:
        try:
            out, err = proc.communicate(timeout=60)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # never leave a server behind, whatever failed
    assert proc.returncode == 0, err
    assert json.loads(out)["status"] == "ok"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_second_signal_while_stopping_changes_nothing(signum: signal.Signals) -> None:
    """Ctrl-C pressed twice (or SIGTERM sent twice) as the server starts or stops: one line, exit 0, no traceback."""
    for pause in (0.0, 0.002, 0.02):
        with serving("--synthetic", "3") as (proc, _url, _lines):
            time.sleep(pause)
            proc.send_signal(signum)
            time.sleep(pause)
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signum)
            out, err = proc.communicate(timeout=15)
        assert proc.returncode == 0, err
        assert err == "", err
        assert out.strip().splitlines()[-1] in ("mockserver: stopped", "mockserver: interrupted")
