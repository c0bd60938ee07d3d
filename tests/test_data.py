"""The shipped catalog (data/models.json): consistent, cited, and what the SDK accepts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from anthropic import _models as sdk_models
from anthropic.types import ModelInfo
from anthropic_models_mock import Catalog
from anthropic_models_mock.catalog import default_catalog_path
from anthropic_models_mock.modelinfo import parse_rfc3339

PATH = Path(__file__).resolve().parents[1] / "data" / "models.json"
DOCUMENT: dict[str, Any] = json.loads(PATH.read_text(encoding="utf-8"))
CATALOG = Catalog.from_file(PATH)

# The public aliases SPEC.md names; each must be in the file, pointing where it says.
SPEC_ALIASES = {
    "claude-sonnet-4-5": "claude-sonnet-4-5-20250929",
    "claude-haiku-4-5": "claude-haiku-4-5-20251001",
    "claude-opus-4-5": "claude-opus-4-5-20251101",
    "claude-opus-4-1": "claude-opus-4-1-20250805",
    "claude-opus-4-0": "claude-opus-4-20250514",
    "claude-sonnet-4-0": "claude-sonnet-4-20250514",
    "claude-3-7-sonnet-latest": "claude-3-7-sonnet-20250219",
    "claude-3-5-haiku-latest": "claude-3-5-haiku-20241022",
}


def test_the_embedded_default_is_this_file() -> None:
    assert default_catalog_path().read_bytes() == PATH.read_bytes()


def test_file_states_its_date_and_sources() -> None:
    dt.date.fromisoformat(DOCUMENT["as_of"])
    assert DOCUMENT["sources"], "the file cites its sources"
    for key, source in DOCUMENT["sources"].items():
        assert source["url"].startswith("https://"), key
        assert source["title"], key


def test_every_model_cites_known_sources() -> None:
    for entry in DOCUMENT["models"]:
        assert entry.get("sources"), f"{entry['id']} cites no source"
        assert set(entry["sources"]) <= set(DOCUMENT["sources"]), entry["id"]


def test_file_is_already_in_list_order() -> None:
    assert [m["id"] for m in DOCUMENT["models"]] == [m["id"] for m in CATALOG]


@pytest.mark.parametrize(("alias", "target"), sorted(SPEC_ALIASES.items()))
def test_spec_aliases(alias: str, target: str) -> None:
    assert CATALOG.aliases[alias] == target


def test_range_of_models() -> None:
    ids = {m["id"] for m in CATALOG}
    assert {"claude-3-haiku-20240307", "claude-sonnet-4-5-20250929", "claude-opus-4-5-20251101"} <= ids
    assert {m["lifecycle"] for m in CATALOG} == {"active", "deprecated", "retired"}


@pytest.mark.parametrize("entry", CATALOG.models, ids=lambda m: m["id"])
def test_every_model_validates_under_the_sdk(entry: dict[str, Any]) -> None:
    model = sdk_models.validate_type(type_=ModelInfo, value=entry)
    assert model.id == entry["id"]
    assert model.model_dump(mode="json", exclude_unset=True)["id"] == entry["id"]


@pytest.mark.parametrize("entry", CATALOG.models, ids=lambda m: m["id"])
def test_lifecycle_agrees_with_dates(entry: dict[str, Any]) -> None:
    as_of = dt.datetime.fromisoformat(DOCUMENT["as_of"]).replace(tzinfo=dt.timezone.utc)
    assert parse_rfc3339(entry["created_at"]) <= as_of
    deprecated, retires = entry.get("deprecated_at"), entry.get("retires_at")
    if entry["lifecycle"] == "active":
        assert deprecated is None and retires is None
    else:  # a deprecation date is not always published; a retirement date always is
        assert retires is not None
        assert deprecated is None or parse_rfc3339(deprecated) <= as_of
    if entry["lifecycle"] == "retired":
        assert parse_rfc3339(retires) <= as_of
    if deprecated and retires:
        assert parse_rfc3339(deprecated) <= parse_rfc3339(retires)
