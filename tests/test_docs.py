"""The examples of the README and of the documentation site are tests: every Python block, test file,
conftest, ini section, curl line, shell recipe and CI snippet runs for real (the ``ts`` blocks run in
test_typescript.py). A block that is output rather than an example is ``json`` or ``text``."""

from __future__ import annotations

import json
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
#: Every page a user reads: the README, the site's pages, and the two files the site includes.
DOCUMENTS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").rglob("*.md")),
    ROOT / "CONTRIBUTING.md",
    ROOT / "CHANGELOG.md",
]
TEXTS = {path: path.read_text(encoding="utf-8") for path in DOCUMENTS}
README = TEXTS[ROOT / "README.md"]
DOCUMENTED_URL = "http://127.0.0.1:4010"
QUIET = ("-p", "no:cacheprovider", "-o", "asyncio_default_fixture_loop_scope=function")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", flags=re.DOTALL | re.MULTILINE)


def blocks(language: str, texts: list[str] | None = None) -> list[str]:
    return [body for text in (texts or list(TEXTS.values())) for lang, body in FENCE.findall(text) if lang == language]


SETUP = blocks("sh", [README])[:2]
SH = [b for b in blocks("sh") if b not in SETUP]
CURL_BLOCKS = [b for b in SH if b.startswith("curl ")]
CLI_LINES = [line for b in SH for line in b.splitlines() if line.startswith("mockserver serve --fault")]
SERVICE = [b for b in SH if b.startswith("mockserver serve --port 0 >")]
RECORD = [b for b in SH if b.startswith("mockserver catalog record ")]
VIEW_RECIPES = [b for b in SH if b.startswith("cat > keys.json <<")]
ENVIRONMENT = [b for b in SH if b.startswith("export ANTHROPIC_")]
CONTRIBUTOR = [b for b in SH if b.startswith(("python3 -m venv", ".venv/bin/"))]
TEST_FILES = [b for b in blocks("python") if re.match(r"# test_\w+\.py\n", b)]
CONFTESTS = [b for b in blocks("python") if b.startswith("# conftest.py\n")]
SCRIPTS = [b for b in blocks("python") if b not in TEST_FILES and b not in CONFTESTS]
INI = blocks("ini")
CI_YAML = [b for b in blocks("yaml") if "127.0.0.1:4010/_mock/health" in b]
DRIFT_YAML = [b for b in blocks("yaml") if "run: .ci/drift" in b]


def test_every_block_is_run_or_is_output() -> None:
    """No example escapes: each fenced block is of a kind a test here (or test_typescript.py) runs."""
    run = {"sh", "python", "ini", "yaml", "ts"}
    for path, text in TEXTS.items():
        for language, body in FENCE.findall(text):
            where = f"{path.relative_to(ROOT)}: ```{language}\n{body[:80]}"
            assert language in run | {"json", "text"}, where
            if language == "json":
                json.loads(body)
    classified = [*SETUP, *CURL_BLOCKS, *SERVICE, *RECORD, *ENVIRONMENT, *CONTRIBUTOR, *VIEW_RECIPES]
    classified += [b for b in SH if all(line.startswith("mockserver serve --fault") for line in b.splitlines())]
    assert [b for b in blocks("sh") if b not in classified] == []
    assert [b for b in blocks("yaml") if b not in CI_YAML + DRIFT_YAML] == []


def test_the_environment_lines_are_what_the_examples_run_with() -> None:
    for block in ENVIRONMENT:
        assert block.strip() == f"export ANTHROPIC_BASE_URL={DOCUMENTED_URL} ANTHROPIC_API_KEY=test-key"


def test_the_contributor_commands_are_ci_s() -> None:
    """Every command the contributor guide gives is the README's or one .ci/run runs."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    setup = [line for block in SETUP for line in block.splitlines()]
    for block in CONTRIBUTOR:
        for line in block.splitlines():
            command = line.split("  #")[0].rstrip()
            assert command in setup or command in ci, f"{command!r}: neither the README's set-up nor in .ci/run"


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
    exec(compile(source, "docs example", "exec"), {"__name__": "readme_example"})


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
    assert CI_YAML and DRIFT_YAML and SERVICE and RECORD and ENVIRONMENT


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


@pytest.mark.parametrize("recipe", SERVICE, ids=[f"service{n}" for n in range(len(SERVICE))])
def test_the_ci_service_recipe(tmp_path: Path, recipe: str) -> None:
    """The shell recipe: serve on a free port, read the URL line, and the probe answers."""
    script = recipe + 'echo "$ANTHROPIC_BASE_URL"\nkill %1\nwait\n'
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    url = done.stdout.strip().splitlines()[0]
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url), done
    assert "url: " + url in (tmp_path / "mockserver.log").read_text()


def printed_after(block: str) -> str:
    """The ``text`` block that follows ``block`` on its page: what the page says it prints."""
    for text in TEXTS.values():
        at = text.find(block)
        if at >= 0:
            after = text.index("```", at + len(block)) + len("```")  # past the block's own closing fence
            following = [m for m in FENCE.finditer(text, after) if m.group(1) == "text"]
            return following[0].group(2)
    raise AssertionError("the recipe is on no page")


@pytest.mark.parametrize("recipe", VIEW_RECIPES, ids=[f"views{n}" for n in range(len(VIEW_RECIPES))])
def test_the_views_recipe_prints_what_its_page_says(tmp_path: Path, recipe: str) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-ec", recipe], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done
    assert done.stdout == printed_after(recipe)


@pytest.mark.parametrize("yaml", CI_YAML, ids=[f"ci{n}" for n in range(len(CI_YAML))])
def test_the_probe_the_ci_example_waits_on(server: BackgroundServer, yaml: str) -> None:
    probe = re.search(r"http://127\.0\.0\.1:4010(/\S+)", yaml).group(1)  # type: ignore[union-attr]
    response = httpx.get(server.url + probe)
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert "mockserver serve --port 4010 &" in yaml


@pytest.mark.parametrize("yaml", DRIFT_YAML, ids=[f"drift{n}" for n in range(len(DRIFT_YAML))])
def test_the_drift_job_runs_the_project_s_drift_script(yaml: str) -> None:
    assert "ANTHROPIC_API_KEY: ${{ secrets.ANTHROPIC_API_KEY }}" in yaml
    assert os.access(ROOT / ".ci" / "drift", os.X_OK)


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


SITE = "https://anthropic-models-mock.github.io/anthropic-models-mock/"


def test_the_readme_s_links_into_the_site_name_its_pages() -> None:
    """The README links the published site (its links must work on PyPI too): each link names a page of docs/."""
    pages = re.findall(rf"\({re.escape(SITE)}([^)#]*)", README)
    assert len(pages) >= 5
    for page in pages:
        source = ROOT / "docs" / (f"{page.rstrip('/')}.md" if page else "index.md")
        assert source.is_file(), f"{SITE}{page}: no {source.relative_to(ROOT)}"
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert f"site_url: {SITE}\n" in config
