"""The catalog: an immutable, indexed, pre-serialised set of models and aliases."""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .jsontext import loads
from .modelinfo import (
    BETA_CAPABILITIES_SHAPE,
    CAPABILITIES_SHAPE,
    CatalogError,
    ModelInfo,
    complete,
    is_model_id,
    validate_model,
)
from .rules import DEFAULT_LIFECYCLES

__all__ = ["Catalog", "CatalogError", "View", "default_catalog_path", "served"]

#: ``source``: where a recording came from (``mockserver catalog record``); like ``description``, never served.
_FILE_KEYS = frozenset({"models", "aliases", "as_of", "description", "source", "sources", "omitted"})


def default_catalog_path() -> Path:
    """Where the embedded catalog is: inside the installed package, else ``data/``."""
    packaged = resources.files(__package__ or "anthropic_models_mock") / "_data" / "models.json"
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "data" / "models.json"  # a source checkout


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _dumps(value: Any) -> bytes:
    return _ENCODER.encode(value).encode()


def _serialiser(beta: bool) -> Callable[[ModelInfo], bytes]:
    """Serialise models in the plain or the beta shape, encoding each distinct ``capabilities`` once."""
    encoded: dict[int, tuple[object, bytes]] = {}
    skip = ("capabilities",) if beta else ("capabilities", "allowed_fallback_models")

    def capabilities(value: dict[str, Any] | None) -> bytes:
        if value is None:
            return b"null"
        found = encoded.get(id(value))
        if found is None or found[0] is not value:
            shown = complete(value, BETA_CAPABILITIES_SHAPE if beta else CAPABILITIES_SHAPE)
            found = encoded[id(value)] = (value, _dumps(shown))
        return found[1]

    def serialise(model: ModelInfo) -> bytes:
        head = {key: value for key, value in model.items() if key not in skip}
        return b'%s,"capabilities":%s}' % (_dumps(head)[:-1], capabilities(model["capabilities"]))

    return serialise


def served(model: ModelInfo, *, beta: bool = False) -> dict[str, Any]:
    """``model`` as a request is answered with it: the plain shape, or with ``beta`` the beta shape."""
    shown: dict[str, Any] = {key: value for key, value in model.items() if beta or key != "allowed_fallback_models"}
    if model["capabilities"] is not None:
        shown["capabilities"] = complete(model["capabilities"], BETA_CAPABILITIES_SHAPE if beta else CAPABILITIES_SHAPE)
    return shown


class View:
    """The catalog filtered to some lifecycles, in list order, with a cursor index.

    The serialised models lie in one contiguous ``blob``, comma-separated, so a
    page of them is a single slice whatever the catalog's size (no per-item join,
    no scattered reads): item ``i`` is ``blob[offsets[i] : offsets[i + 1] - 1]``.
    """

    __slots__ = ("_blob", "_offsets", "ids", "position")

    def __init__(self, ids: tuple[str, ...], bodies: Iterable[bytes]) -> None:
        self.ids = ids
        self.position: Mapping[str, int] = {model_id: n for n, model_id in enumerate(ids)}
        offsets, total = array("Q", [0]), 0
        parts = []
        for body in bodies:
            parts.append(body)
            total += len(body) + 1
            offsets.append(total)
        self._blob = b",".join(parts)
        self._offsets = offsets

    def __len__(self) -> int:
        return len(self.ids)

    def body(self, index: int) -> bytes:
        """The serialised model at ``index``."""
        return self._blob[self._offsets[index] : self._offsets[index + 1] - 1]

    def joined(self, start: int, stop: int) -> bytes:
        """The serialised models ``start..stop-1``, comma-separated (one slice)."""
        return self._blob[self._offsets[start] : self._offsets[stop] - 1] if start < stop else b""

    @property
    def bodies(self) -> tuple[bytes, ...]:
        """Every serialised model (a copy: for inspection, not for serving)."""
        return tuple(self.body(n) for n in range(len(self.ids)))


class Catalog:
    """Models in list order (newest ``created_at`` first, ties by id), plus aliases.

    Built once, never changed: every lookup is a dict access and each model's
    JSON is serialised at construction. Filtered views are built on first use.
    """

    def __init__(
        self,
        models: Iterable[Mapping[str, Any]],
        aliases: Mapping[str, str] | None = None,
        *,
        source: str = "<catalog>",
        as_of: str | None = None,
    ) -> None:
        checked: list[tuple[ModelInfo, Any]] = []
        seen: dict[str, int] = {}
        shared: dict[int, object] = {}
        for index, entry in enumerate(models):
            payload, released = validate_model(entry, f"{source}: models[{index}]", shared)
            if payload["id"] in seen:
                raise CatalogError(
                    f"{source}: models[{index}]: id: duplicate id {payload['id']!r}"
                    f" (first at models[{seen[payload['id']]}])"
                )
            seen[payload["id"]] = index
            checked.append((payload, released))
        checked.sort(key=lambda pair: (-pair[1].timestamp(), pair[0]["id"]))
        self._models: tuple[ModelInfo, ...] = tuple(payload for payload, _ in checked)
        self._aliases = MappingProxyType(_check_aliases(aliases or {}, seen, source))
        self.source = source
        self.as_of = as_of
        self._full = View(tuple(model["id"] for model in self._models), map(_serialiser(False), self._models))
        self._beta_full: View | None = None  # built on the first beta request
        self._present = frozenset(model["lifecycle"] for model in self._models)
        self._views: dict[tuple[frozenset[str], bool], View] = {}
        self.view(DEFAULT_LIFECYCLES)

    # -- construction -------------------------------------------------------------
    @classmethod
    def from_file(cls, path: str | Path) -> Catalog:
        """Load a catalog file (see README: "Catalog files")."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CatalogError(f"{path}: cannot read catalog file: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise CatalogError(f"{path}: not UTF-8 text: {exc.reason}") from None
        return cls.from_json(text, source=str(path))

    @classmethod
    def from_json(cls, text: str, *, source: str = "<catalog>") -> Catalog:
        """Build from the text of a catalog file: an object, or a bare list of models."""
        try:
            document = loads(text)
        except json.JSONDecodeError as exc:
            raise CatalogError(f"{source}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
        except (ValueError, RecursionError) as exc:  # NaN, a number past Python's digit limit, absurd nesting
            raise CatalogError(f"{source}: not a usable JSON document: {str(exc) or type(exc).__name__}") from None
        return cls.from_document(document, source=source)

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
    def default(cls) -> Catalog:
        """The embedded catalog of real Claude models (``data/models.json``)."""
        return cls.from_file(default_catalog_path())

    @classmethod
    def synthetic(cls, n: int, seed: int = 0) -> Catalog:
        """``n`` plausible, Faker-generated models; the same seed, the same catalog."""
        from .synthetic import synthetic_document

        return cls.from_document(synthetic_document(n, seed), source=f"<synthetic n={n} seed={seed}>")

    # -- queries ------------------------------------------------------------------
    @property
    def models(self) -> tuple[ModelInfo, ...]:
        """Every model, retired included, in list order."""
        return self._models

    @property
    def aliases(self) -> Mapping[str, str]:
        """Alias → model id."""
        return self._aliases

    def __len__(self) -> int:
        return len(self._models)

    def __iter__(self) -> Iterator[ModelInfo]:
        return iter(self._models)

    def __contains__(self, model_id: object) -> bool:
        return model_id in self._full.position

    def resolve(self, id_or_alias: str) -> str | None:
        """The model id that ``id_or_alias`` names, or ``None``. Ids win over aliases."""
        if id_or_alias in self._full.position:
            return id_or_alias
        return self._aliases.get(id_or_alias)

    def get(self, id_or_alias: str) -> ModelInfo | None:
        """The model an id or alias names (as the catalog holds it: see ``served``), or ``None``."""
        model_id = self.resolve(id_or_alias)
        return None if model_id is None else self._models[self._full.position[model_id]]

    def body(self, id_or_alias: str, *, beta: bool = False) -> bytes | None:
        """The serialised ModelInfo (``beta``: BetaModelInfo) an id or alias names, or ``None``."""
        model_id = self.resolve(id_or_alias)
        if model_id is None:
            return None
        full = self._everything(beta)
        return full.body(full.position[model_id])

    def _everything(self, beta: bool) -> View:
        if not beta:
            return self._full
        if self._beta_full is None:
            self._beta_full = View(self._full.ids, map(_serialiser(True), self._models))
        return self._beta_full

    def view(self, lifecycles: frozenset[str] = DEFAULT_LIFECYCLES, *, beta: bool = False) -> View:
        """The models whose lifecycle is in ``lifecycles``, in list order (``beta``: the beta shape)."""
        found = self._views.get((lifecycles, beta))
        if found is not None:
            return found
        full = self._everything(beta)
        if self._present <= lifecycles:
            view = full
        else:
            keep = [n for n, m in enumerate(self._models) if m["lifecycle"] in lifecycles]
            view = View(tuple(full.ids[n] for n in keep), (full.body(n) for n in keep))
        self._views[(lifecycles, beta)] = view
        return view

    def to_document(self) -> dict[str, Any]:
        """The catalog as a catalog-file document (round-trips through ``from_document``)."""
        document: dict[str, Any] = {}
        if self.as_of is not None:
            document["as_of"] = self.as_of
        document["aliases"] = dict(self._aliases)
        document["models"] = [dict(model) for model in self._models]
        return document

    def __repr__(self) -> str:
        return f"<Catalog {self.source} models={len(self)} aliases={len(self._aliases)}>"


def _check_aliases(aliases: Mapping[Any, Any], ids: Mapping[str, int], source: str) -> dict[str, str]:
    checked: dict[str, str] = {}
    for alias, target in aliases.items():
        where = f"{source}: aliases[{alias!r}]"
        if not is_model_id(alias):
            raise CatalogError(f"{where}: an alias must be URL-safe like a model id (no '/' or spaces)")
        if not isinstance(target, str):
            raise CatalogError(f"{where}: target must be a model id string, got {target!r}")
        if alias in ids:
            raise CatalogError(f"{where}: alias shadows the model id {alias!r}")
        if target not in ids:
            raise CatalogError(f"{where}: points to {target!r}, which is not a model in the catalog")
        checked[alias] = target
    return checked
