"""A catalog's aliases: an immutable mapping of alias -> model id, changed in ``O(log n)``.

Persistent maps (``pmap.PMap``) hold each alias with its target and the aliases of
each target, so a change (set, remove, or drop every alias of a removed model) copies a
path, not the map. Iteration keeps the order the aliases were given in, as a ``dict`` would.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .pmap import PMap as Map

__all__ = ["Aliases"]


class Aliases(Mapping[str, str]):
    """Alias -> model id, in the order given; equal to any mapping with the same items."""

    __slots__ = ("_next", "_order", "_pairs", "_targets")

    _pairs: Map[str, tuple[int, str]]  # alias -> (its place in the order, its target)
    _targets: Map[str, Map[str, None]]  # target -> the aliases that point to it (a set: any number, O(log n))
    _next: int
    _order: tuple[str, ...] | None

    def __init__(self, aliases: Mapping[str, str] | None = None) -> None:
        pairs: dict[str, tuple[int, str]] = {}
        targets: dict[str, dict[str, None]] = {}
        for place, (alias, target) in enumerate((aliases or {}).items()):
            pairs[alias] = (place, target)
            targets.setdefault(target, {})[alias] = None
        self._set(Map(pairs), Map({target: Map(names) for target, names in targets.items()}), len(pairs))

    def _set(self, pairs: Map[str, tuple[int, str]], targets: Map[str, Map[str, None]], next_place: int) -> None:
        self._pairs, self._targets, self._next, self._order = pairs, targets, next_place, None

    def _made(self, pairs: Map[str, tuple[int, str]], targets: Map[str, Map[str, None]], next_place: int) -> Aliases:
        new = object.__new__(Aliases)
        new._set(pairs, targets, next_place)
        return new

    def __getitem__(self, alias: str) -> str:
        return self._pairs[alias][1]

    def get(self, alias: str, default: str | None = None) -> str | None:  # type: ignore[override]
        found = self._pairs.get(alias)
        return default if found is None else found[1]

    def __contains__(self, alias: object) -> bool:
        return alias in self._pairs

    def __len__(self) -> int:
        return len(self._pairs)

    def __iter__(self) -> Iterator[str]:
        if self._order is None:  # made once per (immutable) instance, when first listed
            pairs = self._pairs
            self._order = tuple(sorted(pairs, key=lambda alias: pairs[alias][0]))
        return iter(self._order)

    def __repr__(self) -> str:
        return f"Aliases({dict(self)!r})"

    def pointing_to(self, target: str) -> tuple[str, ...]:
        """The aliases whose target is ``target``."""
        return tuple(self._targets.get(target, _NONE))

    def with_alias(self, alias: str, target: str) -> Aliases:
        """A copy with ``alias`` pointing at ``target`` (an alias already given keeps its place)."""
        found = self._pairs.get(alias)
        targets, next_place = self._targets, self._next
        if found is None:
            place, next_place = next_place, next_place + 1
        else:
            place, old = found
            targets = _without(targets, old, alias)
        targets = targets.set(target, targets.get(target, _NONE).set(alias, None))
        return self._made(self._pairs.set(alias, (place, target)), targets, next_place)

    def without_alias(self, alias: str) -> Aliases:
        """A copy without ``alias`` (it must be there)."""
        _, target = self._pairs[alias]
        return self._made(self._pairs.delete(alias), _without(self._targets, target, alias), self._next)

    def without_target(self, target: str) -> Aliases:
        """A copy without the aliases that point to ``target``."""
        dropped = self._targets.get(target)
        if dropped is None:
            return self
        pairs = self._pairs
        for alias in dropped:
            pairs = pairs.delete(alias)
        return self._made(pairs, self._targets.delete(target), self._next)


_NONE: Map[str, None] = Map()


def _without(targets: Map[str, Map[str, None]], target: str, alias: str) -> Map[str, Map[str, None]]:
    left = targets[target].delete(alias)
    return targets.set(target, left) if left else targets.delete(target)
