"""Loading a catalog file fast: typed decoding in C (msgspec), then one pass to make rows.

Only what the decoder cannot check is checked in Python (lifecycle dates, calendar
validity, duplicate ids), and each distinct ``capabilities`` object once. A file the fast
path refuses is loaded again by the reference path (``json`` and ``validate_model``),
whose message names the file, the entry and the field.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec

from .jsontext import loads
from .modelinfo import _RFC3339, BETA_CAPABILITIES_SHAPE, MODEL_ID_PATTERN, CatalogError, _fits, parse_rfc3339
from .rules import MODEL_LINES
from .store import BLOCK, Block, Key, Row, Rows

if TYPE_CHECKING:
    from .catalog import Catalog

__all__ = ["NotJSON", "load_json"]


class NotJSON(CatalogError):
    """A catalog text that is not JSON at all (``detail`` says why, without the source)."""

    def __init__(self, source: str, detail: str) -> None:
        super().__init__(f"{source}: {detail}")
        self.detail = detail


_Id = Annotated[str, msgspec.Meta(pattern=rf"^{MODEL_ID_PATTERN}\Z")]
_Moment = Annotated[str, msgspec.Meta(pattern=rf"^{_RFC3339.pattern}\Z")]
_Count = Annotated[int, msgspec.Meta(ge=1)]
_NULL = msgspec.Raw(b"null")


class _Head(msgspec.Struct, gc=False):
    """The served fields before ``capabilities``, in the order served (encoded as a model's head)."""

    type: str
    id: str
    display_name: str
    created_at: str
    lifecycle: str
    deprecated_at: str | None
    retires_at: str | None
    line: str | None
    max_input_tokens: int | None
    max_tokens: int | None


class _Entry(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    id: _Id
    display_name: str
    created_at: _Moment
    type: Literal["model"] = "model"
    lifecycle: Literal["active", "deprecated", "retired"] = "active"
    deprecated_at: _Moment | None = None
    retires_at: _Moment | None = None
    line: Literal[MODEL_LINES] | None = None  # type: ignore[valid-type]
    max_input_tokens: _Count | None = None
    max_tokens: _Count | None = None
    allowed_fallback_models: list[_Id] | None = None
    capabilities: msgspec.Raw = _NULL
    sources: msgspec.Raw = _NULL


class _Document(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    models: list[msgspec.Raw]  # each decoded in turn: between two the thread lets others run
    aliases: dict[str, str] = {}
    as_of: str | None = None
    description: msgspec.Raw = _NULL
    source: msgspec.Raw = _NULL
    sources: msgspec.Raw = _NULL
    omitted: msgspec.Raw = _NULL


_DECODER = msgspec.json.Decoder(_Document | list[msgspec.Raw])
_ENTRY = msgspec.json.Decoder(_Entry)
#: Models between two calls of the progress callback.
_EVERY = 65_536
_ENCODE = msgspec.json.Encoder().encode


class _Refused(Exception):
    """The fast path will not load this file; the reference path says why."""


def load_json(
    cls: type[Catalog], text: str | bytes, source: str, progress: Callable[[int], None] | None = None
) -> Catalog:
    """A catalog from a file's text (see ``Catalog.from_json``); ``progress(count)`` hears of the models read.

    Two passes: the first only finds where each model is (one C call, the only stretch that holds
    the interpreter), the second decodes and checks them one by one.
    """
    from .catalog import Builder, quiet_gc

    try:
        with quiet_gc():
            document = _DECODER.decode(text)
            entries, aliases, as_of = (
                (document, {}, None)
                if isinstance(document, list)
                else (document.models, document.aliases, document.as_of)
            )
            builder = Builder()
            rows, index, counts = _rows(entries, builder, progress)
            del document, entries
        return cls.from_rows(rows, builder.profiles, aliases, source=source, as_of=as_of, index=index, counts=counts)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, RecursionError, _Refused):
        return _reference(cls, text, source)


def _rows(
    raws: list[msgspec.Raw], builder: Any, progress: Callable[[int], None] | None
) -> tuple[Rows | list[Row], dict[str, Key], list[int]]:
    """The models as stored: in blocks made as they come while the file is in list order (as this package
    writes them; what is made for one block is then reused for the next), else every row, sorted."""
    blocks: list[Block] = []
    index: dict[str, Key] = {}
    counts = [0, 0, 0]
    previous: Key | None = None
    in_order = True
    tails = builder.profiles.plain
    moments: dict[str, float] = {}
    checked: set[str | None] = {None}
    profiles: dict[bytes, int] = {b"null": 0}
    codes = {"active": 0, "deprecated": 1, "retired": 2}
    rows: list[Row] = []
    append, encode, head, decode = rows.append, _ENCODE, _Head, _ENTRY.decode
    for count, raw in enumerate(raws, 1):
        entry = decode(raw)
        if progress is not None and count % _EVERY == 0:
            progress(count)
        lifecycle = entry.lifecycle
        if lifecycle == "active":
            if entry.deprecated_at is not None or entry.retires_at is not None:
                raise _Refused
        elif entry.deprecated_at is None:
            raise _Refused
        moment = moments.get(entry.created_at)
        if moment is None:
            moment = moments[entry.created_at] = _moment(entry.created_at)
        if entry.deprecated_at not in checked or entry.retires_at not in checked:
            for date in (entry.deprecated_at, entry.retires_at):
                if date is not None:
                    _moment(date)
                    checked.add(date)
        text = bytes(entry.capabilities)
        profile = profiles.get(text)
        if profile is None:
            profile = profiles[text] = _profile(text, builder)
        fallbacks = entry.allowed_fallback_models
        key = (moment, entry.id)
        if entry.id in index:
            raise _Refused  # a duplicate id: the reference path names it
        index[entry.id] = key
        code = codes[lifecycle]
        counts[code] += 1
        if in_order and previous is not None and key < previous:
            in_order = False  # out of order: keep every row, to sort them
            rows[:0] = [row for block in blocks for row in block.rows()]
            blocks = []
        previous = key
        append(
            (
                key,
                encode(
                    head(
                        entry.type,
                        entry.id,
                        entry.display_name,
                        entry.created_at,
                        lifecycle,
                        entry.deprecated_at,
                        entry.retires_at,
                        entry.line,
                        entry.max_input_tokens,
                        entry.max_tokens,
                    )
                )[:-1],
                profile,
                code,
                None if fallbacks is None else encode(fallbacks),
            )
        )
        if in_order and len(rows) == BLOCK:
            blocks.append(Block(rows, tails))
            rows.clear()
    if progress is not None:
        progress(len(index))
    if not in_order:
        rows.sort(key=_first)
        return rows, index, counts
    if rows:
        blocks.append(Block(rows, tails))
    return Rows(blocks, tails), index, counts


def _first(row: Row) -> Key:
    return row[0]


def _moment(text: str) -> float:
    try:
        return -parse_rfc3339(text).timestamp()
    except ValueError:
        raise _Refused from None


def _profile(raw: bytes, builder: Any) -> int:
    """The profile of one distinct capabilities text, checked as the reference path checks it."""
    value = json.loads(raw)
    if not _fits(value, BETA_CAPABILITIES_SHAPE):
        raise _Refused  # the reference path names the field
    return int(builder.capabilities(value, raw))


def _reference(cls: type[Catalog], text: str | bytes, source: str) -> Catalog:
    """The reference path: slower, and its errors name the file, the entry and the field."""
    if isinstance(text, bytes):
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
    return cls.from_document(document, source=source)
