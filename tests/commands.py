"""Running the ``mockserver`` command as a user does: a subprocess, its banner, its URL; or its entry point in
this process, where what is checked is what it says and how it exits."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import IO
from unittest import mock

from anthropic_models_mock.cli.main import main

__all__ = ["HEADERS", "MOCKSERVER", "SCRIPT", "banner", "run", "run_here", "serving"]

MOCKSERVER = [sys.executable, "-m", "anthropic_models_mock"]
SCRIPT = Path(sys.executable).parent / "mockserver"
HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01"}


def run(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*MOCKSERVER, *args], capture_output=True, text=True, timeout=120, input=stdin, env=env)


def run_here(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``mockserver ARGS`` run in this process through its entry point, ``main`` (with ``env``, when given, as its
    whole environment): its exit status (from ``SystemExit``), standard output and standard error, as ``run``
    gives a subprocess's.

    For the tests of what a run says and how it exits, without a process's start (the package's import, half
    a second of CPU). ``run`` drives the real process where that is part of the test: signals, sockets,
    standard input, the installed script."""
    out, err = io.StringIO(), io.StringIO()
    environment = mock.patch.dict(os.environ, env or {}, clear=env is not None)
    with environment, redirect_stdout(out), redirect_stderr(err):
        try:
            main(list(args))
            code = 0
        except SystemExit as exited:
            code = 0 if exited.code is None else exited.code if isinstance(exited.code, int) else 1
    return subprocess.CompletedProcess(["mockserver", *args], code, out.getvalue(), err.getvalue())


def banner(proc: subprocess.Popen[str]) -> list[str]:
    """The lines a server prints up to its last banner line, ``url: …`` (the server is killed after 60 s)."""
    assert proc.stdout is not None
    watchdog = threading.Timer(60, proc.kill)  # a server that never prints it ends the wait: EOF
    watchdog.start()
    try:
        lines: list[str] = []
        while not lines or not lines[-1].startswith("url: "):
            line = proc.stdout.readline()
            assert line, f"the server ended before its url line: {lines}"
            lines.append(line)
    finally:
        watchdog.cancel()
    return lines


@contextmanager
def serving(
    *args: str, stdin: IO[str] | int = subprocess.DEVNULL
) -> Iterator[tuple[subprocess.Popen[str], str, list[str]]]:
    """``mockserver serve --port 0 ARGS``: the process (stdout and stderr piped), its URL, its banner lines."""
    command = [*MOCKSERVER, "serve", "--port", "0", *args]
    with subprocess.Popen(command, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        try:
            lines = banner(proc)
            yield proc, lines[-1].removeprefix("url: ").strip(), lines
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)
