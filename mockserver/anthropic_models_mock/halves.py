"""A long catalog file decoded on two cores: a helper process decodes the second half of its models array
into blocks, while this process decodes the first half, then takes the helper's blocks.

Nothing depends on the helper. If it cannot start, fails, or its half does not begin where a model does
(see ``loading._models``), this process decodes that half itself, and the catalog is the same.
"""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store import Block, Row

__all__ = ["Half", "Helper", "Part", "cores"]

#: The directory the package is in: the helper imports this same copy of it.
_ROOT = Path(__file__).resolve().parent.parent


def cores() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # (not on every system)
        return os.cpu_count() or 1


#: Blocks a helper made, and its profiles so far (the index of each, by its raw text).
Part = tuple[list["Block"], dict[bytes, int]]


class Half:
    """What the helper decoded and was not taken yet: parts, the rows after the last block, its profiles."""

    def __init__(self, parts: list[Part], pending: list[Row], profiles: dict[bytes, int]) -> None:
        self.parts, self.pending, self.profiles = parts, pending, profiles


class Helper:
    """A helper process decoding the models in ``path[start:end]`` into a temporary file, and a thread
    hearing how many it has decoded and how much of the file is whole messages.

    This process reads the file (``take``, ``result``) without moving its offset, which the helper
    writes at. Use it in a ``with`` statement: the process is stopped on the way out, whatever happened.
    """

    def __init__(self, path: Path, start: int, end: int) -> None:
        self.start, self.received = start, 0  # models decoded so far
        self._written = self._read = 0  # bytes of whole messages in the file; bytes of them read
        self._read_messages: list[tuple[Any, ...]] = []  # read, not taken: the last (if read early)
        self._failed = False
        self._out = _scratch()
        paths = [str(_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(path), str(start), str(end)],
                stdin=subprocess.DEVNULL,
                stdout=self._out,
                stderr=subprocess.PIPE,  # a line after each message (anything else: its failures, ignored)
                env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
            )
        except BaseException:
            self._out.close()
            raise
        self._thread = threading.Thread(target=self._hear, name="mockserver load helper", daemon=True)
        self._thread.start()

    def _hear(self) -> None:
        assert self._process.stderr is not None
        for line in self._process.stderr:
            counts = line.split()
            if len(counts) == 2 and all(count.isdigit() for count in counts):
                self.received, self._written = int(counts[0]), int(counts[1])

    def take(self) -> list[Part]:
        """The parts written since the last call (none where files cannot be read at an offset)."""
        if not hasattr(os, "pread") or self._failed:
            return []
        try:
            self._read_messages += self._messages(self._written)
        except Exception:  # not what the helper writes: decode that part here (see ``result``)
            self._failed = True
            return []
        parts = [message[1:] for message in self._read_messages if message[0] == "blocks"]
        self._read_messages = [message for message in self._read_messages if message[0] != "blocks"]
        return parts

    def result(self) -> Half | None:
        """The parts not taken and the rest, once the helper has ended; ``None`` if it failed."""
        self._thread.join()
        if self._process.wait() != 0 or self._failed:
            return None
        try:
            *parts, last = self._read_messages + self._messages(os.fstat(self._out.fileno()).st_size)
            if last[0] != "end" or any(part[0] != "blocks" for part in parts):
                return None
        except Exception:  # not what the helper writes: decode that part here
            return None
        return Half([part[1:] for part in parts], last[1], last[2])

    def _messages(self, written: int) -> list[tuple[Any, ...]]:
        """The messages in the file up to ``written``, from where the last call stopped."""
        size = written - self._read
        if size <= 0:
            return []
        if hasattr(os, "pread"):
            data = os.pread(self._out.fileno(), size, self._read)
        else:  # the helper has ended: its offset no longer matters
            self._out.seek(self._read)
            data = self._out.read(size)
        self._read = written
        stream, messages = io.BytesIO(data), []
        while stream.tell() < size:
            messages.append(pickle.load(stream))
        return messages

    def __enter__(self) -> Helper:
        return self

    def __exit__(self, *_: object) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._thread.join()
        if self._process.stderr is not None:
            self._process.stderr.close()
        self._out.close()


def _scratch() -> IO[bytes]:
    """A temporary file for the helper's blocks: in memory where the system has such files."""
    if hasattr(os, "memfd_create"):
        try:
            return os.fdopen(os.memfd_create("mockserver-load-helper"), "w+b")
        except OSError:
            pass
    return tempfile.TemporaryFile()


def _main(argv: list[str]) -> int:
    """The helper: decode ``PATH[START:END]``, write its blocks to stdout as they are made, then the rest;
    after each message, a line to stderr: the models decoded so far, the bytes written."""
    from .loading import decode_half

    out = os.fdopen(os.dup(1), "wb")
    counts = os.fdopen(os.dup(2), "w")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)  # anything else printed goes nowhere, not into the blocks
    os.dup2(null, 2)
    path, start, end = Path(argv[0]), int(argv[1]), int(argv[2])
    decoded = 0

    def write(*message: object) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()
        print(decoded, out.tell(), file=counts, flush=True)

    def send(blocks: list[Block], profiles: dict[bytes, int]) -> None:
        nonlocal decoded
        decoded += sum(map(len, blocks))
        write("blocks", blocks, profiles)

    try:
        write("end", *decode_half(path, start, end, send))
        out.close()
    except Exception:
        return 1
    return 0


if __name__ == "__main__":
    os._exit(_main(sys.argv[1:]))  # at once: freeing a million objects one by one would keep the parent waiting
