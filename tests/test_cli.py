"""The ``mockserver`` command, run as a user runs it: subprocesses, real sockets, signals."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from anthropic_models_mock import Catalog

MOCKSERVER = [sys.executable, "-m", "anthropic_models_mock"]
SCRIPT = Path(sys.executable).parent / "mockserver"
HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01"}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*MOCKSERVER, *args], capture_output=True, text=True, timeout=60)


@contextmanager
def serving(*args: str) -> Iterator[tuple[subprocess.Popen[str], str, list[str]]]:
    with subprocess.Popen([*MOCKSERVER, "serve", "--port", "0", *args], stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            lines = [proc.stdout.readline(), proc.stdout.readline()]
            url = lines[0].rsplit(" at ", 1)[-1].strip()
            yield proc, url, lines
        finally:
            if proc.poll() is None:
                proc.terminate()
            proc.wait(timeout=10)


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        ((), ["serve", "catalog"]),
        (("serve",), ["--port", "--catalog", "--synthetic", "--api-key", "--access-log", "--fault", "--no-admin"]),
        (("catalog",), ["--catalog", "--synthetic", "--seed"]),
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
        (("serve", "--api-key", ""), "--api-key must not be empty"),
        (("serve", "--api-key", " k "), "start or end with whitespace"),
        (("serve", "--retry-after", "5"), "--retry-after applies to --fault and --fail-rate"),
        (("serve", "--fail-status", "503"), "--fail-status applies to --fail-rate"),
        (("serve", "--synthetic", "20000000"), "--synthetic: expected a whole number from 0 to 10,000,000"),
        (("serve", "--fail-rate", "2"), "--fail-rate: expected a probability"),
        (("serve", "--admin", "--no-admin"), "not allowed with argument --admin"),
        (("catalog", "--catalog", "{duplicate.json}"), "duplicate id 'a'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: tuple[str, ...], fragment: str) -> None:
    files = bad_files(tmp_path)
    args = tuple(str(files[a[1:-1]]) if a.startswith("{") else a for a in args)
    completed = run(*args)
    assert completed.returncode == 2
    lines = completed.stderr.splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("mockserver: error: ")
    assert fragment in lines[0]
    assert "Traceback" not in completed.stderr


def test_a_busy_port_is_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        completed = run("serve", "--port", port)
    assert completed.returncode == 2
    assert completed.stderr.startswith(f"mockserver: error: cannot listen on 127.0.0.1:{port}")
    assert len(completed.stderr.splitlines()) == 1


def test_serve_answers_and_stops_on_ctrl_c() -> None:
    with serving("--synthetic", "30", "--seed", "1") as (proc, url, lines):
        assert url.startswith("http://127.0.0.1:")
        assert lines[1].startswith(f"try: curl -s {url}/v1/models -H 'x-api-key: ")
        response = httpx.get(f"{url}/v1/models", headers=HEADERS)
        assert response.status_code == 200
        assert [m["id"] for m in response.json()["data"]] == list(Catalog.synthetic(30, 1).view().ids)[:20]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        assert proc.stdout is not None and proc.stdout.read().strip().endswith("mockserver: stopped")


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
    with serving("--api-key", "good", "--no-admin") as (_, url, _lines):
        assert httpx.get(f"{url}/v1/models", headers={**HEADERS, "x-api-key": "good"}).status_code == 200
        assert httpx.get(f"{url}/v1/models", headers=HEADERS).status_code == 401
        assert (
            httpx.get(f"{url}/v1/models/claude-sonnet-4-5", headers={**HEADERS, "x-api-key": "good"}).json()["id"]
            == "claude-sonnet-4-5-20250929"
        )
        assert httpx.get(f"{url}/_mock").status_code == 404


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
