"""The catalog's storage: models in list order, in blocks, changed by copying one block.

A model is stored as the JSON of its fields before ``capabilities`` (its *head*), and the
index of its ``capabilities`` in a table of the distinct ones (most catalogs have a few),
each serialised once in the plain and the beta shape. So a model costs about a third of
the JSON it is served as, and serialising it is a concatenation.

Blocks hold at most ``2 * BLOCK`` models. A change copies the one block it touches and
the list of blocks (``n / BLOCK`` references): its cost grows with ``log n``, not ``n``,
and the unchanged blocks are shared with the catalog it was made from.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate

__all__ = ["BLOCK", "LIFECYCLE_CODES", "Block", "Profiles", "Row", "Rows", "ViewIndex"]

#: Models per block when a catalog is built (blocks split at twice this).
BLOCK = 512
#: Lifecycle names by their one-byte code in a block.
LIFECYCLE_CODES: tuple[str, ...] = ("active", "deprecated", "retired")
_CODE = {name: code for code, name in enumerate(LIFECYCLE_CODES)}
_RETIRED_CODE = _CODE["retired"]
_RETIRED_BIT = 1 << _RETIRED_CODE

#: A model's sort key: ``(-created_at as a POSIX timestamp, id)``; list order is ascending keys.
Key = tuple[float, str]


#: One model, ready to store: its key; its head, ``b'{"type":"model","id":…,"max_tokens":…'`` (no
#: capabilities, no closing brace); its profile (an index into ``Profiles``); its lifecycle (an index
#: into ``LIFECYCLE_CODES``); the JSON of ``allowed_fallback_models`` when not null. A plain tuple:
#: a NamedTuple's constructor is Python code, too slow for millions.
Row = tuple[Key, bytes, int, int, "bytes | None"]


class Profiles:
    """The distinct ``capabilities`` objects, serialised once in each shape; append-only.

    Index 0 is ``null``. Entries are only ever appended, so catalogs derived from one
    another share the table safely: each only refers to entries that existed when it was made.
    """

    __slots__ = ("_index", "_lock", "beta", "plain")

    def __init__(self) -> None:
        self._lock = threading.Lock()  # a test's thread and the server's may both add
        self.plain: list[bytes] = [b',"capabilities":null}']
        self.beta: list[bytes] = [b',"capabilities":null}']
        self._index: dict[bytes, int] = {b"null": 0}

    def add(self, plain: bytes, beta: bytes) -> int:
        """The index of this capabilities object (its two serialisations), added if new."""
        found = self._index.get(beta)
        if found is None:
            with self._lock:
                found = self._index.get(beta)
                if found is None:
                    self.plain.append(b',"capabilities":%s}' % plain)
                    self.beta.append(b',"capabilities":%s}' % beta)
                    found = self._index[beta] = len(self.beta) - 1
        return found

    def __len__(self) -> int:
        return len(self.beta)


class Block:
    """Up to ``2 * BLOCK`` models, in list order; never changed once made.

    Their plain bodies lie in one contiguous ``blob``, comma-separated: first the models listed
    by default (active and deprecated), then the retired ones, each group in list order
    (``place[n]`` is model ``n``'s place in it). So a page of the default list, or of the
    retired models, is one slice read from consecutive memory; other lists take a slice per run.
    """

    __slots__ = (
        "_index",
        "_members",
        "blob",
        "fallbacks",
        "heads",
        "keys",
        "lifecycles",
        "offsets",
        "place",
        "profiles",
        "split",
    )

    def __init__(self, rows: Sequence[Row], tails: Sequence[bytes]) -> None:
        keys, heads, profiles, lifecycles, fallbacks = zip(*rows, strict=True)  # one pass, in C
        self.keys: tuple[Key, ...] = keys
        self.profiles = array("I", profiles)
        self.lifecycles = bytes(lifecycles)
        listed = range(len(keys))
        stored_heads: Sequence[bytes] = heads
        stored_profiles: Sequence[int] = profiles
        if _RETIRED_CODE in self.lifecycles:
            order = [n for n in listed if lifecycles[n] != _RETIRED_CODE]
            self.split = len(order)
            order += [n for n in listed if lifecycles[n] == _RETIRED_CODE]
            stored_heads, stored_profiles = [heads[n] for n in order], [profiles[n] for n in order]
            place = [0] * len(order)
            for stored, n in enumerate(order):
                place[n] = stored
            self.place: Sequence[int] = array("I", place)
        else:
            self.split, self.place = len(keys), listed
        self.heads = array("I", map(len, stored_heads))  # by place: each body's head is its first heads[p] bytes
        bodies = list(map(bytes.__add__, stored_heads, map(tails.__getitem__, stored_profiles)))
        self.blob = b",".join(bodies)
        self.offsets = array("Q", accumulate(map(_plus_one, map(len, bodies)), initial=0))
        self.fallbacks: dict[int, bytes] | None = None
        if fallbacks.count(None) != len(fallbacks):
            self.fallbacks = {n: text for n, text in enumerate(fallbacks) if text is not None}
        self._members: dict[int, array[int]] = {}
        self._index: dict[Key, int] | None = None

    def __len__(self) -> int:
        return len(self.keys)

    def offset(self, key: Key) -> int | None:
        """The position of the model with this key in the block (a dict made on first use), or ``None``."""
        if self._index is None:
            self._index = {key: n for n, key in enumerate(self.keys)}
        return self._index.get(key)

    def head(self, n: int) -> bytes:
        place = self.place[n]
        start = self.offsets[place]
        return self.blob[start : start + self.heads[place]]

    def row(self, n: int) -> Row:
        fallbacks = self.fallbacks.get(n) if self.fallbacks else None
        return (self.keys[n], self.head(n), self.profiles[n], self.lifecycles[n], fallbacks)

    def rows(self) -> list[Row]:
        return [self.row(n) for n in range(len(self.keys))]

    def members(self, mask: int) -> array[int]:
        """Positions in this block of the models whose lifecycle code is in ``mask`` (a bit set)."""
        found = self._members.get(mask)
        if found is None:
            found = self._members[mask] = array("I", [n for n, code in enumerate(self.lifecycles) if mask >> code & 1])
        return found

    def run(self, start: int, stop: int) -> bytes:
        """The plain bodies at places ``start..stop-1``, comma-separated: one slice."""
        return self.blob[self.offsets[start] : self.offsets[stop] - 1]

    def shown(self, offsets: Sequence[int], mask: int) -> list[bytes]:
        """The plain bodies of the models at ``offsets`` (ascending, all of ``mask``): one slice when they are
        neighbours in the blob, else a slice per run of them."""
        place = self.place
        first, last = place[offsets[0]], place[offsets[-1]]
        one_group = mask & _RETIRED_BIT == 0 or mask == _RETIRED_BIT or self.split == len(self.keys)
        if one_group and last - first + 1 == len(offsets):  # in one group places ascend: these are neighbours
            return [self.blob[self.offsets[first] : self.offsets[last + 1] - 1]]
        parts = []
        run = previous = first
        for n in offsets[1:]:
            stored = place[n]
            if stored != previous + 1:
                parts.append(self.run(run, previous + 1))
                run = stored
            previous = stored
        parts.append(self.run(run, previous + 1))
        return parts

    def body(self, n: int, tails: list[bytes], beta: bool) -> bytes:
        """The JSON of model ``n``, plain, or beta (``tails``: the beta ones)."""
        if beta:
            fallbacks = (self.fallbacks.get(n) if self.fallbacks else None) or b"null"
            return b'%s,"allowed_fallback_models":%s%s' % (self.head(n), fallbacks, tails[self.profiles[n]])
        place = self.place[n]
        return self.blob[self.offsets[place] : self.offsets[place + 1] - 1]


def _plus_one(size: int) -> int:
    return size + 1


class Rows:
    """Every model, in blocks; immutable. ``with_row`` and ``without`` return a copy sharing blocks.

    ``tails`` is the plain serialisations of the capabilities (``Profiles.plain``), for new blocks.
    """

    __slots__ = ("blocks", "bounds", "starts", "tails")

    def __init__(self, blocks: list[Block], tails: Sequence[bytes]) -> None:
        self.blocks, self.tails = blocks, tails
        self.bounds: list[Key] = [block.keys[0] for block in blocks]  # each block's first key
        self.starts = array("Q", accumulate((len(block) for block in blocks), initial=0))

    @classmethod
    def from_sorted(cls, rows: Sequence[Row], tails: Sequence[bytes]) -> Rows:
        """Blocks of ``BLOCK`` rows from rows already in list order."""
        return cls([Block(rows[n : n + BLOCK], tails) for n in range(0, len(rows), BLOCK)], tails)

    def __len__(self) -> int:
        return self.starts[-1]

    def find(self, key: Key) -> tuple[int, int] | None:
        """``(block, offset)`` of the model with this key, or ``None``."""
        b = bisect_right(self.bounds, key) - 1
        if b < 0:
            return None
        n = self.blocks[b].offset(key)
        return None if n is None else (b, n)

    def with_row(self, row: Row) -> Rows:
        """A copy with ``row`` inserted in order (its key must be new)."""
        if not self.blocks:
            return Rows([Block([row], self.tails)], self.tails)
        b = max(bisect_right(self.bounds, row[0]) - 1, 0)
        block = self.blocks[b]
        rows = block.rows()
        rows.insert(bisect_left(block.keys, row[0]), row)
        tails = self.tails
        parts = (
            [Block(rows, tails)] if len(rows) <= 2 * BLOCK else [Block(rows[:BLOCK], tails), Block(rows[BLOCK:], tails)]
        )
        return Rows([*self.blocks[:b], *parts, *self.blocks[b + 1 :]], tails)

    def without(self, where: tuple[int, int]) -> Rows:
        """A copy without the model at ``where`` (from ``find``)."""
        b, n = where
        rows = self.blocks[b].rows()
        del rows[n]
        parts = [Block(rows, self.tails)] if rows else []
        return Rows([*self.blocks[:b], *parts, *self.blocks[b + 1 :]], self.tails)

    def __iter__(self) -> Iterator[tuple[Block, int]]:
        for block in self.blocks:
            for n in range(len(block)):
                yield block, n


class ViewIndex:
    """Positions in the list filtered to some lifecycles (``mask``, a bit set of their codes)."""

    __slots__ = ("_all", "mask", "rows", "starts")

    def __init__(self, rows: Rows, mask: int, present: int) -> None:
        self.rows, self.mask = rows, mask
        self._all = present & ~mask == 0  # every model passes: positions are the blocks' own
        if self._all:
            self.starts = rows.starts
        else:
            counts = (len(block.members(mask)) for block in rows.blocks)
            self.starts = array("Q", accumulate(counts, initial=0))

    def __len__(self) -> int:
        return self.starts[-1]

    def position(self, where: tuple[int, int]) -> int | None:
        """The filtered position of the model at ``where``, or ``None`` when its lifecycle is filtered out."""
        b, n = where
        if self._all:
            return self.starts[b] + n
        block = self.rows.blocks[b]
        if not self.mask >> block.lifecycles[n] & 1:
            return None
        return self.starts[b] + bisect_left(block.members(self.mask), n)

    def span(self, start: int, stop: int) -> Iterator[tuple[Block, Sequence[int]]]:
        """The blocks holding filtered positions ``start..stop-1``, each with its offsets among them."""
        b = bisect_right(self.starts, start) - 1
        blocks = self.rows.blocks
        while start < stop and b < len(blocks):
            block, first = blocks[b], self.starts[b]
            last = min(stop, self.starts[b + 1])
            if last > start:  # a block may hold none of the lifecycles shown
                if self._all:
                    yield block, range(start - first, last - first)
                else:
                    yield block, block.members(self.mask)[start - first : last - first]
            start = last
            b += 1


def lifecycle_mask(lifecycles: Iterable[str]) -> int:
    """The bit set of these lifecycles' codes."""
    mask = 0
    for name in lifecycles:
        mask |= 1 << _CODE[name]
    return mask


def lifecycle_code(name: str) -> int:
    return _CODE[name]
