"""The catalog: order, lookups, aliases, validation on load, views, round trips."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from anthropic_models_mock import Catalog, CatalogError
from anthropic_models_mock.model import served
from anthropic_models_mock.model.limits import DEFAULT_LIFECYCLES, LIFECYCLES
from anthropic_models_mock.model.modelinfo import parse_rfc3339
from anthropic_models_testkit.strategies import catalogs
from hypothesis import given


def model(model_id: str, created_at: str = "2025-01-01T00:00:00Z", **extra: Any) -> dict[str, Any]:
    return {"id": model_id, "display_name": model_id.upper(), "created_at": created_at, **extra}


def test_list_order_is_newest_first_with_ties_by_id() -> None:
    catalog = Catalog(
        [
            model("b", "2025-01-01T00:00:00Z"),
            model("c", "2025-01-02T00:00:00Z"),
            model("a", "2025-01-01T00:00:00Z"),
            model("d", "2025-01-01T01:00:00+01:00"),  # the same instant as a and b
        ]
    )
    assert [m["id"] for m in catalog] == ["c", "a", "b", "d"]


@given(catalogs())
def test_order_is_total_and_by_instant(catalog: Catalog) -> None:
    keys = [(-parse_rfc3339(m["created_at"]).timestamp(), m["id"]) for m in catalog]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


@given(catalogs(min_size=1))
def test_lookups_by_id_and_alias(catalog: Catalog) -> None:
    for entry in catalog:
        assert entry["id"] in catalog
        assert catalog.get(entry["id"]) == entry
        assert json.loads(catalog.body(entry["id"]) or b"") == served(entry)
    for alias, target in catalog.aliases.items():
        assert alias not in catalog, "aliases never appear among the models"
        assert catalog.resolve(alias) == target
        assert catalog.get(alias) == catalog.get(target)


def test_unknown_names_resolve_to_none() -> None:
    catalog = Catalog([model("a")], {"al": "a"})
    assert catalog.resolve("zz") is None
    assert catalog.get("zz") is None
    assert catalog.body("zz") is None


@given(catalogs())
def test_views_filter_by_lifecycle_and_keep_order(catalog: Catalog) -> None:
    for wanted in [DEFAULT_LIFECYCLES, frozenset(LIFECYCLES), frozenset({"retired"})]:
        view = catalog.view(wanted)
        expected = [m["id"] for m in catalog if m["lifecycle"] in wanted]
        assert list(view.ids) == expected
        assert {i: view.position[i] for i in expected} == {i: n for n, i in enumerate(expected)}
        assert [json.loads(b)["id"] for b in view.bodies] == expected


@given(catalogs())
def test_document_round_trip(catalog: Catalog) -> None:
    again = Catalog.from_json(json.dumps(catalog.to_document()))
    assert again.models == catalog.models
    assert dict(again.aliases) == dict(catalog.aliases)


def write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "catalog.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", r"catalog\.json: not valid JSON: .* \(line 1, column 2\)"),
        ("7", r"expected an object with 'models', or a list"),
        ({"modles": []}, r"unknown top-level key\(s\): modles"),
        ({"aliases": {}}, r"models: required, must be a list"),
        ({"models": [], "aliases": []}, r"aliases: must be an object"),
        ({"models": [model("a"), model("a")]}, r"models\[1\]: id: duplicate id 'a' \(first at models\[0\]\)"),
        ({"models": [model("a")], "aliases": {"a": "a"}}, r"aliases\['a'\]: alias shadows the model id 'a'"),
        (
            {"models": [model("a")], "aliases": {"b": "c"}},
            r"aliases\['b'\]: points to 'c', which is not a model",
        ),
        ({"models": [model("a")], "aliases": {"b": 1}}, r"aliases\['b'\]: target must be a model id string"),
        (
            {"models": [model("a", "2025-02-30T00:00:00Z")]},
            r"models\[0\] \(id 'a'\): created_at: not a valid",
        ),
        ({"models": [{**model("a"), "type": "mdl"}]}, r"models\[0\] \(id 'a'\): type: must be 'model'"),
        ({"models": [model("a")], "as_of": 2025}, r"as_of: must be a string"),
        ({"models": [model("a")], "aliases": {"a b": "a"}}, r"aliases\['a b'\]: an alias must be URL-safe"),
        (
            {"models": [model("a", "9999-12-31T23:59:59-23:59")]},
            r"models\[0\] \(id 'a'\): created_at: out of range once in UTC",
        ),
        (
            {"models": [model("a", "0001-01-01T00:00:00+23:59")]},
            r"models\[0\] \(id 'a'\): created_at: out of range once in UTC",
        ),
        ('{"models": [], "as_of": NaN}', r"not a usable JSON document: NaN is not JSON"),
        ('{"models": [{"max_tokens": ' + "9" * 5000 + "}]}", r"not a usable JSON document: .*digits"),
        ("[" * 100_000 + "]" * 100_000, r"not a usable JSON document"),
    ],
)
def test_bad_files_are_clear_errors_naming_the_file(tmp_path: Path, document: Any, message: str) -> None:
    path = write(tmp_path, document)
    with pytest.raises(CatalogError, match=message) as caught:
        Catalog.from_file(path)
    assert str(caught.value).startswith(str(path))


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"nope\.json: cannot read catalog file: No such file"):
        Catalog.from_file(tmp_path / "nope.json")
    with pytest.raises(CatalogError, match="cannot read catalog file"):
        Catalog.from_file(tmp_path)
    (tmp_path / "latin.json").write_bytes(b'{"models": [], "as_of": "\xe9"}')
    with pytest.raises(CatalogError, match="not UTF-8"):
        Catalog.from_file(tmp_path / "latin.json")


def test_a_bare_list_is_a_catalog(tmp_path: Path) -> None:
    catalog = Catalog.from_file(write(tmp_path, [model("a"), model("b", "2026-01-01T00:00:00Z")]))
    assert [m["id"] for m in catalog] == ["b", "a"]


def test_synthetic_is_deterministic_and_seed_dependent() -> None:
    first, again, other = Catalog.synthetic(300, 5), Catalog.synthetic(300, 5), Catalog.synthetic(300, 6)
    assert first.view().bodies == again.view().bodies
    assert first.to_document() == again.to_document()
    assert first.models != other.models
    assert len(first) == 300


def test_synthetic_catalogs_are_plausible() -> None:
    catalog = Catalog.synthetic(500, 1)
    assert {m["lifecycle"] for m in catalog} == set(LIFECYCLES)
    assert all(m["id"].startswith("claude-") for m in catalog)
    assert catalog.aliases, "synthetic catalogs carry aliases"
    for m in catalog:
        created = parse_rfc3339(m["created_at"])
        if m["lifecycle"] != "active":
            assert m["deprecated_at"] is not None and m["retires_at"] is not None
            assert created < parse_rfc3339(m["deprecated_at"]) < parse_rfc3339(m["retires_at"])
        else:
            assert m["deprecated_at"] is None


def test_synthetic_rejects_a_negative_size() -> None:
    with pytest.raises(ValueError, match="n must be >= 0"):
        Catalog.synthetic(-1)


def test_default_catalog_loads() -> None:
    catalog = Catalog.default()
    assert len(catalog) > 0
    assert catalog.source.endswith("models.json")


@given(catalogs())
def test_to_json_is_the_document_written_as_json_dumps_writes_it(catalog: Catalog) -> None:
    assert catalog.to_json().decode() == json.dumps(catalog.to_document(), indent=2, ensure_ascii=False)
    assert json.loads(catalog.to_json(indent=0)) == catalog.to_document()
