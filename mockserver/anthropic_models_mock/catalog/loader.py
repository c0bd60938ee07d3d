"""Catalog files and documents made into rows: typed decoding in C (msgspec), then column-wise work per chunk.

A big file's models array is decoded a few MB at a time (so other threads run between two calls);
each chunk's models are checked and made into rows a column at a time, in C loops (``map``, ``zip``),
with each distinct date and ``capabilities`` text checked once. A file the fast path refuses is
loaded again by the reference path (``json`` and ``validate_model``), whose message names the
file, the entry and the field.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from io import FileIO
from itertools import chain, compress, starmap
from operator import attrgetter, gt, not_
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from ..model import limits
from ..model.documents import loads
from ..model.limits import MODEL_LINES
from ..model.modelinfo import (
    CAPABILITIES_SHAPE,
    FIELDS,
    HEAD_FIELDS,
    MODEL_ID,
    CatalogError,
    fits,
    parse_rfc3339,
    validate_model,
)
from ..storage.blocks import BLOCK, Block, Key, Row, Rows
from ..storage.rows import Builder, Built, Head, encode_heads, quiet_gc

__all__ = ["NotJSON", "checked_rows", "load_document", "load_file", "load_json", "read_catalog_file"]


#: A catalog file's text: bytes as read (or as a request body is gathered), or already decoded.
_Text = str | bytes | bytearray


class NotJSON(CatalogError):
    """A catalog text that is not JSON at all (``detail`` says why, without the source)."""

    def __init__(self, source: str, detail: str) -> None:
        super().__init__(f"{source}: {detail}")
        self.detail = detail


_Count = Annotated[int, msgspec.Meta(ge=1)]
_NULL = msgspec.Raw(b"null")


#: How a file's model is decoded, field by field: its type and its default when absent. Ids and dates are checked
#: in bulk, not here (a ``pattern`` costs microseconds a model).
_DECODED: dict[str, tuple[Any, Any]] = {
    "type": (Literal["model"], "model"),
    "id": (str, msgspec.NODEFAULT),
    "display_name": (str, msgspec.NODEFAULT),
    "created_at": (str, msgspec.NODEFAULT),
    "lifecycle": (Literal["active", "deprecated", "retired"], "active"),
    "deprecated_at": (str | None, None),
    "retires_at": (str | None, None),
    "line": (Literal[MODEL_LINES] | None, None),
    "max_input_tokens": (_Count | None, None),
    "max_tokens": (_Count | None, None),
    "allowed_fallback_models": (list[str] | None, None),
    "capabilities": (msgspec.Raw, _NULL),
}
#: One model of a file: the served fields in the order served (the order this package writes them: the decoder
#: is fastest so), then the catalog's annotation ``sources``.
_Entry = msgspec.defstruct(
    "Entry",
    [(name, *_DECODED[name]) for name in FIELDS] + [("sources", msgspec.Raw, _NULL)],
    kw_only=True,
    forbid_unknown_fields=True,
    gc=False,
)
_HEAD_VALUES = attrgetter(*HEAD_FIELDS)


class _Document(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    models: list[msgspec.Raw]
    aliases: dict[str, str] = {}
    as_of: str | None = None
    description: msgspec.Raw = _NULL
    source: msgspec.Raw = _NULL
    sources: msgspec.Raw = _NULL
    omitted: msgspec.Raw = _NULL


_DECODER = msgspec.json.Decoder(_Document | list[msgspec.Raw])
_ENTRY = msgspec.json.Decoder(_Entry)
_ENTRIES = msgspec.json.Decoder(list[_Entry])  # type: ignore[valid-type]
#: A catalog document's top-level keys: ``source`` says where a recording came from (``mockserver catalog
#: record``); like ``description``, it is never served.
_FILE_KEYS = frozenset(_Document.__struct_fields__)
#: Characters of the models array decoded per call (each call holds the interpreter a few ms). A text
#: no longer than this is decoded in one call.
_CHUNK = 2 << 20
#: Bytes read at a time past a chunk's least length, looking for the place it may end.
_AHEAD = 64 << 10
#: Bytes of a text's start read first to find its models array (then twice as many, …), and of its end.
_EDGE = 64 << 10
#: Places a chunk may end at that are tried after the first, when it does not decode (see ``_decoded``).
_RETRIES = 16
#: Models between two calls of the progress callback.
_EVERY = 65_536
#: Models decoded per group on the one-shot path.
_GROUP = 4096
#: What stands for the models array when the rest of a text is decoded (see ``_chunked``).
_MARKER = b'"\\u0000models\\u0000"'
_CODES = {"active": 0, "deprecated": 1, "retired": 2}
_IDS = attrgetter("id")
_CREATED = attrgetter("created_at")
_LIFECYCLE = attrgetter("lifecycle")
_DEPRECATED = attrgetter("deprecated_at")
_RETIRES = attrgetter("retires_at")
_FALLBACKS = attrgetter("allowed_fallback_models")
_CAPABILITIES = attrgetter("capabilities")


_WS = b"[ \t\n\r]*"  # JSON's whitespace, not regex's ``\s``
#: A candidate start of the models array; a candidate boundary between two models.
_MODELS = re.compile(b'"models"' + _WS + b":" + _WS + b"\\[")
_SPLIT = re.compile(b"\\}" + _WS + b"," + _WS + b"\\{")
_SPACE = re.compile(_WS)


class _Refused(Exception):
    """The fast path will not load this file; the reference path says why."""


class _Unsure(Exception):
    """The chunked path cannot be sure where the models are: decode the whole text at once instead."""


#: What the fast path refuses (``ValueError``: a huge number, a lone surrogate): the reference path says why.
_REFUSALS = (ValueError, RecursionError, _Refused)


def checked_rows(
    models: Iterable[Mapping[str, Any]], aliases: Mapping[str, str], source: str, as_of: str | None = None
) -> Built:
    """The rows of models given as objects, each checked in turn (its errors name the entry and the field)."""
    builder = Builder()
    rows: list[Row] = []
    seen: dict[str, int] = {}
    shared: dict[int, object] = {}
    with quiet_gc():
        for index, entry in enumerate(models):
            payload, _ = validate_model(entry, f"{source}: models[{index}]", shared)
            if payload["id"] in seen:
                first = seen[payload["id"]]
                raise CatalogError(
                    f"{source}: models[{index}]: id: duplicate id {payload['id']!r} (first at models[{first}])"
                )
            seen[payload["id"]] = index
            rows.append(builder.row(payload))
    return Built(rows, builder.profiles, aliases, as_of)


def load_document(document: Any, source: str) -> Built:
    """The rows of a parsed catalog document: an object with ``models``, or a bare list of models."""
    if isinstance(document, list):
        return checked_rows(document, {}, source)
    if not isinstance(document, dict):
        raise CatalogError(f"{source}: expected an object with 'models', or a list")
    unknown = sorted(set(document) - _FILE_KEYS)
    if unknown:
        raise CatalogError(f"{source}: unknown top-level key(s): {', '.join(unknown)}")
    models = document.get("models")
    if not isinstance(models, list):
        raise CatalogError(f"{source}: models: required, must be a list")
    aliases = document.get("aliases", {})
    if not isinstance(aliases, dict):
        raise CatalogError(f"{source}: aliases: must be an object of alias → id")
    as_of = document.get("as_of")
    if as_of is not None and not isinstance(as_of, str):
        raise CatalogError(f"{source}: as_of: must be a string")
    return checked_rows(models, aliases, source, as_of)


def load_json(text: _Text, source: str, progress: Callable[[int], None] | None = None) -> Built:
    """The rows of a catalog file's text; ``progress(count)`` hears of the models read.

    A long text's models array is decoded a chunk at a time (see ``_chunked``); a short one, or one
    whose layout the chunked path is unsure of, in one call, each model then in turn.
    """
    progress = _rising(progress)
    try:
        if len(text) > _CHUNK and isinstance(text, str | bytes | bytearray):
            try:
                return _built(progress, lambda rows: _chunked(_InMemory(text), rows))
            except (msgspec.DecodeError, _Unsure):  # a chunk that was not whole models, or an odd layout
                pass
        return _built(progress, lambda rows: _one_shot(text, rows))
    except (msgspec.DecodeError, *_REFUSALS):
        return _reference(text, source)


def load_file(path: Path, progress: Callable[[int], None] | None = None) -> Built:
    """The rows of a catalog file. A long file is read a chunk at a time into one buffer, never whole,
    unless its layout sends it to ``load_json``.

    Only a regular file (or a link to one) of at most ``MAX_CATALOG_BYTES`` is read: anything else (a
    directory, a FIFO, a device such as ``/dev/zero``, a socket), or a larger file, is a ``CatalogError``
    before a byte is read."""
    progress = _rising(progress)
    _refuse_irregular(path)
    try:
        with open(path, "rb", buffering=0, opener=_open_nonblocking) as file:
            disk = _OnDisk(file)
            if disk.size > _CHUNK:
                try:
                    return _built(progress, lambda rows: _chunked(disk, rows))
                except (msgspec.DecodeError, _Unsure):
                    pass
                except _REFUSALS:
                    return _reference(disk.whole(), str(path))
            text = disk.whole()
    except OSError as exc:  # (a socket cannot be opened at all: its kind is named all the same)
        raise CatalogError(f"{path}: cannot read catalog file: {_irregular_at(path) or exc.strerror or exc}") from None
    return load_json(text, str(path), progress)


def read_catalog_file(path: Path) -> bytearray:
    """The bytes of a catalog file, read as ``load_file`` reads one: only a regular file of at most
    ``MAX_CATALOG_BYTES``, else a ``CatalogError`` before a byte is read."""
    _refuse_irregular(path)
    try:
        with open(path, "rb", buffering=0, opener=_open_nonblocking) as file:
            return _OnDisk(file).whole()
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read catalog file: {_irregular_at(path) or exc.strerror or exc}") from None


#: ``O_NONBLOCK`` where the system has it: opening a FIFO for reading then returns at once, not when a
#: writer comes (the FIFO is refused once open).
_NONBLOCK: int = getattr(os, "O_NONBLOCK", 0)
#: What a file that is not a regular file is, by the ``stat`` test that says so.
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _open_nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | _NONBLOCK)


def _irregular(mode: int) -> str | None:
    """Why a file of this ``st_mode`` is not read (it is not a regular file), or ``None`` when it is."""
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "something else")
    return f"it is {kind}, not a regular file"


def _refuse_irregular(path: Path) -> None:
    """A ``CatalogError`` if ``path`` is there and is not a regular file: looked at before it is opened (opening
    some devices does something). The open file is looked at again (``_OnDisk``): it may have changed since."""
    irregular = _irregular_at(path)
    if irregular is not None:
        raise CatalogError(f"{path}: cannot read catalog file: {irregular}")


def _irregular_at(path: Path) -> str | None:
    """Why the file at ``path`` is not read, if it is not a regular file (``None`` when it is, or is not there)."""
    try:
        return _irregular(os.stat(path).st_mode)
    except OSError:
        return None


class _Rising:
    """A progress callback told only of counts above the most it was told of: a text decoded again (by another
    path) counts on from there, not from 0 again."""

    def __init__(self, progress: Callable[[int], None]) -> None:
        self._progress, self._most = progress, 0

    def __call__(self, count: int) -> None:
        if count > self._most:
            self._most = count
            self._progress(count)


def _rising(progress: Callable[[int], None] | None) -> Callable[[int], None] | None:
    return progress if progress is None or isinstance(progress, _Rising) else _Rising(progress)


def _built(
    progress: Callable[[int], None] | None, decode: Callable[[_Rows], tuple[dict[str, str], str | None]]
) -> Built:
    """The rows of the models ``decode`` adds to the rows it is given (it returns the aliases and ``as_of``)."""
    with quiet_gc():
        rows = _Rows(Builder(), progress)
        aliases, as_of = decode(rows)
        stored, index = rows.done()
    return Built(stored, rows.builder.profiles, aliases, as_of, index)


def _one_shot(text: _Text, rows: _Rows) -> tuple[dict[str, str], str | None]:
    """Decode the whole document in one call (each model a ``Raw``), then the models a group at a time."""
    document = _DECODER.decode(text)
    raws, aliases, as_of = (
        (document, {}, None) if isinstance(document, list) else (document.models, document.aliases, document.as_of)
    )
    del document
    decode = _ENTRY.decode
    for start in range(0, len(raws), _GROUP):
        rows.add(list(map(decode, raws[start : start + _GROUP])))
    return aliases, as_of


class _InMemory:
    """A text in memory, read a piece at a time as a file is (a ``str`` as its UTF-8 bytes)."""

    def __init__(self, text: _Text) -> None:
        self._text = memoryview(text.encode() if isinstance(text, str) else text)
        self.size = len(self._text)

    def into(self, view: memoryview, offset: int) -> None:
        """Copy ``len(view)`` bytes from ``offset`` into ``view``."""
        view[:] = self._text[offset : offset + len(view)]


class _OnDisk:
    """An open regular file of at most ``MAX_CATALOG_BYTES``, read a piece at a time (never past its size when
    opened, nor past the limit: see ``whole``). Anything else is a ``CatalogError``, before a byte is read."""

    def __init__(self, file: FileIO) -> None:
        self.file = file
        status = os.fstat(file.fileno())
        irregular = _irregular(status.st_mode)
        if irregular is not None:
            raise CatalogError(f"{file.name}: cannot read catalog file: {irregular}")
        limit = limits.MAX_CATALOG_BYTES
        if status.st_size > limit:
            raise CatalogError(
                f"{file.name}: cannot read catalog file: it is {status.st_size:,} bytes,"
                f" more than a catalog file may be ({limit:,} bytes)"
            )
        self.size = status.st_size

    def into(self, view: memoryview, offset: int) -> None:
        """Read ``len(view)`` bytes from ``offset`` into ``view``; ``_Unsure`` if the file is shorter now."""
        self.file.seek(offset)
        while view:
            count = self.file.readinto(view)
            if not count:
                raise _Unsure
            view = view[count:]

    def whole(self) -> bytearray:
        """The whole file, read again from its start; a ``CatalogError`` if it has grown past
        ``MAX_CATALOG_BYTES`` since it was opened (nothing past that is read)."""
        limit = limits.MAX_CATALOG_BYTES
        text = bytearray(min(self.size, limit) + 1)  # a byte more than its size: its end is seen, or that it grew
        held = 0
        self.file.seek(0)
        while count := self.file.readinto(memoryview(text)[held:]):
            held += count
            if held == len(text):  # longer than its size said: read on, up to a byte past the limit
                if held > limit:
                    raise CatalogError(
                        f"{self.file.name}: cannot read catalog file: it grew past {limit:,} bytes while it was read"
                    )
                text += bytes(min(held, limit + 1 - held))
        del text[held:]
        return text


_Source = _InMemory | _OnDisk


def _piece(text: _Source, offset: int, size: int) -> bytearray:
    piece = bytearray(size)
    text.into(memoryview(piece), offset)
    return piece


def _chunked(text: _Source, rows: _Rows) -> tuple[dict[str, str], str | None]:
    """Decode the models array a chunk of about ``_CHUNK`` bytes at a time; raise ``_Unsure`` or
    ``msgspec.DecodeError`` when the models are not where they seem to be.

    Why it is safe: the frame (the text with the array replaced by ``[marker]``) is decoded first
    and must hold the marker, found once in it, as its ``models``. Each chunk starts where a model
    does, and ends at a ``}`` followed by ``,{`` (or at the array's end): a decoder's state there is
    the one a decoder of the whole text would be in, so ``[chunk]`` decodes only if the chunk is
    whole models of the array. Chunks that all decode therefore make the array of that frame.
    """
    head, start = _head(text)
    tail, at = _tail(text, start)
    close = tail.rfind(b"]")
    frame = head[: start - 1] + b"[" + _MARKER + b"]" + tail[close + 1 :]
    del head, tail
    if frame.count(_MARKER) != 1:
        raise _Unsure
    document = _DECODER.decode(frame)
    models = document if isinstance(document, list) else document.models
    if len(models) != 1 or bytes(models[0]) != _MARKER:
        raise _Unsure
    del frame, models
    _models(text, start, at + close, rows)
    return ({}, None) if isinstance(document, list) else (document.aliases, document.as_of)


def _head(text: _Source) -> tuple[bytearray, int]:
    """The text's start, through the ``[`` that opens the models array (as far as it can tell), and where that is.

    Read ``_EDGE`` bytes, then twice as many, and so on: the array is found in a piece about the size
    of what comes before it (aliases, for one)."""
    size = min(text.size, _EDGE)
    while True:
        head = _piece(text, 0, size)
        spaces = _SPACE.match(head)
        first = spaces.end() if spaces else 0
        if head[first : first + 1] == b"[":  # a bare list
            return head, first + 1
        found = _MODELS.search(head)
        if found is not None:
            return head, found.end()
        if size == text.size:
            raise _Unsure
        size = min(text.size, 2 * size)


def _tail(text: _Source, start: int) -> tuple[bytearray, int]:
    """The text's end after ``start``, from its last ``]`` (the models array's end, as far as it can tell),
    and where that piece starts; read as ``_head`` reads, from the end."""
    size = min(text.size - start, _EDGE)
    while True:
        tail = _piece(text, text.size - size, size)
        if b"]" in tail:
            return tail, text.size - size
        if size == text.size - start:
            raise _Unsure
        size = min(text.size - start, 2 * size)


def _models(text: _Source, start: int, end: int, rows: _Rows) -> None:
    """Add the models of ``text[start:end]`` (the inside of the models array) to ``rows``, a chunk at a time."""
    for entries in _decoded(text, start, end):
        rows.add(entries)


def _decoded(text: _Source, start: int, end: int) -> Iterator[list[Any]]:
    """The models of ``text[start:end]``, decoded a chunk of at least ``_CHUNK`` at a time (the last may be
    shorter), each chunk ending at a ``}`` that ``,{`` follows. Such a
    place can be inside a model (in a string, or an array of objects): a chunk that does not decode is
    tried again to the next one, a few times, before the error is the caller's. Offsets below are from
    the chunk's start."""
    size, decode = _CHUNK, _ENTRIES.decode
    ahead = max(64, min(_AHEAD, size // 16))  # (what is read past a chunk's end is read again for the next)
    window = _Window(text)
    while True:
        look, tries = size, 0
        while True:
            found = None
            while found is None and start + look < end:  # each search reads ``ahead`` further, not to the end
                reach = min(look + ahead, end - start)
                found = _SPLIT.search(window.holding(start, reach), 1 + look, 1 + reach)
                look = reach
            length = end - start if found is None else found.start()  # through the ``}`` (the buffer has a ``[``)
            try:
                entries = decode(window.bracketed(start, length))
                break
            except msgspec.DecodeError:
                tries += 1
                if found is None or tries > _RETRIES:
                    raise
                look = found.end() - 1  # that place was inside a model: try the next
        yield entries
        if found is None:
            return
        start += found.end() - 2  # the ``{`` after it


class _Window:
    """A run of the text from a chunk's start, read into one buffer after a ``[`` and reused for every
    chunk: a fresh buffer of megabytes for each would be memory the system maps in again each time
    (page faults: most of a load's time on a VM).

    Each chunk is valid until the next call; a chunk's models are made into rows before that.
    """

    def __init__(self, text: _Source) -> None:
        self._text = text
        self._buffer = bytearray(b"[" + bytes(_CHUNK + 2 * _AHEAD))
        self._start, self._held = -1, 0  # ``_buffer[1 : 1 + _held]`` is the text from ``_start``

    def holding(self, start: int, length: int) -> bytearray:
        """The buffer, holding (after its ``[``) the ``length`` bytes of the text from ``start``."""
        if start != self._start:
            self._start, self._held = start, 0
        if length > self._held:
            if len(self._buffer) < length + 2:  # a new buffer, not a resize: the last chunk may still be held
                bigger = bytearray(max(length + 2, 2 * len(self._buffer)))
                bigger[: self._held + 1] = memoryview(self._buffer)[: self._held + 1]
                self._buffer = bigger
            self._text.into(memoryview(self._buffer)[1 + self._held : 1 + length], start + self._held)
            self._held = length
        return self._buffer

    def bracketed(self, start: int, length: int) -> memoryview:
        """``[`` and the ``length`` bytes of the text from ``start``, and ``]``."""
        buffer = self.holding(start, length)
        buffer[1 + length] = 0x5D  # ] (over the byte that followed: read again if asked for)
        self._held = length
        return memoryview(buffer)[: length + 2]


class _Rows:
    """The rows of the models added a chunk at a time: in blocks made as they come while the file is in
    list order (as this package writes them), else every row, sorted at the end."""

    def __init__(self, builder: Builder, progress: Callable[[int], None] | None) -> None:
        self.builder, self.progress = builder, progress
        self.tails = builder.profiles.tails
        self.blocks: list[Block] = []
        self.rows: list[Row] = []  # not yet in a block (all of them once out of order)
        self.index: dict[str, Key] = {}
        self.previous: Key | None = None
        self.in_order = True
        self.moments = _Moments()
        self.profiles = _Profiles(builder)

    def add(self, entries: list[Any]) -> None:
        """Check these models (the next ones in the file) and make their rows."""
        if not entries:
            return
        ids = list(map(_IDS, entries))
        fallbacks = list(map(_FALLBACKS, entries))
        named = chain.from_iterable(filter(None, fallbacks))
        if not all(map(MODEL_ID.fullmatch, ids)) or not all(map(MODEL_ID.fullmatch, named)):
            raise _Refused
        codes = list(map(_CODES.__getitem__, map(_LIFECYCLE, entries)))
        deprecated, retires = list(map(_DEPRECATED, entries)), list(map(_RETIRES, entries))
        active = list(map(not_, codes))
        if None in compress(deprecated, codes) or {*compress(deprecated, active), *compress(retires, active)} - {None}:
            raise _Refused  # see modelinfo._check_lifecycle_dates
        moments = self.moments
        moments.check({*deprecated, *retires})
        keys = list(zip(map(moments.__getitem__, map(_CREATED, entries)), ids, strict=True))
        profiles = list(map(self.profiles.__getitem__, map(bytes, map(_CAPABILITIES, entries))))
        heads = encode_heads(starmap(Head, map(_HEAD_VALUES, entries)))
        index = self.index
        known = len(index)
        index.update(zip(ids, keys, strict=True))
        if len(index) != known + len(ids):
            raise _Refused  # a duplicate id: the reference path names it
        rows = self.rows
        previous = self.previous
        if self.in_order and ((previous is not None and keys[0] < previous) or any(map(gt, keys, keys[1:]))):
            self._unordered()
        self.previous = keys[-1]
        rows += zip(keys, heads, profiles, codes, strict=True)
        if self.in_order and len(rows) >= BLOCK:
            whole = len(rows) - len(rows) % BLOCK
            tails = self.tails
            self.blocks += [Block(rows[n : n + BLOCK], tails) for n in range(0, whole, BLOCK)]
            del rows[:whole]
        self._tell(known)

    def _tell(self, known: int) -> None:
        """Tell the progress callback of the models indexed, if a multiple of ``_EVERY`` was passed since
        there were ``known`` (it hears only of more than before: see ``_Rising``)."""
        count = len(self.index)
        if self.progress is not None and count // _EVERY != known // _EVERY:
            self.progress(count)

    def _unordered(self) -> None:
        """Out of order: keep every row, to sort them at the end."""
        self.in_order = False
        self.rows[:0] = [row for block in self.blocks for row in block.rows()]
        self.blocks = []

    def done(self) -> tuple[Rows | list[Row], dict[str, Key]]:
        """The rows (as blocks when in order, else sorted) and the id index."""
        if self.progress is not None:
            self.progress(len(self.index))
        if not self.in_order:
            self.rows.sort(key=_first)
            return self.rows, self.index
        if self.rows:
            self.blocks.append(Block(self.rows, self.tails))
        return Rows(self.blocks, self.tails), self.index


class _Moments(dict[str, float]):
    """``-timestamp`` of each RFC 3339 text met (the sort key's first part), each parsed once."""

    def __missing__(self, text: str) -> float:
        try:
            moment = self[text] = -parse_rfc3339(text).timestamp()
        except ValueError:
            raise _Refused from None
        return moment

    def check(self, texts: set[str | None]) -> None:
        """Check these texts (``None`` aside), each once."""
        for text in texts - self.keys() - {None}:
            self.__missing__(text)  # type: ignore[arg-type]


class _Profiles(dict[bytes, int]):
    """The profile of each distinct ``capabilities`` text, checked as the reference path checks it."""

    def __init__(self, builder: Builder) -> None:
        super().__init__({b"null": 0})
        self.builder = builder

    def __missing__(self, raw: bytes) -> int:
        value = json.loads(raw)
        if not fits(value, CAPABILITIES_SHAPE):
            raise _Refused  # the reference path names the field
        profile = self[raw] = int(self.builder.capabilities(value, raw))
        return profile


def _first(row: Row) -> Key:
    return row[0]


def _reference(text: _Text, source: str) -> Built:
    """The reference path: slower, and its errors name the file, the entry and the field."""
    if not isinstance(text, str):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotJSON(source, f"not UTF-8 text: {exc.reason}") from None
    try:
        document = loads(text)
    except json.JSONDecodeError as exc:
        raise NotJSON(source, f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except (ValueError, RecursionError) as exc:  # NaN, a number past Python's digit limit, absurd nesting
        raise NotJSON(source, f"not a usable JSON document: {str(exc) or type(exc).__name__}") from None
    return load_document(document, source)
