"""Overhead of the pytest plugin: the session's server start, and the per-test cost of ``anthropic_mock``.

    python benchmarks/bench_plugin.py [--tests 300]

Measures in one run: ``AnthropicMock`` start+stop (what a session pays once per
xdist worker), ``reset()`` after a test that changed the catalog, added faults
and made requests (what each test pays), and pytest runs of N trivial tests with
and without the fixture, timing each test's setup and teardown inside pytest (a
hook in the run's conftest) so that what the fixture adds per test is measured
apart from the session's one-time costs and from process start-up noise.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from anthropic_models_testkit.mock import AnthropicMock

NEW = {"id": "claude-bench-1", "display_name": "B", "created_at": "2031-01-01T00:00:00Z"}


def session_start(rounds: int = 5) -> tuple[float, float]:
    starts, stops = [], []
    for _ in range(rounds):
        mock = AnthropicMock()
        started = time.perf_counter()
        mock.start()
        running = time.perf_counter()
        mock.stop()
        starts.append(running - started)
        stops.append(time.perf_counter() - running)
    return statistics.median(starts), statistics.median(stops)


def per_test_reset(rounds: int = 2000) -> float:
    times = []
    with AnthropicMock() as mock:
        for _ in range(rounds):
            mock.add_model(NEW)
            mock.faults.sequence(429, 429)
            mock.journal.record("GET", "/v1/models", b"limit=5", [(b"x-api-key", b"k")], 200, "req_1")
            started = time.perf_counter()
            mock.reset()
            times.append(time.perf_counter() - started)
    return statistics.median(times)


_TIMING_PLUGIN = """
import json, os, time
import pytest

spent = []

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    started = time.perf_counter_ns()
    yield
    item.bench_setup = time.perf_counter_ns() - started

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    started = time.perf_counter_ns()
    yield
    spent.append(item.bench_setup + time.perf_counter_ns() - started)

def pytest_sessionfinish(session):
    with open(os.environ["BENCH_OUT"], "w") as out:
        json.dump(spent, out)
"""


def pytest_run(tests: int, with_fixture: bool) -> tuple[float, float]:
    """A pytest run of ``tests`` trivial tests: wall time (s), and the median setup + teardown of a test (s)."""
    arg = "anthropic_mock" if with_fixture else ""
    source = f"""
        import pytest

        @pytest.mark.parametrize("n", range({tests}))
        def test_it({arg}{", " if arg else ""}n):
            assert n >= 0
        """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "test_bench.py"
        path.write_text(textwrap.dedent(source))
        (Path(folder) / "conftest.py").write_text(_TIMING_PLUGIN)
        out = Path(folder) / "spent.json"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
            check=True,
            capture_output=True,
            cwd=folder,
            env={**os.environ, "BENCH_OUT": str(out)},
        )
        wall = time.perf_counter() - started
        return wall, statistics.median(json.loads(out.read_text())) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=300)
    args = parser.parse_args()
    start, stop = session_start()
    reset = per_test_reset()
    bare = [pytest_run(args.tests, False) for _ in range(3)]
    fixture = [pytest_run(args.tests, True) for _ in range(3)]
    wall_bare, wall_fixture = (statistics.median(wall for wall, _ in runs) for runs in (bare, fixture))
    each_bare, each_fixture = (statistics.median(each for _, each in runs) for runs in (bare, fixture))
    print(f"server start (once per session and xdist worker): {start * 1000:.1f} ms; stop: {stop * 1000:.1f} ms")
    print(f"reset after a test (catalog change, faults, journal): {reset * 1e6:.1f} µs")
    print(
        f"setup + teardown of a test, median: {each_bare * 1e6:.0f} µs bare, {each_fixture * 1e6:.0f} µs with"
        f" anthropic_mock → {(each_fixture - each_bare) * 1e6:.0f} µs per test for the fixture"
    )
    print(
        f"pytest, {args.tests} trivial tests (wall time, noisy): {wall_bare:.2f} s bare,"
        f" {wall_fixture:.2f} s with anthropic_mock (imports, server start and stop included)"
    )


if __name__ == "__main__":
    main()
