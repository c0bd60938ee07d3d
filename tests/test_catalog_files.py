"""A catalog file is a regular file of at most ``MAX_CATALOG_BYTES``: anything else is refused before a byte is read.

A load that waits (on a FIFO's open) or reads without end (``/dev/zero``) fails these tests by a timeout,
not by hanging the run.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from anthropic_models_mock import Catalog, CatalogError
from anthropic_models_mock.catalog import loader as loading
from anthropic_models_mock.model import limits
from commands import MOCKSERVER

#: Seconds a refusal may take (it takes milliseconds): a load still going then has hung.
PATIENCE = 20

no_fifos = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")


def loaded(path: Path) -> Any:
    """What ``Catalog.from_file(path)`` returns or raises, within ``PATIENCE`` seconds (else the test fails)."""
    outcome: list[Any] = []

    def load() -> None:
        try:
            outcome.append(Catalog.from_file(path))
        except BaseException as exc:  # the test looks at it
            outcome.append(exc)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(PATIENCE)
    if not outcome:
        pytest.fail(f"Catalog.from_file({str(path)!r}) still running after {PATIENCE} s")
    return outcome[0]


def refusal(path: Path) -> str:
    """The message of the ``CatalogError`` that loading ``path`` raises."""
    outcome = loaded(path)
    assert isinstance(outcome, CatalogError), outcome
    return str(outcome)


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    """A FIFO with no writer; afterwards, a reader still waiting on it (a load that hung) is let go."""
    path = tmp_path / "catalog.fifo"
    os.mkfifo(path)
    yield path
    with contextlib.suppress(OSError):  # (no reader: nothing waits)
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))  # a waiting reader's open returns, then reads EOF


def irregular(path: Path, kind: str) -> str:
    return f"{path}: cannot read catalog file: it is {kind}, not a regular file"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero on this system")
def test_a_device_is_refused_not_read() -> None:
    assert refusal(Path("/dev/zero")) == irregular(Path("/dev/zero"), "a character device")


@no_fifos
def test_a_fifo_is_refused_without_waiting_for_a_writer(fifo: Path) -> None:
    assert refusal(fifo) == irregular(fifo, "a FIFO")


@no_fifos
def test_a_fifo_with_a_writer_is_refused_before_a_byte_is_read(fifo: Path) -> None:
    keeper = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # so that the writer can open it at once
    writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    try:
        os.write(writer, b"[]")
        assert refusal(fifo) == irregular(fifo, "a FIFO")
        assert os.read(keeper, 100) == b"[]"  # still in the pipe
    finally:
        os.close(writer)
        os.close(keeper)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    assert refusal(tmp_path) == irregular(tmp_path, "a directory")


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets on this system")
def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sock"
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))
        assert refusal(path) == irregular(path, "a socket")


def test_a_link_is_followed(tmp_path: Path) -> None:
    """A link to a regular file loads that file; a link to anything else is refused, by the name given."""
    catalog = Catalog.synthetic(20, 3)
    target = tmp_path / "catalog.json"
    target.write_bytes(catalog.to_json())
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert loaded(link).to_json() == catalog.to_json()
    (tmp_path / "folder.json").symlink_to(tmp_path, target_is_directory=True)
    assert refusal(tmp_path / "folder.json") == irregular(tmp_path / "folder.json", "a directory")


def test_a_file_larger_than_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = Catalog.synthetic(20, 3)
    path = tmp_path / "catalog.json"
    path.write_bytes(catalog.to_json())
    size = path.stat().st_size
    monkeypatch.setattr(limits, "MAX_CATALOG_BYTES", size)
    assert loaded(path).to_json() == catalog.to_json()
    monkeypatch.setattr(limits, "MAX_CATALOG_BYTES", size - 1)
    expected = (
        f"{path}: cannot read catalog file: it is {size:,} bytes, more than a catalog file may be ({size - 1:,} bytes)"
    )
    assert refusal(path) == expected


class Counted:
    """A file whose reads are counted (in bytes)."""

    def __init__(self, file: Any) -> None:
        self.file, self.read = file, 0

    def readinto(self, view: Any) -> int:
        count: int = self.file.readinto(view)
        self.read += count
        return count

    def __getattr__(self, name: str) -> Any:
        return getattr(self.file, name)


def test_a_file_that_grows_while_it_is_read_is_read_no_further_than_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that grows once open (a short one: read whole) is read to its end while that is within the
    limit; past it, it is refused after reading a byte more than the limit, and no further."""
    text = Catalog.synthetic(20, 3).to_json()
    path = tmp_path / "catalog.json"
    opened = loading._OnDisk.__init__
    files: list[Counted] = []
    growth = b" " * 10_000

    def growing(self: loading._OnDisk, file: Any) -> None:
        opened(self, file)
        self.file = counted = Counted(file)
        files.append(counted)
        with path.open("ab") as more:
            more.write(growth)

    monkeypatch.setattr(loading._OnDisk, "__init__", growing)
    for limit in (len(text) + len(growth), len(text) + 100):
        path.write_bytes(text)
        monkeypatch.setattr(limits, "MAX_CATALOG_BYTES", limit)
        outcome = loaded(path)
        if limit == len(text) + len(growth):
            assert outcome.to_json() == Catalog.from_json(text).to_json()  # (it grew by spaces only)
            assert files[-1].read == limit
        else:
            assert isinstance(outcome, CatalogError)
            assert str(outcome) == f"{path}: cannot read catalog file: it grew past {limit:,} bytes while it was read"
            assert files[-1].read == limit + 1


def run_within(*args: str) -> subprocess.CompletedProcess[str]:
    """``mockserver ARGS``, run for ``PATIENCE`` seconds at most (a longer run fails the test)."""
    try:
        return subprocess.run([*MOCKSERVER, *args], capture_output=True, text=True, timeout=PATIENCE)
    except subprocess.TimeoutExpired:
        pytest.fail(f"mockserver {' '.join(args)} still running after {PATIENCE} s")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero on this system")
def test_serve_refuses_a_device_in_one_line() -> None:
    done = run_within("serve", "--catalog", "/dev/zero", "--port", "0")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [f"mockserver: error: {irregular(Path('/dev/zero'), 'a character device')}"]


@no_fifos
def test_catalog_refuses_a_fifo_in_one_line(fifo: Path) -> None:
    done = run_within("catalog", "--catalog", str(fifo))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [f"mockserver: error: {irregular(fifo, 'a FIFO')}"]


@no_fifos
def test_catalog_diff_refuses_a_device_and_a_fifo_in_one_line(fifo: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(Catalog.synthetic(2, 1).to_json().decode())
    for bad, kind in ((Path("/dev/zero"), "a character device"), (fifo, "a FIFO")):
        done = run_within("catalog", "diff", str(bad), str(good))
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr.splitlines() == [f"mockserver: error: {irregular(bad, kind)}"]


def _small_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero on this system")
@pytest.mark.parametrize("command", [["serve", "--port", "0", "--catalog", "-"], ["catalog", "diff", "-", "/dev/null"]])
def test_endless_standard_input_is_one_line_even_when_memory_runs_out(command: list[str]) -> None:
    with open("/dev/zero", "rb") as zeros:
        done = subprocess.run(
            [sys.executable, "-m", "anthropic_models_mock", *command],
            stdin=zeros, capture_output=True, text=True, timeout=120, preexec_fn=_small_address_space,
        )  # fmt: skip
    assert (done.returncode, done.stdout) == (2, "")
    (line,) = done.stderr.splitlines()
    assert line.startswith("mockserver: error: <stdin>: cannot read catalog: ")


def test_standard_input_past_the_catalog_limit_is_refused(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    from anthropic_models_mock.cli.main import main
    from anthropic_models_mock.model import limits

    monkeypatch.setattr(limits, "MAX_CATALOG_BYTES", 100)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(Catalog.synthetic(2, 1).to_json())))
    with pytest.raises(SystemExit) as exit_:
        main(["catalog", "--catalog", "-"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        "mockserver: error: <stdin>: cannot read catalog: more than 100 bytes, more than a catalog file may be"
    ]
