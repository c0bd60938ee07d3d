"""The embedded catalog against the installed SDK's own data: the model ids its ``Model`` type names, and its
deprecation map. Bumping the pinned SDK is the moment the catalog is brought up to date: this names any
difference."""

from __future__ import annotations

import importlib
import re
import typing
from datetime import datetime, timezone

import anthropic
import pytest
from anthropic_models_mock import Catalog
from anthropic_models_mock.model import ModelInfo

#: The SDK release the catalog was last checked against. Another release installed (a fresh machine gets the
#: newest) skips these tests, saying so: moving this to a new release is the moment to bring the catalog up
#: to date with it, until these pass.
CHECKED_WITH = "2.17.0"
pytestmark = pytest.mark.skipif(
    anthropic.__version__ != CHECKED_WITH,
    reason=f"the catalog was checked against anthropic {CHECKED_WITH}, this is {anthropic.__version__}:"
    " set CHECKED_WITH to it and bring the catalog up to date",
)

CATALOG = Catalog.default()
MODELS: dict[str, ModelInfo] = {}
for _id in CATALOG.view(frozenset({"active", "deprecated", "retired"})).ids:
    _found = CATALOG.get(_id)
    assert _found is not None
    MODELS[_id] = _found


def _named_by_sdk() -> set[str]:
    """The model ids the SDK's ``Model`` type names (a union of string literals and ``str``)."""
    names: set[str] = set()
    pending = list(typing.get_args(anthropic.types.Model))
    while pending:
        arg = pending.pop()
        if typing.get_origin(arg) is typing.Literal:
            names.update(typing.get_args(arg))
        else:
            pending.extend(typing.get_args(arg))
    return names


def _deprecation_map() -> dict[str, str]:
    try:
        return dict(importlib.import_module("anthropic._data.deprecated_models").DEPRECATED_MODELS)
    except (ImportError, AttributeError):
        pytest.skip(f"anthropic {anthropic.__version__} ships no deprecation map (_data/deprecated_models.py)")


def _resolved(name: str) -> str | None:
    """The model id a name stands for in the catalog (itself, or an alias's target), or ``None``."""
    return name if name in MODELS else CATALOG.aliases.get(name)


def _names_of(model_id: str) -> set[str]:
    return {model_id} | {alias for alias, target in CATALOG.aliases.items() if target == model_id}


def _date(text: str) -> str:
    """``January 22nd, 2027`` (the SDK's form) as ``2027-01-22``."""
    day = re.sub(r"(\d+)(st|nd|rd|th)", r"\1", text)
    return datetime.strptime(day, "%B %d, %Y").replace(tzinfo=timezone.utc).date().isoformat()


def test_every_model_the_sdk_names_is_served_and_not_retired() -> None:
    names = _named_by_sdk()
    assert names, f"anthropic {anthropic.__version__}: no model ids found in anthropic.types.Model"
    problems = []
    for name in sorted(names):
        model_id = _resolved(name)
        if model_id is None:
            problems.append(f"{name}: named by the SDK, not in the catalog")
        elif MODELS[model_id]["lifecycle"] == "retired":
            problems.append(f"{name}: named by the SDK, retired in the catalog")
    assert not problems, f"anthropic {anthropic.__version__}: " + "; ".join(problems)


def test_every_model_the_catalog_serves_by_default_is_one_the_sdk_names() -> None:
    """The SDK removes a model from its ``Model`` type when it retires ("remove retired ... models")."""
    names = _named_by_sdk()
    unnamed = [
        model_id
        for model_id, model in MODELS.items()
        if model["lifecycle"] != "retired" and not _names_of(model_id) & names
    ]
    assert not unnamed, f"listed by default, but anthropic {anthropic.__version__} names none of: {unnamed}"


def test_the_deprecation_map_and_the_catalog_agree() -> None:
    deprecations = _deprecation_map()
    problems = []
    for name, end in sorted(deprecations.items()):
        model_id = _resolved(name)
        if model_id is None:
            problems.append(f"{name}: in the SDK's deprecation map, not in the catalog")
            continue
        model = MODELS[model_id]
        if model["lifecycle"] != "deprecated":
            problems.append(f"{name}: deprecated by the SDK ({end}), {model['lifecycle']} in the catalog")
        elif (model["retires_at"] or "")[:10] != _date(end):
            problems.append(f"{name}: the SDK retires it on {end}, the catalog on {model['retires_at']}")
    for model_id, model in MODELS.items():
        if model["lifecycle"] == "deprecated" and not _names_of(model_id) & set(deprecations):
            problems.append(f"{model_id}: deprecated in the catalog, not in the SDK's deprecation map")
    assert not problems, f"anthropic {anthropic.__version__}: " + "; ".join(problems)
