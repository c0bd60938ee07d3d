"""The wheel carries the embedded catalog and the typing markers, and finds the catalog once installed."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    [built] = out.glob("anthropic_models_mock-*.whl")
    return built


def test_wheel_contents(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert archive.read("mockserver/_data/models.json") == (ROOT / "data" / "models.json").read_bytes()
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        points = archive.read(entry_points).decode()
    assert {"mockserver/py.typed", "fixtures/py.typed", "mockserver/__main__.py", "fixtures/plugin.py"} <= names
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "data/"))]
    assert "mockserver = mockserver.cli:main" in points
    assert "anthropic_models_mock = fixtures.plugin" in points


def test_installed_layout_finds_the_embedded_catalog(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    probe = (
        "from mockserver.catalog import default_catalog_path, Catalog;"
        "import mockserver;"
        "print(mockserver.__file__);"
        "print(default_catalog_path());"
        "print(len(Catalog.default()))"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env, check=True, timeout=60
    )
    module, path, count = completed.stdout.split()
    assert module.startswith(str(site)), "the unpacked wheel, not the source tree, was imported"
    assert path == str(site / "mockserver" / "_data" / "models.json")
    assert int(count) > 20
