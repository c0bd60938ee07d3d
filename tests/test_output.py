"""Atomic writes: all or nothing, and the old file's mode kept."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from anthropic_models_mock.cli.output import write_atomically


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
