"""Atomic writes: all or nothing, and the old file's mode kept. Reads at an offset: whole, the offset unmoved."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Any

import pytest
from anthropic_models_mock.files import read_at, write_atomically
from hypothesis import given
from hypothesis import strategies as st


def test_a_new_file_is_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    write_atomically(target, b"{}\n")
    assert target.read_bytes() == b"{}\n"
    assert list(tmp_path.iterdir()) == [target]
    assert stat.S_IMODE(target.stat().st_mode) & 0o600 == 0o600


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_bytes(b"old")
    target.chmod(0o604)
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o604


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.json"
    target.write_bytes(b"old")

    def broken(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError, match="No space left"):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


def test_a_symbolic_link_is_written_through_and_kept(tmp_path: Path) -> None:
    target = tmp_path / "target.json"
    target.write_bytes(b"old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_atomically(link, b"new")
    assert link.is_symlink() and link.resolve() == target
    assert target.read_bytes() == b"new"
    assert sorted(tmp_path.iterdir()) == [link, target]


@pytest.mark.skipif(not hasattr(os, "pread"), reason="no reading at an offset on this system")
@given(
    data=st.binary(max_size=300),
    offset=st.integers(0, 320),
    size=st.integers(0, 320),
    most=st.integers(1, 50),
    vectored=st.booleans(),
)
def test_a_read_at_an_offset_is_whole_and_leaves_the_offset(
    data: bytes, offset: int, size: int, most: int, vectored: bool
) -> None:
    """However few bytes the system gives a call (one gives at most 2 GiB on Linux), the read is whole up to
    the file's end, and the descriptor's own offset does not move."""
    preadv, pread = getattr(os, "preadv", None), os.pread

    def short_preadv(fd: int, buffers: list[memoryview], at: int) -> int:
        return preadv(fd, [buffers[0][:most]], at)  # type: ignore[misc]

    def short_pread(fd: int, length: int, at: int) -> bytes:
        return pread(fd, min(length, most), at)

    with tempfile.TemporaryFile() as file:
        file.write(data)
        file.flush()
        file.seek(7)
        view = memoryview(bytearray(size))
        patches: dict[str, Any] = {"pread": short_pread}
        if vectored and preadv is not None:
            patches["preadv"] = short_preadv
        with pytest.MonkeyPatch.context() as patch:
            for name, value in patches.items():
                patch.setattr(os, name, value)
            if not vectored:
                patch.delattr(os, "preadv", raising=False)
            count = read_at(file.fileno(), view, offset)
        expected = data[offset : offset + size]
        assert count == len(expected) and bytes(view[:count]) == expected
        assert os.lseek(file.fileno(), 0, os.SEEK_CUR) == 7
