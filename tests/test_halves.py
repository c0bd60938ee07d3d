"""A long catalog file decoded in two parts at once (a helper process for the second) serves what the
reference path serves, and every way the helper can fail leaves this process to decode that part itself.

The tests lower the size at which the helper is used (``loading._HALVES``) and choose where the parts
meet (``loading._SHARE``); the helper runs as it does for any file.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from anthropic_models_mock import halves, loading
from anthropic_models_mock.catalog import Catalog, CatalogError

EVERY = frozenset({"active", "deprecated", "retired"})


def served(load: Any) -> tuple[Any, ...]:
    """What a load serves (every byte of every model, the aliases, ``as_of``), or the error it raises."""
    try:
        catalog = load()
    except CatalogError as exc:
        return type(exc), str(exc)
    return (
        len(catalog),
        dict(catalog.aliases),
        catalog.as_of,
        catalog.to_json(),
        catalog.view(EVERY).joined(0, len(catalog)),
    )


class Seen:
    """What became of each helper: its part taken (``True``) or not (``False``, the helper failed)."""

    def __init__(self) -> None:
        self.outcomes: list[bool] = []
        self.taken = 0


@contextmanager
def in_two_parts(share: float = 0.5) -> Iterator[Seen]:
    """Any file over a few bytes goes to a helper (on one core too), its part starting after ``share``."""
    seen, result, take = Seen(), halves.Helper.result, halves.Helper.take

    def noted_result(self: halves.Helper) -> halves.Half | None:
        half = result(self)
        seen.outcomes.append(half is not None)
        return half

    def noted_take(self: halves.Helper) -> list[halves.Part]:
        parts = take(self)
        seen.taken += sum(len(blocks) for blocks, _ in parts)
        return parts

    with (
        mock.patch.object(loading, "_HALVES", 1),
        mock.patch.object(loading, "_SHARE", share),
        mock.patch.object(loading, "_CHUNK", 20_000),
        mock.patch.object(halves, "cores", lambda: 2),
        mock.patch.object(halves.Helper, "result", noted_result),
        mock.patch.object(halves.Helper, "take", noted_take),
    ):
        yield seen


@contextmanager
def fast_path_only() -> Iterator[None]:
    """The reference path is not taken (a fall-back to it would serve the same, slowly)."""
    with mock.patch.object(loading, "_reference", side_effect=AssertionError("the reference path was taken")):
        yield


def file_of(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "catalog.json"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def reference(path: Path) -> tuple[Any, ...]:
    return served(lambda: loading._reference(Catalog, path.read_bytes(), str(path)))


def model(model_id: str, created_at: str = "2025-01-01T00:00:00Z", **extra: Any) -> dict[str, Any]:
    return {"id": model_id, "display_name": model_id.upper(), "created_at": created_at, **extra}


def share_at(text: bytes, needle: bytes, before: int = 1) -> float:
    """The share that makes the parts meet at the model boundary found ``before`` bytes after ``needle``."""
    start = text.index(b'"models":') + len(b'"models":') + 1
    return (text.index(needle) + len(needle) - before - start) / (text.rindex(b"]") - start)


# -- the same catalog ---------------------------------------------------------------------------


@pytest.mark.parametrize("indent", [2, 0])
def test_a_file_in_two_parts_serves_what_the_reference_path_serves(tmp_path: Path, indent: int) -> None:
    catalog = Catalog.synthetic(3000, 7)
    path = file_of(tmp_path, catalog.to_json(indent=indent))
    with in_two_parts() as seen, fast_path_only():
        loaded = served(lambda: Catalog.from_file(path))
    assert seen.outcomes == [True]
    assert loaded == reference(path) and loaded[3] == catalog.to_json()


def test_parts_taken_as_the_helper_makes_them_serve_the_same(tmp_path: Path) -> None:
    """This part small, the helper's large: blocks are taken between chunks, then the rest at the end."""
    catalog = Catalog.synthetic(6000, 3)
    path = file_of(tmp_path, catalog.to_json())
    results = []
    for share in (0.02, 0.3, 0.7, 0.98):
        with in_two_parts(share) as seen, fast_path_only():
            results.append(served(lambda: Catalog.from_file(path)))
        assert seen.outcomes == [True], share
    assert results == [reference(path)] * 4


def test_progress_counts_both_parts(tmp_path: Path) -> None:
    path = file_of(tmp_path, Catalog.synthetic(3000, 2).to_json())
    heard: list[int] = []
    with in_two_parts(), mock.patch.object(loading, "_EVERY", 500):
        catalog = Catalog.from_file(path, progress=heard.append)
    assert heard == sorted(heard) and heard[-1] == len(catalog) == 3000


# -- where the parts meet -----------------------------------------------------------------------


def test_parts_each_in_order_but_not_one_after_the_other_are_sorted(tmp_path: Path) -> None:
    """The first part's models are all newer than the second's first one: the helper's blocks are sound, but
    must be sorted in with the rest."""
    newer = [model(f"new-{n:03}", "2026-01-01T00:00:00Z") for n in range(200)]
    older = [model(f"old-{n:03}", "2025-01-01T00:00:00Z") for n in range(200)]
    text = json.dumps({"models": older + newer}, separators=(",", ":")).encode()
    path = file_of(tmp_path, text)
    with in_two_parts(share_at(text, b'"old-199"')) as seen, fast_path_only():
        loaded = served(lambda: Catalog.from_file(path))
    assert seen.outcomes == [True]
    assert loaded == reference(path) and loaded[0] == 400


def test_a_helper_part_out_of_order_is_decoded_here(tmp_path: Path) -> None:
    document = Catalog.synthetic(3000, 5).to_document()
    random.Random(5).shuffle(document["models"])
    path = file_of(tmp_path, json.dumps(document))
    with in_two_parts() as seen, fast_path_only():
        loaded = served(lambda: Catalog.from_file(path))
    assert seen.outcomes == [False]
    assert loaded == reference(path) and loaded[3] == Catalog.synthetic(3000, 5).to_json()


def test_parts_that_meet_inside_a_model_are_decoded_here(tmp_path: Path) -> None:
    """The place the parts meet, a ``}`` that ``,{`` follows, is inside a model's sources: this part's last
    chunk does not decode there, and this process decodes on from the chunk before."""
    models = [model(f"m-{n:03}", sources=[{"a": n}, {"b": n}]) for n in range(300)]
    text = json.dumps({"models": models}, separators=(",", ":")).encode()
    path = file_of(tmp_path, text)
    with in_two_parts(share_at(text, b'{"a":150}', before=2)) as seen, fast_path_only():
        loaded = served(lambda: Catalog.from_file(path))
    assert seen.outcomes == [] and loaded == reference(path) and loaded[0] == 300


# -- what is refused, across the parts ----------------------------------------------------------


def test_an_id_in_both_parts_is_refused_with_the_reference_message(tmp_path: Path) -> None:
    models = [model(f"m-{n:03}") for n in range(400)] + [model("m-007")]
    path = file_of(tmp_path, json.dumps({"models": models}, indent=2))
    with in_two_parts():
        loaded = served(lambda: Catalog.from_file(path))
    assert loaded == reference(path) and loaded[0] is CatalogError and "m-007" in loaded[1]


def test_a_bad_model_in_the_helper_part_is_refused_with_the_reference_message(tmp_path: Path) -> None:
    models = [model(f"m-{n:03}") for n in range(400)]
    models[350]["max_tokens"] = 0
    path = file_of(tmp_path, json.dumps({"models": models}, indent=2))
    with in_two_parts() as seen:
        loaded = served(lambda: Catalog.from_file(path))
    assert seen.outcomes == [False]
    assert loaded == reference(path) and loaded[0] is CatalogError and "max_tokens" in loaded[1]


# -- a helper that fails ------------------------------------------------------------------------


def test_no_helper_to_be_had_means_one_process(tmp_path: Path) -> None:
    path = file_of(tmp_path, Catalog.synthetic(2000, 1).to_json())
    with (
        in_two_parts() as seen,
        mock.patch.object(sys, "executable", str(tmp_path / "no-such-python")),
        fast_path_only(),
    ):
        loaded = served(lambda: Catalog.from_file(path))
    assert seen.outcomes == [False] and loaded == reference(path)  # (it could not start: it failed)


def test_no_reading_at_an_offset_means_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the system cannot read at an offset (Windows), the file is read by seeking, and decoded here."""
    path = file_of(tmp_path, Catalog.synthetic(2000, 6).to_json())
    monkeypatch.delattr(loading.os, "pread")
    with in_two_parts() as seen, fast_path_only():
        loaded = served(lambda: Catalog.from_file(path))
    assert seen.outcomes == [] and loaded == reference(path)


class Started:
    """The helper processes started (``Popen`` seen through), to see what became of them."""

    def __init__(self) -> None:
        self.processes: list[Any] = []
        self.popen = halves.subprocess.Popen

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.processes.append(self.popen(*args, **kwargs))
        return self.processes[-1]


def no_thread(error: BaseException) -> Any:
    """A ``threading`` in which a thread cannot start, raising ``error``."""

    class Thread(threading.Thread):
        def start(self) -> None:
            raise error

    return SimpleNamespace(Thread=Thread)


def test_no_thread_to_be_had_means_one_process_and_the_helper_stopped(tmp_path: Path) -> None:
    path = file_of(tmp_path, Catalog.synthetic(2000, 2).to_json())
    started = Started()
    with (
        in_two_parts() as seen,
        fast_path_only(),
        mock.patch.object(halves.subprocess, "Popen", started),
        mock.patch.object(halves, "threading", no_thread(RuntimeError("can't start new thread"))),
    ):
        loaded = served(lambda: Catalog.from_file(path))
    assert seen.outcomes == [False] and loaded == reference(path)
    [process] = started.processes
    assert process.returncode is not None and process.stderr.closed


def test_an_interrupt_as_the_helper_starts_stops_it(tmp_path: Path) -> None:
    """Ctrl-C at any moment of the helper's start: the interrupt is the caller's, no process is left."""
    path = file_of(tmp_path, Catalog.synthetic(2000, 2).to_json())
    started = Started()
    with (
        in_two_parts(),
        mock.patch.object(halves.subprocess, "Popen", started),
        mock.patch.object(halves, "threading", no_thread(KeyboardInterrupt())),
        pytest.raises(KeyboardInterrupt),
    ):
        Catalog.from_file(path)
    [process] = started.processes
    assert process.returncode is not None and process.stderr.closed


def test_a_helper_that_fails_after_its_blocks_were_taken_leaves_its_part_to_this_process(tmp_path: Path) -> None:
    """Blocks taken, then the helper fails: they are forgotten (their ids too), and the part decoded here."""
    path = file_of(tmp_path, Catalog.synthetic(6000, 9).to_json())
    heard: list[int] = []
    with in_two_parts() as seen, fast_path_only():
        take = halves.Helper.take

        def once_ended(self: halves.Helper) -> list[halves.Part]:
            self._thread.join()  # the helper has ended: every block it made is taken now
            return take(self)

        with (
            mock.patch.object(halves.Helper, "take", once_ended),
            mock.patch.object(halves.subprocess.Popen, "wait", return_value=1),
            mock.patch.object(loading, "_EVERY", 500),
        ):
            loaded = served(lambda: Catalog.from_file(path, progress=heard.append))
    assert seen.taken >= 5 and seen.outcomes == [False] and loaded == reference(path)
    assert heard == sorted(heard) and heard[-1] == 6000  # (never fewer than told before)


def test_a_helper_that_writes_something_else_leaves_its_part_to_this_process(tmp_path: Path) -> None:
    path = file_of(tmp_path, Catalog.synthetic(2000, 4).to_json())
    with in_two_parts() as seen, mock.patch.object(halves.pickle, "load", side_effect=EOFError), fast_path_only():
        loaded = served(lambda: Catalog.from_file(path))
    assert seen.outcomes == [False] and loaded == reference(path)


# -- what the helper reads and runs ---------------------------------------------------------------


def test_the_helper_reads_the_file_this_process_opened(tmp_path: Path) -> None:
    """The file is replaced (as an editor or ``mv`` replaces one) after this process opened it, before the
    helper starts: the helper's part is of the file opened, not of the one now at that path."""
    text = Catalog.synthetic(3000, 7).to_json()
    path, other = file_of(tmp_path, text), tmp_path / "other.json"
    other.write_bytes(text.replace(b'"display_name": "Claude', b'"display_name": "Clawde'))
    expected = reference(path)
    popen = halves.subprocess.Popen

    def replaced_first(*args: Any, **kwargs: Any) -> Any:
        other.replace(path)
        return popen(*args, **kwargs)

    with (
        in_two_parts() as seen,
        fast_path_only(),
        mock.patch.object(halves.subprocess, "Popen", replaced_first),
    ):
        loaded = served(lambda: Catalog.from_file(path))
    assert seen.outcomes == [True] and loaded == expected and b"Clawde" not in loaded[3]


def test_the_helper_imports_nothing_from_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A module in the working directory named as one the helper imports is not imported by it (its
    output is unpickled here: what it runs must be this package and the interpreter's own modules)."""
    path = file_of(tmp_path, Catalog.synthetic(2000, 3).to_json())
    planted = tmp_path / "planted"
    planted.mkdir()
    marker = tmp_path / "imported"
    for name in ("tempfile", "pickle", "msgspec", "anthropic_models_mock"):
        (planted / f"{name}.py").write_text(f"open({str(marker)!r}, 'a').write({name!r})\n")
    monkeypatch.chdir(planted)
    monkeypatch.setenv("PYTHONPATH", str(planted))
    with in_two_parts() as seen, fast_path_only():
        loaded = served(lambda: Catalog.from_file(path))
    assert not marker.exists(), marker.read_text()
    assert seen.outcomes == [True] and loaded == reference(path)


def test_an_interrupt_once_the_helper_is_forked_ends_it(tmp_path: Path) -> None:
    """Ctrl-C just after the fork, before ``Popen`` knows the process: the helper ends on its own, as soon
    as it finds its stdin closed (as when this process is killed)."""
    path = file_of(tmp_path, Catalog.synthetic(2000, 2).to_json())
    where, name = (
        (halves.subprocess, "_fork_exec")
        if hasattr(halves.subprocess, "_fork_exec")
        else (halves.subprocess._posixsubprocess, "fork_exec")  # type: ignore[attr-defined]
    )
    fork_exec, forked = getattr(where, name), []

    def interrupted(*args: Any) -> int:
        forked.append(fork_exec(*args))
        raise KeyboardInterrupt

    with in_two_parts(), mock.patch.object(where, name, interrupted), pytest.raises(KeyboardInterrupt):
        Catalog.from_file(path)
    [pid] = forked
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == halves._ORPHANED


def test_the_helper_is_used_where_this_process_has_no_stdin_or_stdout(tmp_path: Path) -> None:
    """With descriptors 0 and 1 closed, the file opened is one of them: the helper still reads that file,
    not what its own stdin or stdout is."""
    path = file_of(tmp_path, Catalog.synthetic(2000, 8).to_json())
    report = tmp_path / "report.json"
    probe = textwrap.dedent(
        f"""
        import json
        from unittest import mock
        from anthropic_models_mock import halves, loading
        from anthropic_models_mock.catalog import Catalog
        seen, result = [], halves.Helper.result
        def noted(self):
            half = result(self)
            seen.append([self._file, half is not None])
            return half
        with (
            mock.patch.object(loading, "_HALVES", 1),
            mock.patch.object(loading, "_CHUNK", 20_000),
            mock.patch.object(halves, "cores", lambda: 2),
            mock.patch.object(halves.Helper, "result", noted),
        ):
            text = Catalog.from_file({str(path)!r}).to_json()
        with open({str(path)!r}, "rb") as file, open({str(report)!r}, "w") as out:
            json.dump([seen, text == file.read()], out)
        """
    )

    def closed() -> None:
        os.close(0)
        os.close(1)

    ran = subprocess.run([sys.executable, "-c", probe], preexec_fn=closed, stderr=subprocess.PIPE, timeout=300)
    assert ran.returncode == 0, ran.stderr.decode()
    [[[file, used]], same] = json.loads(report.read_text())
    assert file < 3 and used and same


@pytest.mark.parametrize("how", ["-B", "pycache_prefix"])
def test_the_helper_writes_bytecode_where_this_process_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """The helper runs isolated, so it does not see ``PYTHONDONTWRITEBYTECODE`` or ``PYTHONPYCACHEPREFIX``:
    it is told what this process does (here with a copy of the package that has no bytecode yet)."""
    package = tmp_path / "copy" / "anthropic_models_mock"
    shutil.copytree(Path(halves.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    path = file_of(tmp_path, Catalog.synthetic(2000, 3).to_json())
    monkeypatch.setattr(halves, "_PACKAGE", package)
    monkeypatch.setattr(sys, "dont_write_bytecode", how == "-B")
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path / "prefix") if how == "pycache_prefix" else None)
    with in_two_parts() as seen, fast_path_only():
        loaded = served(lambda: Catalog.from_file(path))
    assert seen.outcomes == [True] and loaded == reference(path)
    assert not list(package.rglob("*.pyc"))
    assert bool(list((tmp_path / "prefix").rglob("halves*.pyc"))) == (how == "pycache_prefix")


def test_a_helper_with_another_msgspec_fails(tmp_path: Path) -> None:
    """The helper decodes with this process's msgspec or not at all (another could decode differently)."""
    path = file_of(tmp_path, Catalog.synthetic(2000, 3).to_json())
    with (
        in_two_parts() as seen,
        fast_path_only(),
        mock.patch.object(halves, "_MSGSPEC", str(tmp_path / "msgspec" / "__init__.py")),
    ):
        loaded = served(lambda: Catalog.from_file(path))
    assert seen.outcomes == [False] and loaded == reference(path)


def test_no_helper_is_started_for_a_package_in_a_zip_archive(tmp_path: Path) -> None:
    path = file_of(tmp_path, Catalog.synthetic(2000, 3).to_json())
    started = Started()
    with (
        in_two_parts() as seen,
        fast_path_only(),
        mock.patch.object(halves, "_PACKAGE", tmp_path / "site.zip" / "anthropic_models_mock"),
        mock.patch.object(halves.subprocess, "Popen", started),
    ):
        loaded = served(lambda: Catalog.from_file(path))
    assert started.processes == [] and seen.outcomes == [] and loaded == reference(path)


def test_the_helper_blocks_are_read_whole_however_few_bytes_a_read_gives(tmp_path: Path) -> None:
    """One ``pread`` reads at most 2 GiB on Linux: the helper's file is read in as many as it takes."""
    path = file_of(tmp_path, Catalog.synthetic(3000, 5).to_json())
    pread = os.pread
    with (
        in_two_parts(0.3) as seen,
        fast_path_only(),
        mock.patch.object(halves.os, "pread", lambda fd, size, at: pread(fd, min(size, 4096), at)),
    ):
        loaded = served(lambda: Catalog.from_file(path))
    assert seen.outcomes == [True] and loaded == reference(path)
