"""What one app owns, and the operations on it: catalog changes, keys, the clock, journal, faults, reset."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from ..catalog.catalog import Catalog
from ..catalog.clock import Clock, parse_clock
from ..model.access import Keys, keys_from_list
from ..model.limits import DEFAULT_LIFECYCLES
from .faults import Faults
from .journal import JOURNAL_BYTES, Journal

__all__ = ["MockState"]


#: The catalog as of a clock: (the catalog it was made from, the moment, the next moment it changes, it).
_At = tuple[Catalog, float, float, Catalog]


def _keys(api_keys: Iterable[str] | Keys | None) -> Keys | None:
    if api_keys is None or isinstance(api_keys, Keys):
        return api_keys
    return keys_from_list(api_keys)


class MockState:
    """The mutable state of one app (``app.state.mock``); nothing is shared between apps.

    The catalog itself is immutable: a change makes a new one sharing all but one block
    of its storage (``O(log n)``) and swaps the reference, and ``reset()`` swaps the
    original back, so a reset costs O(1).

    ``keys``: the keys accepted, and what each may see (``None``: any non-empty key, everything). ``clock``:
    the moment the catalog is served as of (POSIX seconds; ``"now"``: the wall clock; ``None``: the catalog's
    own lifecycles); requests see ``served()``, the catalog as of the clock.
    """

    def __init__(
        self,
        catalog: Catalog,
        api_keys: Iterable[str] | Keys | None = None,
        *,
        clock: Any = None,
        journal_size: int = 1000,
        journal_bytes: int = JOURNAL_BYTES,
        fault_seed: int = 0,
    ) -> None:
        self.catalog = self._base_catalog = catalog
        self.keys = self._base_keys = _keys(api_keys)
        self.key_hint: str | None = None  # added to the 401 of an unknown key
        self.clock: Clock = parse_clock(clock)
        self._base_clock = self.clock
        self._at: _At | None = None
        self.clock_changes = 0  # how many times the clock was set: a change made in another thread checks it
        self.journal = Journal(journal_size, journal_bytes)
        self.journal.keys = self.keys
        self.faults = Faults(seed=fault_seed)

    # -- the clock ------------------------------------------------------------------
    def served(self) -> Catalog:
        """The catalog as requests see it: ``catalog``, or it as of the clock (made once per catalog and
        moment; under the wall clock, again when a model it holds changes lifecycle)."""
        clock = self.clock
        if clock is None:
            return self.catalog
        at = self._at
        if at is not None and at[0] is self.catalog and at[1] <= (time.time() if clock == "now" else clock) < at[2]:
            return at[3]  # made from this catalog, and nothing changes from its moment until the next change
        at = self._at = self.as_of(clock, warm=False)
        return at[3]

    def as_of(self, clock: Clock, catalog: Catalog | None = None, *, warm: bool = True) -> _At:
        """``catalog`` (default: the one served now) as of ``clock`` (not ``None``), with what it was made from
        and how long it holds; with ``warm``, each key's list counted too (for ``set_clock`` and
        ``replace_catalog``, in another thread). ``served()`` makes it without, on the event loop, after a
        change: a pass over the blocks of storage, not the models (each block's answer is kept)."""
        assert clock is not None
        catalog = self.catalog if catalog is None else catalog
        moment = time.time() if clock == "now" else clock
        served, next_change = catalog.at(moment)
        if warm:
            self.warm(served)
        return (catalog, moment, next_change, served)

    def set_clock(self, clock: Any, prepared: _At | None = None) -> None:
        """Serve the catalog as of ``clock`` (an RFC 3339 string or aware ``datetime``, POSIX seconds, ``"now"``,
        or ``None``: its own lifecycles) until ``reset()``; ``prepared``: ``as_of(clock)``, made already."""
        self.clock = parse_clock(clock)
        self._at = prepared
        self.clock_changes += 1

    def warm(self, served: Catalog | None = None) -> None:
        """Count each key's list of ``served`` (default: what requests see now) now, not on its first request:
        a pass over every model for each distinct set of patterns (for another thread, or before serving)."""
        served = self.served() if served is None else served
        for sieve in () if self.keys is None else self.keys.sieves:
            len(served.view(DEFAULT_LIFECYCLES, sieve))

    def prepare(self, catalog: Catalog) -> _At | None:
        """What ``replace_catalog`` needs made for ``catalog``: it as of the clock, each key's list counted
        (for the thread that built it)."""
        if self.clock is None:
            self.warm(catalog)
            return None
        return self.as_of(self.clock, catalog)

    # -- catalog --------------------------------------------------------------------
    def replace_catalog(self, catalog: Catalog, prepared: _At | None = None) -> Catalog:
        """Serve ``catalog`` from now on (until ``reset()``); ``prepared``: ``prepare(catalog)``, made already."""
        self.catalog = catalog
        if prepared is not None:
            self._at = prepared
        return catalog

    def add_model(self, model: Mapping[str, Any]) -> Catalog:
        """Add (or replace, by id) one model; ``O(log n)``."""
        return self.replace_catalog(self.catalog.with_model(model, where="add_model"))

    def remove_model(self, model_id: str) -> Catalog:
        """Remove a model and the aliases that point to it; ``O(log n)``."""
        return self.replace_catalog(self.catalog.without_model(model_id))

    def set_alias(self, alias: str, target: str | None) -> Catalog:
        """Point ``alias`` at ``target`` (a model id), or remove it (``None``)."""
        return self.replace_catalog(self.catalog.with_alias(alias, target))

    def set_api_keys(self, api_keys: Iterable[str] | Keys | None, *, hint: str | None = None) -> None:
        """Accept only these keys (``None``: any non-empty key) until ``reset()``: a list (each sees every
        model), or ``Keys`` from a keys document.

        ``hint``: said in the 401 of a key not among them (never the key that was sent).
        """
        self.keys = self.journal.keys = _keys(api_keys)
        self.key_hint = hint

    # -- everything -----------------------------------------------------------------
    def reset(self) -> None:
        """Back to how the app was built: catalog, keys, clock, empty journal, its starting faults (none by default)."""
        self.catalog = self._base_catalog
        self.keys = self.journal.keys = self._base_keys
        self.key_hint = None
        self.set_clock(self._base_clock)
        self.journal.clear()
        self.faults.reset()
