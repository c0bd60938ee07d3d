"""Overhead of the pytest plugin: the session's server start, and the per-test cost of ``anthropic_mock``.

    python benchmarks/bench_plugin.py [--tests 300]

Measures in one run: ``AnthropicMock`` start+stop (what a session pays once per
xdist worker), ``reset()`` after a test that changed the catalog, added faults
and made requests (what each test pays), and whole pytest runs of N trivial
tests with and without the fixture, reporting the difference per test.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from fixtures.mock import AnthropicMock

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


def pytest_run(tests: int, with_fixture: bool) -> float:
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
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
            check=True,
            capture_output=True,
            cwd=folder,
        )
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=300)
    args = parser.parse_args()
    start, stop = session_start()
    reset = per_test_reset()
    bare = statistics.median(pytest_run(args.tests, False) for _ in range(3))
    fixture = statistics.median(pytest_run(args.tests, True) for _ in range(3))
    print(f"server start (once per session and xdist worker): {start * 1000:.1f} ms; stop: {stop * 1000:.1f} ms")
    print(f"reset after a test (catalog change, faults, journal): {reset * 1e6:.1f} µs")
    print(
        f"pytest, {args.tests} trivial tests: {bare:.2f} s bare, {fixture:.2f} s with anthropic_mock "
        f"→ {(fixture - bare) / args.tests * 1000:.2f} ms per test (session start included)"
    )


if __name__ == "__main__":
    main()
