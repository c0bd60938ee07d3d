"""The catalog: an immutable, indexed, pre-serialised set of models and aliases.

Changes (``with_model``, ``without_model``, ``with_alias``) return a new catalog that
shares all but one block and its path of storage with the old one (see ``storage.blocks``):
they cost ``O(log n)``, and the old catalog stays as it was (a reset swaps it back).
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec

from ..model.access import Sieve
from ..model.limits import DEFAULT_LIFECYCLES
from ..model.modelinfo import CatalogError, ModelInfo, is_model_id, validate_model
from ..storage.aliases import Aliases
from ..storage.blocks import KEPT_SCOPES, Block, Key, Profiles, Rows, lifecycle_mask
from ..storage.pmap import PMap as Map
from ..storage.rows import Builder, Built, dumps, quiet_gc
from .clock import rows_at
from .loader import checked_rows, load_document, load_file, load_json
from .synthetic import synthetic_rows
from .views import Kept, View, key_of

__all__ = ["Catalog", "default_catalog_path"]

#: No changes yet: the id index is all there is.
_NO_DELTA: Map[str, Key | None] = Map()


def default_catalog_path() -> Path:
    """Where the embedded catalog is: inside the installed package, else ``data/``."""
    packaged = resources.files("anthropic_models_mock") / "_data" / "models.json"
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "data" / "models.json"  # a source checkout


class Catalog:
    """Models in list order (newest ``created_at`` first, ties by id), plus aliases.

    Never changed in place: a lookup is a dict access and a descent of the tree, each model's JSON
    is serialised at construction, and a change makes a new catalog sharing all but a path of the storage.
    """

    _rows: Rows
    _index: Mapping[str, Key]
    _delta: Map[str, Key | None]  # the id changes since ``_index`` was made (``None``: removed)
    _profiles: Profiles
    _aliases: Aliases
    source: str
    as_of: str | None
    #: Answers rendered from this catalog, kept by the endpoints that made them (see ``Kept``).
    answers: Kept

    def __init__(
        self,
        models: Iterable[Mapping[str, Any]],
        aliases: Mapping[str, str] | None = None,
        *,
        source: str = "<catalog>",
        as_of: str | None = None,
    ) -> None:
        self._setup(checked_rows(models, aliases or {}, source, as_of), source)

    def _setup(self, built: Built, source: str) -> None:
        """Sort the rows (unless in order), check the aliases against them, and index everything."""
        rows, index = built.rows, built.ids
        with quiet_gc():
            if isinstance(rows, Rows):  # built block by block already (a loader's, the synthetic builder's)
                if index is None:
                    raise ValueError("rows built as blocks come with their index")
                self._rows = rows
            else:
                if index is None:
                    keys = [row[0] for row in rows]
                    if any(map(operator.gt, keys, keys[1:])):  # a file written by this package is in order
                        rows.sort(key=operator.itemgetter(0))
                        keys = [row[0] for row in rows]
                    index = {key[1]: key for key in keys}
                    del keys
                self._rows = Rows.from_sorted(rows, built.profiles.tails)
        self._index, self._delta = index, _NO_DELTA
        self._profiles = built.profiles
        self._aliases = Aliases(_check_aliases(built.aliases, index, source))
        self.source, self.as_of = source, built.as_of
        self._views: dict[Hashable, View] = {}
        self.answers = Kept()
        self.view(DEFAULT_LIFECYCLES)

    @classmethod
    def _made(cls, built: Built, source: str) -> Catalog:
        catalog = object.__new__(cls)
        catalog._setup(built, source)
        return catalog

    def _derived(self, rows: Rows, delta: Map[str, Key | None], aliases: Aliases) -> Catalog:
        """A catalog sharing this one's storage, with ``rows``, the id changes ``delta`` and ``aliases``."""
        new = object.__new__(Catalog)
        new._rows, new._profiles, new._index, new._delta = rows, self._profiles, self._index, delta
        new._aliases = aliases
        new.source, new.as_of = self.source, self.as_of
        new._views, new.answers = {}, Kept()
        return new

    # -- construction -------------------------------------------------------------
    @classmethod
    def from_file(cls, path: str | Path, *, progress: Callable[[int], None] | None = None) -> Catalog:
        """Load a catalog file (the docs: Catalogs); ``progress(count)`` hears of the models read."""
        return cls._made(load_file(Path(path), progress), str(path))

    @classmethod
    def from_json(
        cls, text: str | bytes | bytearray, *, source: str = "<catalog>", progress: Callable[[int], None] | None = None
    ) -> Catalog:
        """Build from the text of a catalog file: an object, or a bare list of models."""
        return cls._made(load_json(text, source, progress), source)

    @classmethod
    def from_document(cls, document: Any, *, source: str = "<catalog>") -> Catalog:
        """Build from a parsed catalog document."""
        return cls._made(load_document(document, source), source)

    @classmethod
    def default(cls) -> Catalog:
        """The embedded catalog of real Claude models (``data/models.json``)."""
        return cls.from_file(default_catalog_path())

    @classmethod
    def synthetic(cls, n: int, seed: int = 0, *, progress: Callable[[int], None] | None = None) -> Catalog:
        """``n`` plausible, Faker-generated models; the same seed, the same catalog."""
        return cls._made(synthetic_rows(n, seed, progress=progress), f"<synthetic n={n} seed={seed}>")

    # -- queries ------------------------------------------------------------------
    def _key(self, model_id: str) -> Key | None:
        return key_of(self._index, self._delta, model_id)

    def _find(self, model_id: str) -> tuple[Block, int] | None:
        key = self._key(model_id)
        return None if key is None else self._rows.find(key)

    @property
    def models(self) -> tuple[ModelInfo, ...]:
        """Every model, retired included, in list order (decoded from storage: for inspection, not for serving)."""
        return tuple(self)

    @property
    def aliases(self) -> Mapping[str, str]:
        """Alias → model id, in the order given."""
        return self._aliases

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[ModelInfo]:
        for block, n in self._rows:
            yield json.loads(block.body(n))

    def __contains__(self, model_id: object) -> bool:
        return isinstance(model_id, str) and self._find(model_id) is not None

    def resolve(self, id_or_alias: str) -> str | None:
        """The model id that ``id_or_alias`` names, or ``None``. Ids win over aliases."""
        if self._find(id_or_alias) is not None:
            return id_or_alias
        target = self._aliases.get(id_or_alias)
        return target if target is not None and self._find(target) is not None else None

    def get(self, id_or_alias: str) -> ModelInfo | None:
        """The model an id or alias names (as served: see ``served``), or ``None``."""
        body = self.body(id_or_alias)
        return None if body is None else json.loads(body)

    def body(self, id_or_alias: str, sieve: Sieve | None = None) -> bytes | None:
        """The serialised model an id or alias names (the SDK's BetaModelInfo), or ``None``; with a ``sieve``,
        only a model it lets through (an alias resolves only to one)."""
        where = self._find(id_or_alias)
        if where is None:
            target = self._aliases.get(id_or_alias)
            where = None if target is None else self._find(target)
            if where is None:
                return None
        block, n = where
        if sieve is not None and not sieve(block.keys[n][1]):
            return None
        return block.body(n)

    def view(self, lifecycles: frozenset[str] = DEFAULT_LIFECYCLES, sieve: Sieve | None = None) -> View:
        """The models whose lifecycle is in ``lifecycles`` (and, with a ``sieve``, whose ids it lets through),
        in list order. Made once per catalog and filter."""
        token: Hashable = lifecycles if sieve is None else (lifecycles, sieve)
        found = self._views.get(token)
        if found is None:
            mask = lifecycle_mask(lifecycles)
            view = View(self._rows, self._index, self._delta, mask if sieve is None else (mask, sieve))
            if len(self._views) >= KEPT_SCOPES:  # (keys set again and again with new patterns: a bound)
                self._views.clear()
            found = self._views[token] = view
        return found

    def at(self, moment: float) -> tuple[Catalog, float]:
        """This catalog as it stood at ``moment`` (POSIX seconds) by its own dates (see ``clock``), and the
        next moment that changes (``clock.NEVER``: none). Its lookups find only the models made by then;
        it shares every block that is the same then, and is for serving, not for changes."""
        rows, next_change = rows_at(self._rows, moment)
        return self._derived(rows, self._delta, self._aliases), next_change

    # -- changes ------------------------------------------------------------------
    def with_model(self, entry: Mapping[str, Any], *, where: str = "model") -> Catalog:
        """A catalog with ``entry`` added, or replacing the model with its id (which keeps its aliases);
        an alias named like the id goes."""
        payload, _ = validate_model(entry, where)
        row = Builder(self._profiles).row(payload)
        model_id = payload["id"]
        old = self._key(model_id)
        rows = self._rows if old is None else self._rows.without(old)
        aliases = self._aliases.without_alias(model_id) if model_id in self._aliases else self._aliases  # shadowed
        return self._derived(rows.with_row(row), self._delta.set(model_id, row[0]), aliases)

    def without_model(self, model_id: str) -> Catalog:
        """A catalog without ``model_id`` and the aliases that point to it."""
        key = self._key(model_id)
        if key is None:
            raise CatalogError(f"no model with id {model_id!r} to remove")
        # An id the index never held leaves no trace: the delta holds what differs from the index, no more.
        delta = self._delta.set(model_id, None) if model_id in self._index else self._delta.delete(model_id)
        return self._derived(self._rows.without(key), delta, self._aliases.without_target(model_id))

    def with_alias(self, alias: str, target: str | None) -> Catalog:
        """A catalog with ``alias`` pointing at ``target`` (a model id), or removed (``None``)."""
        if target is None:
            if alias not in self._aliases:
                raise CatalogError(f"no alias {alias!r} to remove")
            aliases = self._aliases.without_alias(alias)
        else:
            _check_alias(alias, target, self, "alias")
            aliases = self._aliases.with_alias(alias, target)
        return self._derived(self._rows, self._delta, aliases)

    def to_document(self) -> dict[str, Any]:
        """The catalog as a catalog-file document (round-trips through ``from_document``)."""
        document: dict[str, Any] = {}
        if self.as_of is not None:
            document["as_of"] = self.as_of
        document["aliases"] = dict(self._aliases)
        document["models"] = list(self)
        return document

    def to_json(self, *, indent: int = 2) -> bytes:
        """``to_document()`` as JSON text, written from the stored bodies (fast at any size; ``indent=0``: compact)."""
        head = b'{"as_of":%s,' % dumps(self.as_of) if self.as_of is not None else b"{"
        models = b",".join([block.body(n) for block, n in self._rows])
        compact = b'%s"aliases":%s,"models":[%s]}' % (head, dumps(dict(self._aliases)), models)
        return msgspec.json.format(compact, indent=indent) if indent else compact

    def __repr__(self) -> str:
        # Never raises: a traceback shows the catalog a constructor was building when its checks failed.
        source = getattr(self, "source", None)
        rows, aliases = getattr(self, "_rows", None), getattr(self, "_aliases", None)
        if source is None or rows is None or aliases is None:
            return "<Catalog (not built)>"
        return f"<Catalog {source} models={len(rows)} aliases={len(aliases)}>"


def _check_alias(alias: Any, target: Any, ids: Any, where: str) -> None:
    if not is_model_id(alias):
        raise CatalogError(f"{where}: an alias must be URL-safe like a model id (no '/' or spaces)")
    if not isinstance(target, str):
        raise CatalogError(f"{where}: target must be a model id string, got {target!r}")
    if alias in ids:
        raise CatalogError(f"{where}: alias shadows the model id {alias!r}")
    if target not in ids:
        raise CatalogError(f"{where}: points to {target!r}, which is not a model in the catalog")


def _check_aliases(aliases: Mapping[Any, Any], ids: Mapping[str, Any], source: str) -> dict[str, str]:
    checked: dict[str, str] = {}
    for alias, target in aliases.items():
        _check_alias(alias, target, ids, f"{source}: aliases[{alias!r}]")
        checked[alias] = target
    return checked
