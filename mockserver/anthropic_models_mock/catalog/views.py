"""A catalog's views: its models filtered to some lifecycles (and to what one key may see), in list order, each
page a slice.

Positions are found down one path of the catalog's tree (a bisection and a sum a level), and a
page is one slice of a block's pre-serialised bodies, or a few: both cost ``O(log n)``.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import Any, overload

from ..storage.blocks import Key, Rows, Scope

__all__ = ["KEPT_ANSWERS", "KEPT_BYTES", "Kept", "View", "key_of"]

#: Answers a catalog keeps (``Catalog.answers``), at most: this many, and this many bytes in all.
KEPT_ANSWERS = 4096
KEPT_BYTES = 8 << 20

_MISSING: Any = object()


def key_of(index: Mapping[str, Key], delta: Mapping[str, Key | None], model_id: str) -> Key | None:
    """The key of ``model_id``: from ``delta`` (the changes since ``index`` was made), else from ``index``."""
    if delta:
        found = delta.get(model_id, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[no-any-return]
    return index.get(model_id)


class Kept:
    """Answers rendered from a catalog, which never changes, so neither do they: at most ``KEPT_ANSWERS`` of them
    and ``KEPT_BYTES`` in all; past either, the oldest are forgotten. ``get`` is one dict lookup (the hot path)."""

    __slots__ = ("_bytes", "_keeping", "_kept", "get")

    def __init__(self) -> None:
        self._kept: dict[Hashable, bytes] = {}
        self.get = self._kept.get
        self._bytes = 0
        self._keeping = threading.Lock()

    def keep(self, key: Hashable, body: bytes) -> None:
        if len(body) > KEPT_BYTES:
            return
        kept = self._kept
        with self._keeping:  # (apps in two threads may serve one catalog)
            while kept and (len(kept) >= KEPT_ANSWERS or self._bytes + len(body) > KEPT_BYTES):
                self._bytes -= len(kept.pop(next(iter(kept))))
            self._bytes += len(body) - len(kept.get(key, b""))
            kept[key] = body


class View:
    """The catalog filtered to a ``Scope`` (some lifecycles; and what one key may see), in list order.

    Made from the catalog's lookup parts, not the catalog: a view it caches must not keep it alive in a cycle.
    """

    __slots__ = ("_key", "_mask", "_rows")

    def __init__(self, rows: Rows, index: Mapping[str, Key], delta: Mapping[str, Key | None], mask: Scope) -> None:
        self._key = functools.partial(key_of, index, delta)
        self._rows, self._mask = rows, mask

    def __len__(self) -> int:
        return self._rows.count(self._mask)

    def locate(self, model_id: str) -> int | None:
        """The position of ``model_id`` in this view, or ``None`` when it is not in it."""
        key = self._key(model_id)
        return None if key is None else self._rows.position(key, self._mask)

    def page(self, start: int, stop: int) -> tuple[list[bytes | memoryview], bytes, bytes]:
        """Models ``start..stop-1`` (``start < stop``), as runs of comma-separated bodies (views of the stored
        bytes where they can be: joined, they are copied once), with the first and last ids."""
        parts: list[bytes | memoryview] = []
        first = last = b""
        for block, offsets in self._rows.span(start, stop, self._mask):
            parts += block.shown(offsets, self._mask)  # one run of the block's stored bodies, or one per run
            if not first:
                first = block.model_id(offsets[0])
            last = block.model_id(offsets[-1])
        return parts, first, last

    def joined(self, start: int, stop: int) -> bytes:
        """The serialised models ``start..stop-1``, comma-separated."""
        return b",".join(self.page(start, stop)[0]) if start < stop else b""

    def body(self, index: int) -> bytes:
        """The serialised model at ``index``."""
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.joined(index, index + 1)

    @property
    def ids(self) -> Sequence[str]:
        """The ids, in list order (a lazy sequence)."""
        return _Ids(self)

    @property
    def position(self) -> Mapping[str, int]:
        """Id -> position in this view (a lazy mapping)."""
        return _Positions(self)

    @property
    def bodies(self) -> tuple[bytes, ...]:
        """Every serialised model (for inspection, not for serving)."""
        return tuple(self.body(n) for n in range(len(self)))

    def _items(self) -> Iterator[tuple[str, int]]:
        position = 0
        for block, offsets in self._rows.span(0, len(self), self._mask):
            for n in offsets:
                yield block.keys[n][1], position
                position += 1


class _Ids(Sequence[str]):
    __slots__ = ("_view",)

    def __init__(self, view: View) -> None:
        self._view = view

    def __len__(self) -> int:
        return len(self._view)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [model_id for model_id, _ in self._view._items()][index]
        size = len(self._view)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError(index)
        return self._view.page(index, index + 1)[1].decode()

    def __iter__(self) -> Iterator[str]:
        return (model_id for model_id, _ in self._view._items())


class _Positions(Mapping[str, int]):
    __slots__ = ("_view",)

    def __init__(self, view: View) -> None:
        self._view = view

    def __getitem__(self, model_id: str) -> int:
        found = self._view.locate(model_id) if isinstance(model_id, str) else None
        if found is None:
            raise KeyError(model_id)
        return found

    def __iter__(self) -> Iterator[str]:
        return (model_id for model_id, _ in self._view._items())

    def __len__(self) -> int:
        return len(self._view)
