"""A persistent mapping: ``set`` and ``delete`` return a new map sharing all but a small part of the old.

Keys are spread by their hash over a fixed two-level table of 64 x 64 slots, each holding a small
``dict`` (or nothing): a change copies two 64-slot tuples and one slot's dict, so it costs the same
at any size a catalog reaches (a million keys put about 250 in a slot). Plain Python, so it installs
wherever the package does. Iteration order follows the hashes: callers that need an order keep one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Generic, TypeVar, overload

__all__ = ["PMap"]

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")
_WIDTH = 64
_EMPTY: tuple[Any, ...] = (None,) * _WIDTH


class PMap(Mapping[K, V], Generic[K, V]):
    """An immutable mapping; ``set`` and ``delete`` make changed copies cheaply."""

    __slots__ = ("_root", "_size")

    _root: tuple[tuple[dict[K, V] | None, ...] | None, ...]
    _size: int

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        table: list[list[dict[K, V] | None] | None] = [None] * _WIDTH
        size = 0
        for key, value in pairs:
            code = hash(key)
            row = table[code % _WIDTH]
            if row is None:
                row = table[code % _WIDTH] = [None] * _WIDTH
            slot = row[code // _WIDTH % _WIDTH]
            if slot is None:
                slot = row[code // _WIDTH % _WIDTH] = {}
            size += key not in slot
            slot[key] = value
        self._root = tuple(None if row is None else tuple(row) for row in table)
        self._size = size

    def _made(self, root: tuple[tuple[dict[K, V] | None, ...] | None, ...], size: int) -> PMap[K, V]:
        new: PMap[K, V] = object.__new__(PMap)
        new._root, new._size = root, size
        return new

    def _slot(self, key: object) -> dict[K, V] | None:
        code = hash(key)
        row = self._root[code % _WIDTH]
        return None if row is None else row[code // _WIDTH % _WIDTH]

    def __getitem__(self, key: K) -> V:
        slot = self._slot(key)
        if slot is None:
            raise KeyError(key)
        return slot[key]

    @overload
    def get(self, key: K, /) -> V | None: ...
    @overload
    def get(self, key: K, default: V, /) -> V: ...
    @overload
    def get(self, key: K, default: T, /) -> V | T: ...
    def get(self, key: K, default: Any = None, /) -> Any:
        slot = self._slot(key)
        return default if slot is None else slot.get(key, default)

    def __contains__(self, key: object) -> bool:
        slot = self._slot(key)
        return slot is not None and key in slot

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[K]:
        for row in self._root:
            if row is not None:
                for slot in row:
                    if slot is not None:
                        yield from slot

    def __repr__(self) -> str:
        return f"PMap({dict(self.items())!r})"

    def set(self, key: K, value: V) -> PMap[K, V]:
        """A copy with ``key`` mapped to ``value``."""
        code = hash(key)
        i, j = code % _WIDTH, code // _WIDTH % _WIDTH
        row = self._root[i] or _EMPTY
        slot = dict(row[j] or ())
        grown = key not in slot
        slot[key] = value
        return self._made(_with(self._root, i, _with(row, j, slot)), self._size + grown)

    def delete(self, key: K) -> PMap[K, V]:
        """A copy without ``key`` (``KeyError`` when it is not there)."""
        code = hash(key)
        i, j = code % _WIDTH, code // _WIDTH % _WIDTH
        row = self._root[i]
        if row is None or row[j] is None or key not in row[j]:  # type: ignore[operator]
            raise KeyError(key)
        slot = dict(row[j])  # type: ignore[arg-type]
        del slot[key]
        return self._made(_with(self._root, i, _with(row, j, slot or None)), self._size - 1)


def _with(row: tuple[Any, ...], index: int, item: Any) -> tuple[Any, ...]:
    return (*row[:index], item, *row[index + 1 :])
