"""What changed between two catalogs, as a client would see it: models and aliases served.

Only what is served counts: annotations (``sources``, ``description``) and ``as_of`` do not, and an
omitted optional key equals an explicit ``null``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..model.modelinfo import CAPABILITIES_SHAPE, FIELDS, complete, served
from .catalog import Catalog

__all__ = ["CatalogDiff", "FieldChange", "ModelChange", "diff_catalogs"]

_COMPARED = tuple(field for field in FIELDS if field not in ("type", "id", "capabilities"))


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One served value that differs: ``path`` is a field name or a dotted capability path."""

    path: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class ModelChange:
    """A model served by both catalogs with a different body."""

    id: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True, slots=True)
class CatalogDiff:
    """The difference between an old and a new catalog (see ``diff_catalogs``)."""

    old_label: str
    new_label: str
    old_as_of: str | None
    new_as_of: str | None
    old_count: int
    new_count: int
    old_alias_count: int
    new_alias_count: int
    added: tuple[dict[str, Any], ...]
    removed: tuple[dict[str, Any], ...]
    changed: tuple[ModelChange, ...]
    aliases_added: tuple[tuple[str, str], ...]
    aliases_removed: tuple[tuple[str, str], ...]
    aliases_changed: tuple[tuple[str, str, str], ...]

    @property
    def alias_change_count(self) -> int:
        """How many aliases were added, removed or pointed elsewhere."""
        return len(self.aliases_added) + len(self.aliases_removed) + len(self.aliases_changed)

    @property
    def same(self) -> bool:
        """Whether both catalogs serve the same models and aliases."""
        return not (self.added or self.removed or self.changed or self.alias_change_count)

    def to_json(self) -> dict[str, Any]:
        """The diff as a JSON-ready dict."""
        return {
            "same": self.same,
            "old": _side(self.old_label, self.old_as_of, self.old_count, self.old_alias_count),
            "new": _side(self.new_label, self.new_as_of, self.new_count, self.new_alias_count),
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": [
                {"id": change.id, "fields": [{"path": f.path, "old": f.old, "new": f.new} for f in change.fields]}
                for change in self.changed
            ],
            "aliases": {
                "added": dict(self.aliases_added),
                "removed": dict(self.aliases_removed),
                "changed": {alias: {"old": old, "new": new} for alias, old, new in self.aliases_changed},
            },
        }

    def render(self, *, arrow: str = "→") -> str:
        """A report for a person: a header per catalog, then each difference (values as JSON).

        Characters that would act on a terminal rather than show (controls, bidi overrides) are
        escaped as in JSON (``\\u202e``). ``arrow`` is ``->`` for an output that cannot show ``→``.
        """
        return "".join(f"{_visible(line)}\n" for line in self._lines(arrow))

    def _lines(self, arrow: str) -> Iterator[str]:
        yield f"--- {_header(self.old_label, self.old_count, self.old_alias_count, self.old_as_of)}"
        yield f"+++ {_header(self.new_label, self.new_count, self.new_alias_count, self.new_as_of)}"
        if self.same:
            counted = f"{_count(self.new_count, 'model')}, {_count(self.new_alias_count, 'alias')}"
            yield f"same: {counted} serve the same bodies"
            return
        if self.added:
            yield f"added models ({len(self.added)}):"
            yield from (f"  + {_summary(model)}" for model in self.added)
        if self.removed:
            yield f"removed models ({len(self.removed)}):"
            yield from (f"  - {_summary(model)}" for model in self.removed)
        if self.changed:
            yield f"changed models ({len(self.changed)}):"
            for change in self.changed:
                yield f"  ~ {change.id}"
                yield from (f"      {f.path}: {_show(f.old)} {arrow} {_show(f.new)}" for f in change.fields)
        if self.alias_change_count:
            yield "aliases:"
            yield from (f"  + {alias} {arrow} {target}" for alias, target in self.aliases_added)
            yield from (f"  - {alias} (was {arrow} {target})" for alias, target in self.aliases_removed)
            yield from (f"  ~ {alias}: {old} {arrow} {new}" for alias, old, new in self.aliases_changed)
        yield (
            f"differ: {len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} changed,"
            f" {_count(self.alias_change_count, 'alias change')}"
        )


def diff_catalogs(old: Catalog, new: Catalog) -> CatalogDiff:
    """Compare what ``old`` and ``new`` serve, model by model (by id) and alias by alias."""
    old_by_id = {model["id"]: model for model in old.models}
    new_ids = {model["id"] for model in new.models}
    added: list[dict[str, Any]] = []
    changed: list[ModelChange] = []
    for model in new.models:
        before = old_by_id.get(model["id"])
        if before is None:
            added.append(served(model))
        elif before != model:  # equal entries serve equal bodies
            fields = _changes(before, model)
            if fields:
                changed.append(ModelChange(model["id"], fields))
    removed = [served(model) for model in old.models if model["id"] not in new_ids]
    return CatalogDiff(
        old_label=old.source,
        new_label=new.source,
        old_as_of=old.as_of,
        new_as_of=new.as_of,
        old_count=len(old),
        new_count=len(new),
        old_alias_count=len(old.aliases),
        new_alias_count=len(new.aliases),
        added=tuple(added),
        removed=tuple(removed),
        changed=tuple(changed),
        aliases_added=tuple(sorted((a, t) for a, t in new.aliases.items() if a not in old.aliases)),
        aliases_removed=tuple(sorted((a, t) for a, t in old.aliases.items() if a not in new.aliases)),
        aliases_changed=tuple(
            sorted((a, old.aliases[a], t) for a, t in new.aliases.items() if a in old.aliases and old.aliases[a] != t)
        ),
    )


def _changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """How two catalog entries are served differently, in served order (``capabilities`` last)."""
    found = [FieldChange(field, old[field], new[field]) for field in _COMPARED if old[field] != new[field]]
    before, after = old["capabilities"], new["capabilities"]
    if before != after:  # expanded only now: most changes leave capabilities alone
        _walk("capabilities", _expand(before), _expand(after), found)
    return tuple(found)


def _expand(capabilities: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if capabilities is None else complete(capabilities, CAPABILITIES_SHAPE)


def _walk(path: str, old: Any, new: Any, found: list[FieldChange]) -> None:
    """Add the leaves under ``path`` that differ; an object against anything else is one change."""
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(key for key in new if key not in old)]:  # served dicts follow the shape's order
            _walk(f"{path}.{key}", old.get(key), new.get(key), found)
    else:
        found.append(FieldChange(path, old, new))


def _side(source: str, as_of: str | None, models: int, aliases: int) -> dict[str, Any]:
    return {"source": source, "as_of": as_of, "models": models, "aliases": aliases}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}es" if noun.endswith("s") else f"{n} {noun}s"


def _header(label: str, models: int, aliases: int, as_of: str | None) -> str:
    dated = "" if as_of is None else f", as of {as_of}"
    return f"{label}: {_count(models, 'model')}, {_count(aliases, 'alias')}{dated}"


def _summary(model: Mapping[str, Any]) -> str:
    return f"{model['id']}  {_show(model['display_name'])}  {model['lifecycle']}, created {model['created_at']}"


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _visible(text: str) -> str:
    """``text`` with each character a terminal would not show as itself escaped (``\\u009b``)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else json.dumps(ch)[1:-1] for ch in text)
