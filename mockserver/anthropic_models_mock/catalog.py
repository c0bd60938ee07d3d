"""The catalog: an immutable, indexed, pre-serialised set of models and aliases.

Changes (``with_model``, ``without_model``, ``with_alias``) return a new catalog that
shares all but one block and its path of storage with the old one (see ``store``): they
cost ``O(log n)``, and the old catalog stays as it was (a reset swaps it back).
"""

from __future__ import annotations

import functools
import gc
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, overload

from .aliases import Aliases
from .modelinfo import (
    BETA_CAPABILITIES_SHAPE,
    CAPABILITIES_SHAPE,
    FIELDS,
    CatalogError,
    ModelInfo,
    complete,
    is_model_id,
    validate_model,
)
from .pmap import PMap as Map
from .rules import DEFAULT_LIFECYCLES
from .store import Block, Key, Profiles, Row, Rows, lifecycle_code, lifecycle_mask

__all__ = ["Catalog", "CatalogError", "View", "default_catalog_path", "served"]

#: ``source``: where a recording came from (``mockserver catalog record``); like ``description``, never served.
_FILE_KEYS = frozenset({"models", "aliases", "as_of", "description", "source", "sources", "omitted"})
#: The served fields a model's head holds: every field but ``allowed_fallback_models`` and ``capabilities``.
HEAD_FIELDS = tuple(field for field in FIELDS if field not in ("allowed_fallback_models", "capabilities"))
_MISSING: Any = object()
#: No changes yet: the id index is all there is.
_NO_DELTA: Map[str, Key | None] = Map()


def default_catalog_path() -> Path:
    """Where the embedded catalog is: inside the installed package, else ``data/``."""
    packaged = resources.files(__package__ or "anthropic_models_mock") / "_data" / "models.json"
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "data" / "models.json"  # a source checkout


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(value: Any) -> bytes:
    """Compact JSON, as served."""
    return _ENCODER.encode(value).encode()


def served(model: ModelInfo, *, beta: bool = False) -> dict[str, Any]:
    """``model`` as a request is answered with it: the plain shape, or with ``beta`` the beta shape."""
    shown: dict[str, Any] = {key: value for key, value in model.items() if beta or key != "allowed_fallback_models"}
    if model["capabilities"] is not None:
        shown["capabilities"] = complete(model["capabilities"], BETA_CAPABILITIES_SHAPE if beta else CAPABILITIES_SHAPE)
    return shown


@contextmanager
def quiet_gc() -> Iterator[None]:
    """No cyclic garbage collection while millions of acyclic objects are made (it would scan them again and again)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Builder:
    """Turns checked models into rows, sharing one table of distinct ``capabilities``."""

    def __init__(self, profiles: Profiles | None = None) -> None:
        self.profiles = profiles or Profiles()
        self._known: dict[object, tuple[object, int]] = {}  # a capabilities object (or its raw JSON) -> profile
        self._moments: dict[str, float] = {}

    def capabilities(self, value: Any, token: object = None) -> int:
        """The profile of a checked capabilities object (``token``: a cheaper identity for it, such as its raw text)."""
        if value is None:
            return 0
        token = id(value) if token is None else token
        found = self._known.get(token)
        if found is not None and (found[0] is value or not isinstance(token, int)):
            return found[1]
        plain = dumps(complete(value, CAPABILITIES_SHAPE))
        beta = dumps(complete(value, BETA_CAPABILITIES_SHAPE))
        profile = self.profiles.add(plain, beta)
        self._known[token] = (value, profile)
        return profile

    def moment(self, text: str) -> float:
        """``-timestamp`` of an already checked RFC 3339 string (the sort key's first part), memoised."""
        found = self._moments.get(text)
        if found is None:
            from .modelinfo import parse_rfc3339

            found = self._moments[text] = -parse_rfc3339(text).timestamp()
        return found

    def row(self, payload: ModelInfo) -> Row:
        """A row from a checked payload (``validate_model``'s)."""
        head = dumps({field: payload[field] for field in HEAD_FIELDS})[:-1]  # type: ignore[literal-required]
        fallbacks = payload["allowed_fallback_models"]
        return (
            (self.moment(payload["created_at"]), payload["id"]),
            head,
            self.capabilities(payload["capabilities"]),
            lifecycle_code(payload["lifecycle"]),
            None if fallbacks is None else dumps(fallbacks),
        )


class View:
    """The catalog filtered to some lifecycles, in list order, plain or beta.

    Positions are found down one path of the catalog's tree (a bisection and a sum a level),
    and a page is one slice of a block's pre-serialised bodies, or a few: both cost ``O(log n)``.
    """

    __slots__ = ("_key", "_mask", "_rows", "_tails", "beta")

    def __init__(self, catalog: Catalog, mask: int, beta: bool) -> None:
        # The catalog's lookup parts, not the catalog: a view it caches must not keep it alive in a cycle.
        self._key = functools.partial(_key_of, catalog._index, catalog._delta)
        self._rows, self._mask, self.beta = catalog._rows, mask, beta
        self._tails = catalog._profiles.beta if beta else catalog._profiles.plain

    def __len__(self) -> int:
        return self._rows.count(self._mask)

    def locate(self, model_id: str) -> int | None:
        """The position of ``model_id`` in this view, or ``None`` when it is not in it."""
        key = self._key(model_id)
        return None if key is None else self._rows.position(key, self._mask)

    def page(self, start: int, stop: int) -> tuple[bytes, str, str]:
        """Models ``start..stop-1`` (``start < stop``), comma-separated, with the first and last ids."""
        parts: list[bytes] = []
        first = last = ""
        tails, beta = self._tails, self.beta
        for block, offsets in self._rows.span(start, stop, self._mask):
            if beta:
                parts += [block.body(n, tails, True) for n in offsets]
            else:  # one slice of the block, or one per run of neighbours
                parts += block.shown(offsets, self._mask)
            if not first:
                first = block.keys[offsets[0]][1]
            last = block.keys[offsets[-1]][1]
        return b",".join(parts), first, last

    def joined(self, start: int, stop: int) -> bytes:
        """The serialised models ``start..stop-1``, comma-separated."""
        return self.page(start, stop)[0] if start < stop else b""

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
        return self._view.page(index, index + 1)[1]

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

    def __init__(
        self,
        models: Iterable[Mapping[str, Any]],
        aliases: Mapping[str, str] | None = None,
        *,
        source: str = "<catalog>",
        as_of: str | None = None,
    ) -> None:
        builder = Builder()
        rows: list[Row] = []
        seen: dict[str, int] = {}
        shared: dict[int, object] = {}
        with quiet_gc():
            for index, entry in enumerate(models):
                payload, _ = validate_model(entry, f"{source}: models[{index}]", shared)
                if payload["id"] in seen:
                    raise CatalogError(
                        f"{source}: models[{index}]: id: duplicate id {payload['id']!r}"
                        f" (first at models[{seen[payload['id']]}])"
                    )
                seen[payload["id"]] = index
                rows.append(builder.row(payload))
        self._setup(rows, builder.profiles, aliases or {}, source, as_of)

    def _setup(
        self,
        rows: list[Row] | Rows,
        profiles: Profiles,
        aliases: Mapping[Any, Any],
        source: str,
        as_of: str | None,
        index: dict[str, Key] | None = None,
    ) -> None:
        """Sort ``rows`` (unless in order), check ``aliases`` against them, and index everything.

        ``index`` (id -> key) may come with the rows, made as they were; the rows are then in list order already.
        """
        with quiet_gc():
            if isinstance(rows, Rows):  # built block by block already (the synthetic builder)
                if index is None:
                    raise ValueError("rows built as blocks come with their index")
                self._rows = rows
            else:
                if index is None:
                    keys = [row[0] for row in rows]
                    if any(map(operator.gt, keys, keys[1:])):  # a file written by this package is in order
                        rows.sort(key=_key)
                        keys = [row[0] for row in rows]
                    index = {key[1]: key for key in keys}
                    del keys
                self._rows = Rows.from_sorted(rows, profiles.plain)
        self._index, self._delta = index, _NO_DELTA
        self._profiles = profiles
        self._aliases = Aliases(_check_aliases(aliases, index, source))
        self.source, self.as_of = source, as_of
        self._views: dict[tuple[frozenset[str], bool], View] = {}
        self.view(DEFAULT_LIFECYCLES)

    def _derived(self, rows: Rows, delta: Map[str, Key | None], aliases: Aliases) -> Catalog:
        """A catalog sharing this one's storage, with ``rows``, the id changes ``delta`` and ``aliases``."""
        new = object.__new__(Catalog)
        new._rows, new._profiles, new._index, new._delta = rows, self._profiles, self._index, delta
        new._aliases = aliases
        new.source, new.as_of = self.source, self.as_of
        new._views = {}
        return new

    # -- construction -------------------------------------------------------------
    @classmethod
    def from_file(cls, path: str | Path, *, progress: Callable[[int], None] | None = None) -> Catalog:
        """Load a catalog file (see README: "Catalog files"); ``progress(count)`` hears of the models read."""
        from .loading import load_file

        return load_file(cls, Path(path), progress)

    @classmethod
    def from_json(
        cls, text: str | bytes | bytearray, *, source: str = "<catalog>", progress: Callable[[int], None] | None = None
    ) -> Catalog:
        """Build from the text of a catalog file: an object, or a bare list of models."""
        from .loading import load_json

        return load_json(cls, text, source, progress)

    @classmethod
    def from_document(cls, document: Any, *, source: str = "<catalog>") -> Catalog:
        """Build from a parsed catalog document."""
        if isinstance(document, list):
            return cls(document, source=source)
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
        return cls(models, aliases, source=source, as_of=as_of)

    @classmethod
    def from_rows(
        cls,
        rows: list[Row] | Rows,
        profiles: Profiles,
        aliases: Mapping[str, str] | None = None,
        *,
        source: str = "<catalog>",
        as_of: str | None = None,
        index: dict[str, Key] | None = None,
    ) -> Catalog:
        """Build from rows already checked (a fast loader's, or the synthetic builder's); ids must be unique.

        With ``index`` (see ``_setup``) the rows must be in list order.
        """
        catalog = object.__new__(cls)
        catalog._setup(rows, profiles, aliases or {}, source, as_of, index)
        return catalog

    @classmethod
    def default(cls) -> Catalog:
        """The embedded catalog of real Claude models (``data/models.json``)."""
        return cls.from_file(default_catalog_path())

    @classmethod
    def synthetic(cls, n: int, seed: int = 0, *, progress: Callable[[int], None] | None = None) -> Catalog:
        """``n`` plausible, Faker-generated models; the same seed, the same catalog."""
        from .synthetic import synthetic_catalog

        return synthetic_catalog(cls, n, seed, progress=progress)

    # -- queries ------------------------------------------------------------------
    def _key(self, model_id: str) -> Key | None:
        return _key_of(self._index, self._delta, model_id)

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
        tails = self._profiles.beta
        for block, n in self._rows:
            yield json.loads(block.body(n, tails, True))

    def __contains__(self, model_id: object) -> bool:
        return isinstance(model_id, str) and self._key(model_id) is not None

    def resolve(self, id_or_alias: str) -> str | None:
        """The model id that ``id_or_alias`` names, or ``None``. Ids win over aliases."""
        if self._key(id_or_alias) is not None:
            return id_or_alias
        return self._aliases.get(id_or_alias)

    def get(self, id_or_alias: str) -> ModelInfo | None:
        """The model an id or alias names (its beta shape: see ``served``), or ``None``."""
        body = self.body(id_or_alias, beta=True)
        return None if body is None else json.loads(body)

    def body(self, id_or_alias: str, *, beta: bool = False) -> bytes | None:
        """The serialised ModelInfo (``beta``: BetaModelInfo) an id or alias names, or ``None``."""
        where = self._find(id_or_alias)
        if where is None:
            target = self._aliases.get(id_or_alias)
            where = None if target is None else self._find(target)
            if where is None:
                return None
        block, n = where
        return block.body(n, self._profiles.beta if beta else self._profiles.plain, beta)

    def view(self, lifecycles: frozenset[str] = DEFAULT_LIFECYCLES, *, beta: bool = False) -> View:
        """The models whose lifecycle is in ``lifecycles``, in list order (``beta``: the beta shape)."""
        found = self._views.get((lifecycles, beta))
        if found is None:
            found = self._views[(frozenset(lifecycles), beta)] = View(self, lifecycle_mask(lifecycles), beta)
        return found

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
        import msgspec

        tails = self._profiles.beta
        head = b'{"as_of":%s,' % dumps(self.as_of) if self.as_of is not None else b"{"
        models = b",".join([block.body(n, tails, True) for block, n in self._rows])
        compact = b'%s"aliases":%s,"models":[%s]}' % (head, dumps(dict(self._aliases)), models)
        return msgspec.json.format(compact, indent=indent) if indent else compact

    def __repr__(self) -> str:
        return f"<Catalog {self.source} models={len(self)} aliases={len(self._aliases)}>"


def _key_of(index: Mapping[str, Key], delta: Mapping[str, Key | None], model_id: str) -> Key | None:
    """The key of ``model_id``: from ``delta`` (the changes since ``index`` was made), else from ``index``."""
    if delta:
        found = delta.get(model_id, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[no-any-return]
    return index.get(model_id)


def _key(row: Row) -> Key:
    return row[0]


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
