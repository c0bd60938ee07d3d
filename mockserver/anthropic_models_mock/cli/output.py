"""Files read and written safely: read at an offset without moving the one a descriptor shares with
another process, and written so that a reader never sees half of one, and a failure never harms the old one."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

__all__ = ["read_at", "write_atomically"]


def read_at(file: int, view: memoryview, offset: int) -> int:
    """Read into ``view`` the bytes of ``file`` from ``offset``, without moving its offset: all of them,
    unless it ends first (one call reads at most 2 GiB on Linux); return how many were read."""
    done = 0
    while done < len(view):
        if hasattr(os, "preadv"):
            count = os.preadv(file, [view[done:]], offset + done)
        else:  # (macOS before 11)
            data = os.pread(file, len(view) - done, offset + done)
            count = len(data)
            view[done : done + count] = data
        if not count:
            break
        done += count
    return done


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it, renamed over it once complete.

    The file keeps the mode of the one it replaces (a new one gets the usual mode under the
    umask); on any error the temporary file is removed and ``path`` is as it was. A symbolic
    link is written through: its target is replaced and the link kept.
    """
    path = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
