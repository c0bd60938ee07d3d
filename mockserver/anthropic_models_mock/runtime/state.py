"""What one app owns, and the operations on it: catalog changes, keys, journal, faults, reset."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..catalog.catalog import Catalog
from ..model.headers import check_api_keys
from .faults import Faults
from .journal import JOURNAL_BYTES, Journal

__all__ = ["MockState"]


class MockState:
    """The mutable state of one app (``app.state.mock``); nothing is shared between apps.

    The catalog itself is immutable: a change makes a new one sharing all but one block
    of its storage (``O(log n)``) and swaps the reference, and ``reset()`` swaps the
    original back, so a reset costs O(1).
    """

    def __init__(
        self,
        catalog: Catalog,
        api_keys: Iterable[str] | None = None,
        *,
        journal_size: int = 1000,
        journal_bytes: int = JOURNAL_BYTES,
        fault_seed: int = 0,
    ) -> None:
        self.catalog = self._base_catalog = catalog
        self.api_keys = self._base_keys = check_api_keys(api_keys)
        self.key_hint: str | None = None  # added to the 401 of an unknown key
        self.journal = Journal(journal_size, journal_bytes)
        self.faults = Faults(seed=fault_seed)

    # -- catalog --------------------------------------------------------------------
    def replace_catalog(self, catalog: Catalog) -> Catalog:
        """Serve ``catalog`` from now on (until ``reset()``)."""
        self.catalog = catalog
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

    def set_api_keys(self, api_keys: Iterable[str] | None, *, hint: str | None = None) -> None:
        """Accept only these keys (``None``: any non-empty key) until ``reset()``.

        ``hint``: said in the 401 of a key not among them (never the key that was sent).
        """
        self.api_keys = check_api_keys(api_keys)
        self.key_hint = hint

    # -- everything -----------------------------------------------------------------
    def reset(self) -> None:
        """Back to how the app was built: catalog, keys, empty journal, its starting faults (none by default)."""
        self.catalog = self._base_catalog
        self.api_keys = self._base_keys
        self.key_hint = None
        self.journal.clear()
        self.faults.reset()
