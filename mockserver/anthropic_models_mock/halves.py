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

import msgspec

if TYPE_CHECKING:
    from .store import Block, Row

__all__ = ["Half", "Helper", "Part", "can_start", "cores"]

#: This package's directory: the helper imports this same copy of it, from there.
_PACKAGE = Path(__file__).resolve().parent
#: This process's msgspec: the helper uses the same one, or fails.
_MSGSPEC = str(Path(msgspec.__file__).resolve())
#: The helper's exit status when this process closed its stdin (or ended) before it was done.
_ORPHANED = 3
#: The helper's start, run isolated (``-I``: no working directory, ``PYTHON*`` variables or user site on its
#: path): this package from ``argv[1]``; the interpreter's own modules, then the directory of this process's
#: msgspec (``argv[2]``), which must be the one imported. It ends as soon as its stdin does.
_BOOT = f"""\
import importlib.util, os, sys, threading
package, expected = sys.argv[1:3]
def orphaned():
    while os.read(0, 1 << 16):
        pass
    os._exit({_ORPHANED})
threading.Thread(target=orphaned, daemon=True).start()
spec = importlib.util.spec_from_file_location(
    "anthropic_models_mock", os.path.join(package, "__init__.py"), submodule_search_locations=[package]
)
sys.modules[spec.name] = module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
sys.path.append(os.path.dirname(os.path.dirname(expected)))
import msgspec
if os.path.realpath(msgspec.__file__) != expected:
    os._exit(1)
from anthropic_models_mock.halves import _main
os._exit(_main(sys.argv[3:]))  # at once: freeing a million objects one by one would keep the parent waiting
"""


def can_start() -> bool:
    """Whether a helper can be of use and run here: two cores, an interpreter to run it with, files read at
    an offset (``pread``: not on Windows), this package as files (not in a zip archive)."""
    if not sys.executable or getattr(sys, "frozen", False) or not hasattr(os, "pread"):
        return False
    return cores() >= 2 and (_PACKAGE / "__init__.py").is_file()


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
    """A helper process decoding the models in ``file[start:end]`` (an open file's descriptor, which it
    inherits: the file this process opened, whatever is at its path now) into a temporary file, and a
    thread hearing how much of the temporary file is whole messages.

    Both processes read the file at an offset (``pread``), never moving the one they share; this process
    reads the temporary file so too (``take``, ``result``). The process starts in a ``with`` statement and
    is stopped on the way out, whatever happened; if it cannot start, the helper has failed.
    """

    def __init__(self, file: int, start: int, end: int) -> None:
        self.start, self._file, self._end = start, file, end
        self._written = self._read = 0  # bytes of whole messages in the file; bytes of them read
        self._read_messages: list[tuple[Any, ...]] = []  # read, not taken: the last (if read early)
        self._failed = False
        self._passed = file  # the descriptor the helper inherits (a copy, if this one is 0, 1 or 2)
        self._out: IO[bytes] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Helper:
        flags = ["-I"]  # (and as this process writes bytecode, or does not)
        flags += ["-B"] if sys.dont_write_bytecode else []
        flags += ["-X", f"pycache_prefix={sys.pycache_prefix}"] if sys.pycache_prefix else []
        try:
            if self._file < 3:  # (this process's stdin, stdout or stderr was closed): not where the helper's are
                import fcntl  # (not on Windows, where no helper starts)

                self._passed = fcntl.fcntl(self._file, fcntl.F_DUPFD_CLOEXEC, 3)
            command = [str(_PACKAGE), _MSGSPEC, *map(str, (self._passed, self.start, self._end))]
            self._out = _scratch()
            self._process = process = subprocess.Popen(
                [sys.executable, *flags, "-c", _BOOT, *command],
                stdin=subprocess.PIPE,  # never written: closed, the helper ends (see ``_BOOT``)
                stdout=self._out,
                stderr=subprocess.PIPE,  # a line after each message (anything else: its failures, ignored)
                pass_fds=(self._passed,),
            )
            self._thread = threading.Thread(
                target=self._hear, args=(process.stderr,), name="mockserver load helper", daemon=True
            )
            self._thread.start()
        except (OSError, RuntimeError, subprocess.SubprocessError):  # no process or thread to be had
            self._stop()
            self._failed = True
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self._stop()

    def _stop(self) -> None:
        """Stop the process (if it runs), and close what it wrote to."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.kill()
            process.wait()
            if self._thread is not None and self._thread.ident is not None:  # (started)
                self._thread.join()
            for pipe in (process.stdin, process.stderr):
                if pipe is not None:
                    pipe.close()
        if self._out is not None:
            self._out.close()
        if self._passed != self._file:
            os.close(self._passed)
            self._passed = self._file

    def _hear(self, lines: IO[bytes]) -> None:
        for line in lines:
            if line.strip().isdigit():
                self._written = int(line)

    def take(self) -> list[Part]:
        """The parts written since the last call."""
        if self._failed:
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
        if self._failed or self._process is None or self._thread is None or self._out is None:
            return None
        self._thread.join()
        if self._process.wait() != 0:
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
        if size <= 0 or self._out is None:
            return []
        # ``pread`` (not ``files.read_at``): bytes, which ``BytesIO`` holds without a copy (hundreds of MB at
        # 1M); in as many reads as it takes (one reads at most 2 GiB on Linux)
        pieces, at = [], self._read
        while at < written:
            pieces.append(os.pread(self._out.fileno(), written - at, at))
            if not pieces[-1]:
                raise EOFError("the helper's file is shorter than it said")
            at += len(pieces[-1])
        data = pieces[0] if len(pieces) == 1 else b"".join(pieces)
        self._read = written
        stream, messages = io.BytesIO(data), []
        while stream.tell() < size:
            messages.append(pickle.load(stream))
        return messages


def _scratch() -> IO[bytes]:
    """A temporary file for the helper's blocks: in memory where the system has such files."""
    if hasattr(os, "memfd_create"):
        try:
            return os.fdopen(os.memfd_create("mockserver-load-helper"), "w+b")
        except OSError:
            pass
    return tempfile.TemporaryFile()


def _main(argv: list[str]) -> int:
    """The helper: decode ``FILE[START:END]`` (an inherited descriptor), write its blocks to stdout as they
    are made, then the rest; after each message, a line to stderr: the bytes written."""
    from .loading import decode_half

    out = os.fdopen(os.dup(1), "wb")
    written = os.fdopen(os.dup(2), "w")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)  # anything else printed goes nowhere, not into the blocks
    os.dup2(null, 2)
    file, start, end = map(int, argv)

    def write(*message: object) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()
        print(out.tell(), file=written, flush=True)

    try:
        write("end", *decode_half(file, start, end, lambda *part: write("blocks", *part)))
        out.close()
    except Exception:
        return 1
    return 0
