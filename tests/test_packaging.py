"""Installed, the package is its own: import names nobody else has, the embedded catalog, typing markers.

The distribution installs exactly two import packages, ``anthropic_models_mock`` (the server)
and ``anthropic_models_testkit`` (the pytest plugin, strategies, contract suite), so it can sit
in any project: beside a project's own ``fixtures/`` or ``mockserver/`` package, and beside PyPI's
``fixtures`` (testtools) or MockServer's ``mockserver`` client.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"anthropic_models_mock", "anthropic_models_testkit"}


def _run(*args: str | Path, **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=600, **options)  # type: ignore[call-overload,no-any-return]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", out, ROOT)
    assert built.returncode == 0, built.stderr
    [found] = out.glob("anthropic_models_mock-*.whl")
    return found


def test_wheel_installs_only_import_names_of_its_own(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert archive.read("anthropic_models_mock/_data/models.json") == (ROOT / "data" / "models.json").read_bytes()
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        points = archive.read(entry_points).decode()
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == OURS
    assert {
        "anthropic_models_mock/py.typed",
        "anthropic_models_testkit/py.typed",
        "anthropic_models_mock/__main__.py",
        "anthropic_models_testkit/plugin.py",
        "anthropic_models_mock/http/_ui/index.html",  # the dashboard, whole: page, script, style
        "anthropic_models_mock/http/_ui/app.js",
        "anthropic_models_mock/http/_ui/app.css",
    } <= names
    for name in ("index.html", "app.js", "app.css"):
        shipped = archive_bytes(wheel, f"anthropic_models_mock/http/_ui/{name}")
        assert shipped == (ROOT / "mockserver" / "anthropic_models_mock" / "http" / "_ui" / name).read_bytes()
    assert "mockserver = anthropic_models_mock.cli:main" in points  # the command keeps its name
    assert "anthropic_models_mock = anthropic_models_testkit.plugin" in points
    assert "anthropic_models_mock = anthropic_models_testkit._hypothesis:_hypothesis_setup_hook" in points


def archive_bytes(wheel: Path, name: str) -> bytes:
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(name)


def test_installed_layout_finds_the_embedded_catalog(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    probe = (
        "from anthropic_models_mock.catalog import default_catalog_path, Catalog;"
        "import anthropic_models_mock;"
        "print(anthropic_models_mock.__file__);"
        "print(default_catalog_path());"
        "print(len(Catalog.default()));"
        "from anthropic_models_mock.http.dashboard import read_asset;"
        "print(len(read_asset('index.html')) > 0)"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    completed = _run(sys.executable, "-c", probe, cwd=tmp_path, env=env)
    assert completed.returncode == 0, completed.stderr
    module, path, count, page = completed.stdout.split()
    assert page == "True", "the dashboard's page is read from the installed package"
    assert module.startswith(str(site)), "the unpacked wheel, not the source tree, was imported"
    assert path == str(site / "anthropic_models_mock" / "_data" / "models.json")
    assert int(count) > 20


# -- a user's project that has its own fixtures/ and mockserver/ packages --------------------
USER_TEST = """
import hypothesis
import fixtures.data
import mockserver
from fixtures.data import ROWS


def test_own_packages_win():
    assert ROWS == [1, 2, 3] and mockserver.OWN is True


def test_plugin_is_active(anthropic_mock):
    assert anthropic_mock.base_url.startswith("http://127.0.0.1:")
    assert len(anthropic_mock.catalog) > 20
"""


def _user_project(root: Path) -> Path:
    (root / "fixtures").mkdir()
    (root / "fixtures" / "__init__.py").write_text("")
    (root / "fixtures" / "data.py").write_text("ROWS = [1, 2, 3]\n")
    (root / "mockserver").mkdir()
    (root / "mockserver" / "__init__.py").write_text("OWN = True\n")
    (root / "test_user.py").write_text(textwrap.dedent(USER_TEST))
    return root


def test_a_project_with_its_own_fixtures_and_mockserver_packages(tmp_path: Path) -> None:
    project = _user_project(tmp_path)
    result = _run(sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


@pytest.mark.parametrize(
    "shadow",
    [
        "raise ImportError('a broken package of the user')",  # broken packages of the same generic names
        "raise SystemExit('should never run')",
    ],
)
def test_import_hypothesis_never_fails_whatever_is_on_sys_path(tmp_path: Path, shadow: str) -> None:
    for name in ("fixtures", "mockserver", "anthropic"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(shadow + "\n")
    probe = "import hypothesis, hypothesis.strategies as st; print(st.integers().example() is not None)"
    result = _run(sys.executable, "-c", probe, cwd=tmp_path)  # -c puts the cwd first on sys.path
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


# -- beside PyPI's fixtures (testtools) ---------------------------------------------------------
@pytest.fixture(scope="module")
def pypi_fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pypi")
    got = _run(sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", out, "fixtures")
    if got.returncode != 0:
        pytest.skip(f"PyPI's fixtures could not be downloaded (no package index here?): {got.stderr.strip()[-200:]}")
    [found] = out.glob("fixtures-*.whl")
    return found


def _venv(path: Path) -> Path:
    venv.EnvBuilder(with_pip=True).create(path)
    return path / "bin" / "python"


def _state(python: Path) -> tuple[bool, bool]:
    """Whether PyPI's ``fixtures`` and our test kit are each installed and whole."""
    probe = textwrap.dedent(
        """
        import importlib.util, sys
        theirs = importlib.util.find_spec("fixtures")
        ours = importlib.util.find_spec("anthropic_models_testkit")
        fixtures_ok = False
        if theirs is not None:
            import fixtures
            fixtures_ok = hasattr(fixtures, "Fixture") and hasattr(fixtures, "MonkeyPatch")
        print(fixtures_ok, ours is not None and ours.origin is not None)
        """
    )
    result = _run(python, "-c", probe)
    assert result.returncode == 0, result.stderr
    theirs, ours = result.stdout.split()
    return theirs == "True", ours == "True"


@pytest.mark.parametrize("first", ["theirs", "ours"])
def test_pypi_fixtures_installed_before_or_after_then_each_uninstalled(
    tmp_path: Path, wheel: Path, pypi_fixtures: Path, first: str
) -> None:
    python = _venv(tmp_path / "venv")
    pip = (python, "-m", "pip", "--disable-pip-version-check", "--quiet")
    order = [pypi_fixtures, wheel] if first == "theirs" else [wheel, pypi_fixtures]
    for archive in order:
        installed = _run(*pip, "install", "--no-deps", archive)
        assert installed.returncode == 0, installed.stderr
    assert _state(python) == (True, True)
    # Uninstalling either leaves the other whole (shared files would be deleted with it).
    gone_first, gone_then = (
        ("fixtures", "anthropic-models-mock") if first == "ours" else ("anthropic-models-mock", "fixtures")
    )
    assert _run(*pip, "uninstall", "--yes", gone_first).returncode == 0
    assert _state(python) == ((False, True) if gone_first == "fixtures" else (True, False))
    assert _run(*pip, "uninstall", "--yes", gone_then).returncode == 0
    assert _state(python) == (False, False)


def test_entry_points_import_nothing_heavy() -> None:
    """pytest and Hypothesis load the kit's entry points in every run of every project: they stay cheap."""
    probe = textwrap.dedent(
        """
        import sys
        import anthropic_models_testkit, anthropic_models_testkit.plugin, anthropic_models_testkit._hypothesis
        heavy = {"anthropic", "anthropic_models_mock", "starlette", "uvicorn", "faker", "httpx", "httpx2"}
        print(sorted(heavy & set(sys.modules)))
        anthropic_models_testkit.AnthropicMock  # the public name is there, imported on first use
        print("anthropic_models_mock" in sys.modules)
        """
    )
    result = _run(sys.executable, "-c", probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["[]", "True"]


def test_a_type_checker_sees_the_public_names_and_no_other(tmp_path: Path) -> None:
    """The names imported on first use are the real ones to mypy, and a misspelt one is an error."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import anthropic_models_mock\n"
        "from anthropic_models_mock import Catalog\n"
        "reveal_type(Catalog.synthetic)\n"
        "anthropic_models_mock.Catalgo\n"
    )
    result = _run(sys.executable, "-m", "mypy", "--no-incremental", "--strict", probe, cwd=tmp_path)
    assert "anthropic_models_mock.catalog.catalog.Catalog" in result.stdout, result.stdout
    assert 'Module has no attribute "Catalgo"' in result.stdout, result.stdout


def test_the_kit_imports_only_names_the_server_exports() -> None:
    """The kit is a user of the server package like any other: every name it takes from it is in the
    ``__all__`` of the package or of a subpackage (import-linter keeps it off the modules inside those)."""
    import ast
    import importlib

    taken: list[tuple[str, str, str]] = []
    for path in sorted((ROOT / "fixtures" / "anthropic_models_testkit").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("anthropic_models_mock"):
                taken += [(path.name, node.module or "", alias.name) for alias in node.names]
    assert len(taken) > 10  # the walk finds the kit's imports
    missing = [
        f"{where}: {module}.{name}"
        for where, module, name in taken
        if name not in getattr(importlib.import_module(module), "__all__", ())
    ]
    assert not missing, missing
