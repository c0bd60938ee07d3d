"""The official TypeScript SDK (``@anthropic-ai/sdk``) against the fake, with Node.js.

``tests/typescript/check.mjs`` pages forwards and backwards, resolves an alias, gets a 404,
retries through two 429s set with the admin API, reads the beta keys and a fault's details; the
``ts`` blocks of the README and the docs run too. They run with the SDK pinned in ``tests/typescript/package.json``
(today's), and the check again with the one in ``tests/typescript/older/package.json`` (the last
release that sends ``beta=true``). They need ``node`` (20 or newer, as the SDK does) and each SDK
installed with ``npm ci --prefix tests/typescript`` and ``npm ci --prefix tests/typescript/older``
(``.ci/run`` does both). Without them these tests skip, unless ``MOCKSERVER_REQUIRE_TYPESCRIPT=1``
(set by ``.ci/run``) makes that a failure. Nothing is installed from here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "tests" / "typescript"
OLDER = HERE / "older"
MIN_NODE = 20  # @anthropic-ai/sdk's README: "Node.js 20 LTS or later"
#: Every ``ts`` block of the README and of the documentation site.
DOCS_TS = [
    block
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    for block in re.findall(r"^```ts\n(.*?)^```", page.read_text(encoding="utf-8"), re.DOTALL | re.MULTILINE)
]


def missing(folder: Path) -> str | None:
    """Why the TypeScript check cannot run here with the SDK pinned in ``folder``, or None."""
    node = shutil.which("node")
    if node is None:
        return f"node is not on PATH (Node.js {MIN_NODE}+ runs the TypeScript SDK check)"
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    if int(version.lstrip("v").split(".")[0]) < MIN_NODE:
        return f"node {version} is older than the {MIN_NODE} the TypeScript SDK needs"
    where = folder.relative_to(ROOT).as_posix()
    install = f"npm ci --prefix {where}"
    sdk = folder / "node_modules" / "@anthropic-ai" / "sdk" / "package.json"
    if not sdk.is_file():
        return f"@anthropic-ai/sdk is not installed in {where}: run `{install}`"
    pinned = json.loads((folder / "package.json").read_text(encoding="utf-8"))["dependencies"]["@anthropic-ai/sdk"]
    installed = json.loads(sdk.read_text(encoding="utf-8"))["version"]
    if installed != pinned:
        return f"{where} has @anthropic-ai/sdk {installed}, its package.json pins {pinned}: run `{install}`"
    return None


def node_for(folder: Path) -> str:
    """``node``, when the SDK pinned in ``folder`` can run; else a skip (a failure under MOCKSERVER_REQUIRE_TYPESCRIPT=1)."""
    reason = missing(folder)
    if reason is not None:
        if os.environ.get("MOCKSERVER_REQUIRE_TYPESCRIPT") == "1":
            pytest.fail(f"MOCKSERVER_REQUIRE_TYPESCRIPT=1, but {reason}")
        pytest.skip(reason)
    return shutil.which("node") or "node"


@pytest.fixture(scope="module")
def node() -> str:
    return node_for(HERE)


@pytest.fixture
def served() -> Iterator[str]:
    """``mockserver serve --port 0``, the command a project in another language runs; its base URL."""
    command = [sys.executable, "-m", "anthropic_models_mock", "serve", "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            url = next(line for line in proc.stdout if line.startswith("url: "))[len("url: ") :].strip()
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def environment(base_url: str) -> dict[str, str]:
    """This process's environment without the SDK's own variables, then the fake's URL and a key."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANTHROPIC_")}
    return {**env, "ANTHROPIC_BASE_URL": base_url, "ANTHROPIC_API_KEY": "test-key"}


@pytest.mark.parametrize("folder", [HERE, OLDER], ids=["pinned", "older"])
def test_the_typescript_sdk_against_mockserver_serve(folder: Path, served: str) -> None:
    """check.mjs as an ES module read from stdin in ``folder``, so that it imports the SDK installed there."""
    done = subprocess.run(
        [node_for(folder), "--input-type=module"],
        input=(HERE / "check.mjs").read_text(encoding="utf-8"),
        cwd=folder,
        env=environment(served),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert sum(line.startswith("ok ") for line in done.stdout.splitlines()) >= 8, done.stdout


@pytest.mark.parametrize("source", DOCS_TS, ids=[f"ts{n}" for n in range(len(DOCS_TS))])
def test_readme_typescript_examples(node: str, served: str, source: str) -> None:
    """Each ```ts block of the docs, as an ES module read from stdin in tests/typescript (where the SDK is)."""
    done = subprocess.run(
        [node, "--input-type=module"],
        input=source,
        cwd=HERE,
        env=environment(served),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_docs_show_a_typescript_example() -> None:
    assert DOCS_TS, "the docs' TypeScript example is gone"
