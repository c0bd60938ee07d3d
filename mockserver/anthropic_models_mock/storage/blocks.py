"""The catalog's storage: models in list order, in blocks, changed by copying one block.

A model is stored as its body (the JSON it is served as), in its block's one blob: its *head*
(the fields before ``capabilities``) and then its ``capabilities``, from a table of the distinct
ones (most catalogs have a few), each serialised once.

Blocks hold at most ``2 * BLOCK`` models and are the leaves of a B+ tree (``Rows``) whose
nodes know their children's first keys and lifecycle counts (and, once asked, the counts of any ``Scope``:
what one key may see). A change copies the one block
it touches and the nodes above it: its cost grows with ``log n``, not ``n``, and everything
else is shared with the catalog it was made from.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate, chain, compress, repeat
from operator import add, itemgetter
from typing import TypeVar

from ..model.access import Sieve
from ..model.limits import MAX_PATTERN_SETS
from ..model.modelinfo import FIELDS

__all__ = ["BLOCK", "FANOUT", "KEPT_SCOPES", "LIFECYCLE_CODES", "Block", "Node", "Profiles", "Row", "Rows", "Scope"]

#: Models per block when a catalog is built (blocks split at twice this).
BLOCK = 512
#: Children per node when a tree is built (nodes split at twice this): 1M models are 2 levels of nodes.
FANOUT = 64
#: What follows a model's head in its body: the key of the last served field (``FIELDS``), written as JSON.
_CAPABILITIES = b',"%s":' % FIELDS[-1].encode()
#: Lifecycle names by their one-byte code in a block.
LIFECYCLE_CODES: tuple[str, ...] = ("active", "deprecated", "retired")
_CODE = {name: code for code, name in enumerate(LIFECYCLE_CODES)}
_RETIRED_CODE = _CODE["retired"]
_RETIRED_BIT = 1 << _RETIRED_CODE
_LISTED_BITS = (1 << len(LIFECYCLE_CODES)) - 1 - _RETIRED_BIT
#: ``bytes.translate`` tables: a lifecycle code to 1 where the model is listed by default (or retired), else 0.
_LISTED = bytes(int(code != _RETIRED_CODE) for code in range(256))
_RETIRED = bytes(int(code == _RETIRED_CODE) for code in range(256))
_ONE = 1
#: What every body starts with, up to its id (``FIELDS`` begins with type and id; ids need no escaping).
_BEFORE_ID = b'{"type":"model","id":"'
assert FIELDS[:2] == ("type", "id")

#: A model's sort key: ``(-created_at as a POSIX timestamp, id)``; list order is ascending keys.
Key = tuple[float, str]

#: What a list holds: the models whose lifecycle code is in a bit set (``lifecycle_mask``), or those of them
#: whose ids a ``Sieve`` lets through (what one key may see). Each block and node keeps what it counted for a
#: scope, so a list is counted once per scope, and a changed catalog recounts only the blocks it changed.
Scope = int | tuple[int, Sieve]
#: The most scopes (and sieves) a block or node keeps what it counted for: every lifecycle filter, for each
#: of a keys file's distinct sets of patterns (``MAX_PATTERN_SETS``), and as many again.
KEPT_SCOPES = 2 * 8 * (MAX_PATTERN_SETS + 1)
_ID = itemgetter(1)
_T = TypeVar("_T")
_V = TypeVar("_V")


#: One model, ready to store: its key; its head, ``b'{"type":"model","id":…,"allowed_fallback_models":…'``
#: (no capabilities, no closing brace); its profile (an index into ``Profiles``); its lifecycle (an index
#: into ``LIFECYCLE_CODES``). A plain tuple: a NamedTuple's constructor is Python code, too slow for millions.
Row = tuple[Key, bytes, int, int]


class Profiles:
    """The distinct ``capabilities`` objects, each serialised once as the tail of a body; append-only.

    Index 0 is ``null``. Entries are only ever appended, so catalogs derived from one
    another share the table safely: each only refers to entries that existed when it was made.
    """

    __slots__ = ("_index", "_lock", "tails")

    def __init__(self) -> None:
        self._lock = threading.Lock()  # a test's thread and the server's may both add
        self.tails: list[bytes] = [_CAPABILITIES + b"null}"]
        self._index: dict[bytes, int] = {b"null": 0}

    def add(self, text: bytes) -> int:
        """The index of this capabilities object (its serialisation), added if new."""
        found = self._index.get(text)
        if found is None:
            with self._lock:
                found = self._index.get(text)
                if found is None:
                    self.tails.append(b"%s%s}" % (_CAPABILITIES, text))
                    found = self._index[text] = len(self.tails) - 1
        return found

    def __len__(self) -> int:
        return len(self.tails)


class Block:
    """Up to ``2 * BLOCK`` models, in list order; never changed once made (what it keeps of what was asked of
    it, counts and the clock's copy, is made from it and changes nothing it holds).

    Their bodies lie in one contiguous ``blob``, comma-separated: first the models listed
    by default (active and deprecated), then the retired ones, each group in list order
    (``place[n]`` is model ``n``'s place in it). So a page of the default list, or of the
    retired models, is one slice read from consecutive memory; other lists take a slice per run.
    """

    __slots__ = (
        "_index",
        "_members",
        "at",
        "blob",
        "counts",
        "first",
        "heads",
        "keys",
        "lifecycles",
        "offsets",
        "place",
        "profiles",
        "split",
    )

    def __init__(self, rows: Sequence[Row], tails: Sequence[bytes]) -> None:
        keys, heads, profiles, lifecycles = zip(*rows, strict=True)  # one pass, in C
        self.keys: tuple[Key, ...] = keys
        self.first: Key = keys[0]
        self.profiles = array("I", profiles)
        self.lifecycles = bytes(lifecycles)
        self.counts: tuple[int, int, int] = (
            self.lifecycles.count(0),
            self.lifecycles.count(1),
            self.lifecycles.count(2),
        )
        listed = range(len(keys))
        stored_heads: Sequence[bytes] = heads
        stored_profiles: Sequence[int] = profiles
        if _RETIRED_CODE in self.lifecycles:  # the listed models first, then the retired (all in C)
            order = list(compress(listed, self.lifecycles.translate(_LISTED)))
            self.split = len(order)
            order += compress(listed, self.lifecycles.translate(_RETIRED))
            stored_heads, stored_profiles = list(map(heads.__getitem__, order)), list(map(profiles.__getitem__, order))
            self.place: Sequence[int] = array("I", sorted(listed, key=order.__getitem__))  # the inverse of ``order``
        else:
            self.split, self.place = len(keys), listed
        self.heads = array("I", map(len, stored_heads))  # by place: each body's head is its first heads[p] bytes
        stored_tails = list(map(tails.__getitem__, stored_profiles))
        parts = list(chain.from_iterable(zip(stored_heads, stored_tails, repeat(b","))))  # no body is made alone
        parts.pop()
        self.blob = b"".join(parts)
        sizes = map(add, map(_ONE.__add__, self.heads), map(len, stored_tails))  # each body and its comma
        self.offsets = array("Q", accumulate(sizes, initial=0))
        self._members: dict[Scope | Sieve, Sequence[int]] = {}  # by scope (and by sieve alone: ``_seen``)
        self._index: dict[Key, int] | None = None
        #: The block as it stands over a span of moments ``[since, until)``, kept by ``catalog.clock``.
        self.at: tuple[Block | None, float, float] | None = None

    def __len__(self) -> int:
        return len(self.keys)

    def _copy(
        self,
        keys: tuple[Key, ...],
        profiles: array[int],
        lifecycles: bytes,
        heads: array[int],
        blob: bytes,
        offsets: array[int],
        place: Callable[[int], int],
    ) -> Block:
        """A block of these parts; ``place(n)`` is model ``n``'s place when some are retired."""
        new = object.__new__(Block)
        new.keys, new.first, new.profiles, new.lifecycles = keys, keys[0], profiles, lifecycles
        new.counts = (lifecycles.count(0), lifecycles.count(1), lifecycles.count(2))
        new.split = len(keys) - new.counts[_RETIRED_CODE]
        new.place = array("I", map(place, range(len(keys)))) if new.counts[_RETIRED_CODE] else range(len(keys))
        new.heads, new.blob, new.offsets = heads, blob, offsets
        new._members, new._index, new.at = {}, None, None
        return new

    def without(self, n: int) -> Block | None:
        """This block without model ``n`` (``None`` when it was the only one): its body cut out of the blob."""
        size = len(self.keys)
        if size == 1:
            return None
        p, old = self.place[n], self.offsets
        start, end = old[p], old[p + 1]  # body p is blob[start : end - 1]; a comma follows it unless it is last
        whole = memoryview(self.blob)  # slices of it are not copies: the new blob is the one copy made
        blob = bytes(whole[: start - 1]) if p == size - 1 else b"".join((whole[:start], whole[end:]))
        width = end - start
        offsets = old[: p + 1]
        offsets.extend([o - width for o in old[p + 2 :]])
        place = self.place
        return self._copy(
            self.keys[:n] + self.keys[n + 1 :],
            self.profiles[:n] + self.profiles[n + 1 :],
            self.lifecycles[:n] + self.lifecycles[n + 1 :],
            self.heads[:p] + self.heads[p + 1 :],
            blob,
            offsets,
            lambda m: (q := place[m + (m >= n)]) - (q > p),
        )

    def inserted(self, row: Row, tails: Sequence[bytes]) -> Block:
        """This block with ``row`` inserted in order (its key must be new): its body spliced into the blob."""
        key, head, profile, code = row
        n = bisect_left(self.keys, key)
        size, retired = len(self.keys), code == _RETIRED_CODE
        listed_before = n - self.lifecycles[:n].count(_RETIRED_CODE)
        p = self.split + n - listed_before if retired else listed_before
        body = head + tails[profile]
        old = self.offsets
        whole = memoryview(self.blob)  # slices of it are not copies: the new blob is the one copy made
        blob = b"".join((whole, b",", body) if p == size else (whole[: old[p]], body, b",", whole[old[p] :]))
        width = len(body) + 1
        offsets = old[: p + 1]
        offsets.extend([o + width for o in old[p:]])
        heads = self.heads[:p]
        heads.append(len(head))
        heads.extend(self.heads[p:])
        place = self.place
        return self._copy(
            (*self.keys[:n], key, *self.keys[n:]),
            self.profiles[:n] + array("I", [profile]) + self.profiles[n:],
            self.lifecycles[:n] + bytes([code]) + self.lifecycles[n:],
            heads,
            blob,
            offsets,
            lambda m: p if m == n else (q := place[m - (m > n)]) + (q >= p),
        )

    def offset(self, key: Key) -> int | None:
        """The position of the model with this key in the block (a dict made on first use), or ``None``."""
        if self._index is None:
            self._index = {key: n for n, key in enumerate(self.keys)}
        return self._index.get(key)

    def head(self, n: int) -> bytes:
        place = self.place[n]
        start = self.offsets[place]
        return self.blob[start : start + self.heads[place]]

    def model_id(self, n: int) -> bytes:
        """The id of model ``n``, read from its stored body (the bytes a page copies next, not its key)."""
        blob = self.blob
        start = self.offsets[self.place[n]] + len(_BEFORE_ID)
        return blob[start : blob.index(b'"', start)]

    def row(self, n: int) -> Row:
        return (self.keys[n], self.head(n), self.profiles[n], self.lifecycles[n])

    def rows(self) -> list[Row]:
        return [self.row(n) for n in range(len(self.keys))]

    def members(self, scope: Scope) -> Sequence[int]:
        """Offsets in this block of the models in ``scope``, ascending (kept: a block never changes)."""
        found = self._members.get(scope)
        if found is None:
            if isinstance(scope, int):
                found = self._of_lifecycles(scope)
            else:
                mask, sieve = scope
                seen = self._seen(sieve)
                of = self.members(mask)
                if isinstance(of, range):
                    found = seen
                else:
                    lifecycles = self.lifecycles
                    found = array("I", [n for n in seen if mask >> lifecycles[n] & 1])
            _keep(self._members, scope, found)
        return found

    def _of_lifecycles(self, mask: int) -> Sequence[int]:
        lifecycles = self.lifecycles
        if all(mask >> code & 1 or not count for code, count in enumerate(self.counts)):
            return range(len(lifecycles))  # every model here is of those lifecycles
        return array("I", [n for n, code in enumerate(lifecycles) if mask >> code & 1])

    def _seen(self, sieve: Sieve) -> Sequence[int]:
        """Offsets of the models whose ids ``sieve`` lets through, of any lifecycle (one match an id, in C)."""
        found = self._members.get(sieve)
        if found is None:
            size = len(self.keys)
            found = array("I", compress(range(size), map(sieve.match, map(_ID, self.keys))))
            if len(found) == size:
                found = range(size)
            _keep(self._members, sieve, found)
        return found

    def rank(self, n: int, scope: Scope) -> int | None:
        """How many models of ``scope`` come before offset ``n`` in this block; ``None`` when ``n`` is not in it.

        The listed models, and the retired ones, are each a group in list order in the blob: there, the rank
        is the place in the group."""
        if scope == _LISTED_BITS:
            return self.place[n] if self.lifecycles[n] != _RETIRED_CODE else None
        if scope == _RETIRED_BIT:
            return self.place[n] - self.split if self.lifecycles[n] == _RETIRED_CODE else None
        members = self.members(scope)
        if isinstance(members, range):
            return n
        found = bisect_left(members, n)
        return found if found < len(members) and members[found] == n else None

    def run(self, start: int, stop: int) -> memoryview:
        """The bodies at places ``start..stop-1``, comma-separated: a view of the blob, not a copy."""
        return memoryview(self.blob)[self.offsets[start] : self.offsets[stop] - 1]

    def shown(self, offsets: Sequence[int], scope: Scope) -> list[memoryview]:
        """The bodies of the models at ``offsets`` (ascending, all in ``scope``): one run when they are
        neighbours in the blob, else a run per group of them."""
        mask = scope if isinstance(scope, int) else scope[0]
        place = self.place
        first, last = place[offsets[0]], place[offsets[-1]]
        one_group = mask & _RETIRED_BIT == 0 or mask == _RETIRED_BIT or self.split == len(self.keys)
        if one_group and last - first + 1 == len(offsets):  # in one group places ascend: these are neighbours
            return [self.run(first, last + 1)]
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

    def body(self, n: int) -> bytes:
        """The JSON of model ``n``."""
        place = self.place[n]
        return self.blob[self.offsets[place] : self.offsets[place + 1] - 1]


class Node:
    """Up to ``2 * FANOUT`` children of one height (blocks, or nodes), in list order; never changed once made.

    Holds each child's first key (to find a key by bisection) and the models per lifecycle code
    below it, so a position in any filtered list is a sum down one path.
    """

    __slots__ = ("_before", "bounds", "children", "counts", "first", "moments")

    def __init__(self, children: Sequence[Block | Node]) -> None:
        self.children = children
        self.bounds: list[Key] = [child.first for child in children]
        self.moments = array("d", [bound[0] for bound in self.bounds])  # (see ``child``)
        self.first: Key = self.bounds[0] if children else (0.0, "")
        active = deprecated = retired = 0
        for a, d, r in (child.counts for child in children):
            active, deprecated, retired = active + a, deprecated + d, retired + r
        self.counts: tuple[int, int, int] = (active, deprecated, retired)
        self._before: dict[Scope, array[int]] = {}

    def with_child(self, i: int, child: Block | Node) -> Node:
        """This node with child ``i`` replaced: the lists copied, the counts adjusted (not summed again)."""
        new = object.__new__(Node)
        new.children, new.bounds, new.moments = list(self.children), self.bounds.copy(), self.moments[:]
        new.children[i], new.bounds[i], new.moments[i] = child, child.first, child.first[0]
        new.first = new.bounds[0]
        (a, d, r), (old_a, old_d, old_r), (new_a, new_d, new_r) = self.counts, self.children[i].counts, child.counts
        new.counts = (a - old_a + new_a, d - old_d + new_d, r - old_r + new_r)
        new._before = {}
        return new

    def child(self, key: Key) -> int:
        """The index of the last child whose first key is at or before ``key`` (-1: none is).

        Bisected on the first keys' moments (one array of floats, a few cache lines), then on the keys
        themselves only among the children that start at ``key``'s own moment: a tuple is met only there.
        """
        moments, moment = self.moments, key[0]
        low, high = bisect_left(moments, moment), bisect_right(moments, moment)
        return (bisect_right(self.bounds, key, low, high) if low < high else low) - 1

    def before(self, scope: Scope) -> array[int]:
        """Models of ``scope`` before each child (and, last, in all of them); made on first use."""
        found = self._before.get(scope)
        if found is None:
            if isinstance(scope, int):
                counts: Iterable[int] = (_count(child.counts, scope) for child in self.children)
            else:
                counts = (
                    len(child.members(scope)) if isinstance(child, Block) else child.before(scope)[-1]
                    for child in self.children
                )
            found = array("Q", accumulate(counts, initial=0))
            _keep(self._before, scope, found)
        return found


def _keep(kept: dict[_T, _V], scope: _T, found: _V) -> None:
    """Keep what was counted for ``scope``: at most ``KEPT_SCOPES`` scopes a block or node (past them, all are
    forgotten and counted again as asked: keys set again and again with new patterns cannot grow memory)."""
    if len(kept) >= KEPT_SCOPES:
        kept.clear()
    kept[scope] = found


def _count(counts: tuple[int, int, int], mask: int) -> int:
    """Models of the lifecycles in ``mask`` among ``counts`` (models per lifecycle code)."""
    return (mask & 1 and counts[0]) + (mask & 2 and counts[1]) + (mask & 4 and counts[2])


class Rows:
    """Every model, in a tree of blocks; immutable. ``with_row`` and ``without`` return a copy sharing all but
    the block they change (two, when it splits) and the nodes above it.

    The tree is a B+ tree: blocks are its leaves, all at one depth; a node has up to ``2 * FANOUT``
    children. A change copies one block and the ``log n`` nodes on its path, so it costs ``O(log n)``
    at any size. ``tails`` is the serialisations of the capabilities (``Profiles.tails``), for new blocks.
    """

    __slots__ = ("root", "tails")

    def __init__(self, blocks: Sequence[Block], tails: Sequence[bytes]) -> None:
        self.tails = tails
        level: Sequence[Block | Node] = blocks
        while True:  # the root is always a node, empty for an empty catalog
            fanout = FANOUT
            level = [Node(level[n : n + fanout]) for n in range(0, len(level), fanout)] or [Node([])]
            if len(level) == 1:
                break
        self.root: Node = level[0]  # type: ignore[assignment]

    @classmethod
    def from_sorted(cls, rows: Sequence[Row], tails: Sequence[bytes]) -> Rows:
        """Blocks of ``BLOCK`` rows from rows already in list order."""
        size = BLOCK
        return cls([Block(rows[n : n + size], tails) for n in range(0, len(rows), size)], tails)

    def _with_root(self, root: Node) -> Rows:
        new = object.__new__(Rows)
        new.tails, new.root = self.tails, root
        return new

    def __len__(self) -> int:
        return sum(self.root.counts)

    def find(self, key: Key) -> tuple[Block, int] | None:
        """The block holding the model with this key and its offset there, or ``None``."""
        node: Block | Node = self.root
        while isinstance(node, Node):
            i = node.child(key)
            if i < 0:
                return None
            node = node.children[i]
        n = node.offset(key)
        return None if n is None else (node, n)

    def position(self, key: Key, scope: Scope) -> int | None:
        """The position of the model with this key in the list of ``scope``, or ``None`` when not in it."""
        node: Block | Node = self.root
        position = 0
        while isinstance(node, Node):
            i = node.child(key)
            if i < 0:
                return None
            position += (node._before.get(scope) or node.before(scope))[i]
            node = node.children[i]
        n = node.offset(key)
        if n is None:
            return None
        rank = node.rank(n, scope)
        return None if rank is None else position + rank

    def count(self, scope: Scope) -> int:
        """How many models the list of ``scope`` holds."""
        if isinstance(scope, int):
            return _count(self.root.counts, scope)
        return self.root.before(scope)[-1]

    def span(self, start: int, stop: int, scope: Scope) -> Iterator[tuple[Block, Sequence[int]]]:
        """The blocks holding positions ``start..stop-1`` of the list of ``scope``, each with its offsets among
        them."""
        wanted = stop - start
        if wanted <= 0:
            return
        path: list[tuple[Node, int]] = []
        node: Block | Node = self.root
        while isinstance(node, Node):
            before = node._before.get(scope) or node.before(scope)
            i = bisect_right(before, start) - 1  # the last child starting at or before ``start``: never empty
            if i >= len(node.children):
                return
            start -= before[i]
            path.append((node, i))
            node = node.children[i]
        while True:
            offsets = node.members(scope)[start : start + wanted]
            if offsets:
                yield node, offsets
                wanted -= len(offsets)
                if wanted <= 0:
                    return
            start = 0
            found = _next_block(path)
            if found is None:
                return
            node = found

    def with_row(self, row: Row) -> Rows:
        """A copy with ``row`` inserted in order (its key must be new)."""
        key = row[0]
        if not self.root.children:
            return self._with_root(Node([Block([row], self.tails)]))
        path: list[tuple[Node, int]] = []
        node: Block | Node = self.root
        while isinstance(node, Node):
            i = max(node.child(key), 0)
            path.append((node, i))
            node = node.children[i]
        tails, size = self.tails, BLOCK
        if len(node) < 2 * size:
            return self._replaced(path, [node.inserted(row, tails)])
        rows = node.rows()  # a full block splits in two
        rows.insert(bisect_left(node.keys, key), row)
        return self._replaced(path, [Block(rows[:size], tails), Block(rows[size:], tails)])

    def without(self, key: Key) -> Rows:
        """A copy without the model with this key (it must be there)."""
        path: list[tuple[Node, int]] = []
        node: Block | Node = self.root
        while isinstance(node, Node):
            i = node.child(key)
            path.append((node, i))
            node = node.children[i]
        n = bisect_left(node.keys, key)  # not ``offset``: its index is made on first use, a cost no change needs
        if i < 0 or n == len(node) or node.keys[n] != key:
            raise KeyError(key)
        block = node.without(n)
        return self._replaced(path, [block] if block is not None else [])

    def _replaced(self, path: list[tuple[Node, int]], parts: Sequence[Block | Node]) -> Rows:
        """A copy where the child at the end of ``path`` is replaced by ``parts`` (none, one or two)."""
        fanout = FANOUT
        for node, i in reversed(path):
            if len(parts) == 1:
                parts = [node.with_child(i, parts[0])]
                continue
            children = [*node.children[:i], *parts, *node.children[i + 1 :]]
            if len(children) > 2 * fanout:
                parts = [Node(children[:fanout]), Node(children[fanout:])]
            else:
                parts = [Node(children)] if children else []
        root = parts[0] if len(parts) == 1 and isinstance(parts[0], Node) else Node(parts)
        while len(root.children) == 1 and isinstance(root.children[0], Node):  # a root of one node is that node
            root = root.children[0]
        return self._with_root(root)

    def blocks(self) -> Iterator[Block]:
        """Every block, in list order."""
        stack: list[Block | Node] = [self.root]
        while stack:
            node = stack.pop()
            if isinstance(node, Node):
                stack.extend(reversed(node.children))
            else:
                yield node

    def __iter__(self) -> Iterator[tuple[Block, int]]:
        for block in self.blocks():
            for n in range(len(block)):
                yield block, n


def _next_block(path: list[tuple[Node, int]]) -> Block | None:
    """The block after the one ``path`` leads to (``path`` is moved to it), or ``None`` at the end."""
    while path:
        node, i = path.pop()
        if i + 1 < len(node.children):
            path.append((node, i + 1))
            child = node.children[i + 1]
            while isinstance(child, Node):
                path.append((child, 0))
                child = child.children[0]
            return child
    return None


def lifecycle_mask(lifecycles: Iterable[str]) -> int:
    """The bit set of these lifecycles' codes."""
    mask = 0
    for name in lifecycles:
        mask |= 1 << _CODE[name]
    return mask


def lifecycle_code(name: str) -> int:
    return _CODE[name]
