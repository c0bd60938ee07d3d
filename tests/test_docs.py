"""The README's examples are tests: Python blocks, test files, curl lines and CLI lines run for real."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from anthropic_models_mock import Catalog, create_app
from anthropic_models_mock.http.server import BackgroundServer
from anyio.pytest_plugin import get_available_backends

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCUMENTED_URL = "http://127.0.0.1:4010"
QUIET = ("-p", "no:cacheprovider", "-o", "asyncio_default_fixture_loop_scope=function")


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README, flags=re.DOTALL | re.MULTILINE)


SETUP = blocks("sh")[:2]
CURL_BLOCKS = [b for b in blocks("sh")[2:] if b.startswith("curl ")]
CLI_LINES = [line for b in blocks("sh") for line in b.splitlines() if line.startswith("mockserver serve --fault")]
SERVICE = [b for b in blocks("sh") if b.startswith("mockserver serve --port 0 >")]
TEST_FILES = [b for b in blocks("python") if re.match(r"# test_\w+\.py\n", b)]
CONFTESTS = [b for b in blocks("python") if b.startswith("# conftest.py\n")]
SCRIPTS = [b for b in blocks("python") if b not in TEST_FILES and b not in CONFTESTS]
INI = blocks("ini")


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(create_app()) as running:
        yield running


def test_readme_starts_with_the_two_setup_commands() -> None:
    commands = [line for block in SETUP for line in block.splitlines()]
    assert commands == [
        "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/mockserver serve",
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest",
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci.splitlines(), ".ci/run must run the README's test command verbatim"


def curl(line: str, base_url: str) -> httpx.Response:
    command, _, expected = line.rpartition("#")
    words = shlex.split(command)
    url = next(word for word in words if word.startswith("http")).replace(DOCUMENTED_URL, base_url)
    option = {words[n]: words[n + 1] for n in range(len(words) - 1) if words[n] in ("-X", "-d")}
    headers = dict(words[n + 1].split(": ", 1) for n, word in enumerate(words) if word == "-H")
    method = option.get("-X", "POST" if "-d" in option else "GET")
    response = httpx.request(method, url, headers=headers, content=option.get("-d"))
    assert response.status_code == int(expected), f"{line}\n-> {response.status_code} {response.text}"
    assert response.headers["request-id"].startswith("req_")
    return response


@pytest.mark.parametrize("block", CURL_BLOCKS, ids=[f"curl{n}" for n in range(len(CURL_BLOCKS))])
def test_curl_examples(server: BackgroundServer, block: str) -> None:
    server.app.mock.reset()  # type: ignore[attr-defined]
    for line in block.splitlines():
        curl(line, server.url)


@pytest.mark.parametrize("source", SCRIPTS, ids=[f"script{n}" for n in range(len(SCRIPTS))])
def test_python_examples(server: BackgroundServer, source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    server.app.mock.reset()  # type: ignore[attr-defined]
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    exec(compile(source, "README.md", "exec"), {"__name__": "readme_example"})


@pytest.mark.parametrize("source", TEST_FILES, ids=[re.match(r"# (\w+)", s).group(1) for s in TEST_FILES])  # type: ignore[union-attr]
def test_test_file_examples(pytester: pytest.Pytester, source: str) -> None:
    """A user's test file, in a fresh folder, with nothing but the installed package."""
    name = source.splitlines()[0][2:]
    (pytester.path / name).write_text(source)
    result = pytester.runpytest_inprocess(*QUIET)
    outcomes = result.parseoutcomes()
    expected = len(re.findall(r"^\s*(?:async )?def test_", source, flags=re.MULTILINE))
    # anyio runs each of its tests once per backend installed (asyncio, and trio when it is there).
    expected += source.count("@pytest.mark.anyio") * (len(get_available_backends()) - 1)
    assert outcomes == {"passed": expected}, result.stdout.str()


@pytest.mark.parametrize("line", CLI_LINES)
def test_cli_fault_example(line: str) -> None:
    """``mockserver serve --fault 429 --fault 429``: two rate limits, then success."""
    args = [*shlex.split(line)[1:], "--port", "0"]
    with subprocess.Popen(
        [sys.executable, "-m", "anthropic_models_mock", *args], stdout=subprocess.PIPE, text=True
    ) as proc:
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().split(" at ")[-1].strip()
            headers = {"x-api-key": "test-key", "anthropic-version": "2023-06-01"}
            statuses = [httpx.get(f"{url}/v1/models", headers=headers).status_code for _ in range(3)]
            assert statuses == [429, 429, 200]
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def test_examples_exist() -> None:
    assert len(CURL_BLOCKS) >= 2 and len(SCRIPTS) >= 3 and len(TEST_FILES) >= 3 and CLI_LINES and CONFTESTS and INI


@pytest.mark.parametrize("conftest", CONFTESTS, ids=[f"conftest{n}" for n in range(len(CONFTESTS))])
def test_conftest_examples(pytester: pytest.Pytester, conftest: str) -> None:
    """A README conftest changes what every test's fake serves."""
    pytester.makeconftest(conftest)
    pytester.makepyfile(
        test_it="""
        from anthropic_models_mock import Catalog

        def test_it(anthropic_mock, anthropic_mock_catalog):
            assert anthropic_mock_catalog is not None and anthropic_mock.catalog is anthropic_mock_catalog
            assert anthropic_mock.catalog != Catalog.default()
        """
    )
    pytester.runpytest_inprocess(*QUIET).assert_outcomes(passed=1)


@pytest.mark.parametrize("ini", INI, ids=[f"ini{n}" for n in range(len(INI))])
def test_ini_examples(pytester: pytest.Pytester, ini: str) -> None:
    path = pytester.path / re.search(r"anthropic_catalog = (\S+)", ini).group(1)  # type: ignore[union-attr]
    path.parent.mkdir(parents=True)
    path.write_text('[{"id": "claude-x-1", "display_name": "X", "created_at": "2030-01-01T00:00:00Z"}]')
    pytester.makeini(ini)
    pytester.makepyfile(
        test_it="def test_it(anthropic_mock):\n    assert list(anthropic_mock.catalog.view().ids) == ['claude-x-1']\n"
    )
    pytester.runpytest_inprocess(*QUIET).assert_outcomes(passed=1)


def test_the_ci_service_recipe(tmp_path: Path) -> None:
    """The README's shell recipe: serve on a free port, read the URL line, and the probe answers."""
    [recipe] = SERVICE
    script = recipe + 'echo "$ANTHROPIC_BASE_URL"\nkill %1\nwait\n'
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    url = done.stdout.strip().splitlines()[0]
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url), done
    assert "url: " + url in (tmp_path / "mockserver.log").read_text()


def test_the_probe_the_ci_example_waits_on(server: BackgroundServer) -> None:
    [yaml] = [block for block in blocks("yaml") if "127.0.0.1:4010" in block]
    probe = re.search(r"http://127\.0\.0\.1:4010(/\S+)", yaml).group(1)  # type: ignore[union-attr]
    response = httpx.get(server.url + probe)
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_the_drift_job_runs_the_project_s_drift_script() -> None:
    [yaml] = [block for block in blocks("yaml") if "drift" in block]
    assert "run: .ci/drift" in yaml and "ANTHROPIC_API_KEY: ${{ secrets.ANTHROPIC_API_KEY }}" in yaml
    assert os.access(ROOT / ".ci" / "drift", os.X_OK)


RECORD = [b for b in blocks("sh") if b.startswith("mockserver catalog record ")]


@pytest.mark.parametrize("block", RECORD, ids=[f"record{n}" for n in range(len(RECORD))])
def test_record_recipe(block: str, tmp_path: Path) -> None:
    """The README's recording lines, run by a shell against a served fake instead of the real API."""
    from commands import serving

    (tmp_path / "tests").mkdir()
    environment = {
        **os.environ,
        "ANTHROPIC_API_KEY": "sk-readme-key",
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    with serving() as (_, url, _lines):
        script = block.replace("https://api.anthropic.com", url)
        done = subprocess.run(
            ["bash", "-euc", script], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120
        )
    assert done.returncode == 0, done.stderr
    assert len(Catalog.from_file(tmp_path / "tests" / "models.json")) == 29
    assert "sk-readme-key" not in done.stdout + done.stderr + (tmp_path / "tests" / "models.json").read_text()
