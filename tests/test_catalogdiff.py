"""Catalog diffs: what two catalogs serve differently, as facts, JSON and a report."""

from __future__ import annotations

import copy
import json
from typing import Any

from anthropic_models_mock import Catalog
from anthropic_models_mock.catalog.diff import CatalogDiff, FieldChange, ModelChange, diff_catalogs
from anthropic_models_mock.model import served
from hypothesis import given, settings
from hypothesis import strategies as st


def _support(flag: bool = False) -> dict[str, bool]:
    return {"supported": flag}


def caps() -> dict[str, Any]:
    """Every required capability, unsupported; the optional ones omitted."""
    return {
        "batch": _support(),
        "citations": _support(),
        "code_execution": _support(),
        "context_management": {"supported": False},
        "effort": {"supported": False, "low": _support(), "medium": _support(), "high": _support(), "max": _support()},
        "image_input": _support(),
        "pdf_input": _support(),
        "server_tools": {"supported": False, "code_execution": _support(), "web_search": _support()},
        "structured_outputs": _support(),
        "thinking": {
            "supported": False,
            "types": {
                "adaptive": _support(),
                "between_tools": _support(),
                "disabled": _support(),
                "enabled": _support(),
            },
        },
    }


#: ``caps()`` as it is served: optional entries present and null.
CAPS_SERVED: dict[str, Any] = {
    "batch": {"supported": False},
    "citations": {"supported": False},
    "code_execution": {"supported": False},
    "context_management": {
        "supported": False,
        "clear_thinking_20251015": None,
        "clear_tool_uses_20250919": None,
        "compact_20260112": None,
    },
    "effort": {
        "supported": False,
        "low": {"supported": False},
        "medium": {"supported": False},
        "high": {"supported": False},
        "max": {"supported": False},
        "xhigh": None,
    },
    "image_input": {"supported": False},
    "pdf_input": {"supported": False},
    "server_tools": {"supported": False, "code_execution": {"supported": False}, "web_search": {"supported": False}},
    "structured_outputs": {"supported": False},
    "thinking": {
        "supported": False,
        "types": {
            "adaptive": {"supported": False},
            "between_tools": {"supported": False},
            "disabled": {"supported": False},
            "enabled": {"supported": False},
        },
    },
    "compaction": None,
}


def model(model_id: str, created_at: str = "2025-01-01T00:00:00Z", **extra: Any) -> dict[str, Any]:
    return {"id": model_id, "display_name": f"Model {model_id.upper()}", "created_at": created_at, **extra}


def _small_pair() -> tuple[Catalog, Catalog]:
    old = Catalog(
        [
            model("a", capabilities=caps()),
            model("b", "2025-02-01T00:00:00Z"),
            model("c", "2024-06-01T00:00:00Z", lifecycle="retired", deprecated_at="2025-01-01T00:00:00Z"),
        ],
        {"a-latest": "a", "c-latest": "c", "x": "a"},
        source="old.json",
        as_of="2025-06-01",
    )
    new_caps = caps()
    new_caps["effort"]["low"] = {"supported": True}
    new = Catalog(
        [
            model("a", capabilities=new_caps),
            model("b", "2025-02-01T00:00:00Z", lifecycle="deprecated", deprecated_at="2025-05-01T00:00:00Z"),
            model("d", "2025-03-01T00:00:00Z"),
        ],
        {"a-latest": "a", "d-latest": "d", "x": "b"},
        source="new.json",
    )
    return old, new


SMALL_REPORT = """\
--- old.json: 3 models, 3 aliases, as of 2025-06-01
+++ new.json: 3 models, 3 aliases
added models (1):
  + d  "Model D"  active, created 2025-03-01T00:00:00Z
removed models (1):
  - c  "Model C"  retired, created 2024-06-01T00:00:00Z
changed models (2):
  ~ b
      lifecycle: "active" → "deprecated"
      deprecated_at: null → "2025-05-01T00:00:00Z"
  ~ a
      capabilities.effort.low.supported: false → true
aliases:
  + d-latest → d
  - c-latest (was → c)
  ~ x: a → b
differ: 1 added, 1 removed, 2 changed, 3 alias changes
"""


def test_the_default_catalog_against_itself_is_the_same() -> None:
    old, new = Catalog.default(), Catalog.default()
    diff = diff_catalogs(old, new)
    assert diff.same
    assert (diff.added, diff.removed, diff.changed) == ((), (), ())
    header = f"{old.source}: {len(old)} models, {len(old.aliases)} aliases, as of {old.as_of}"
    same = f"same: {len(old)} models, {len(old.aliases)} aliases serve the same bodies"
    assert diff.render() == f"--- {header}\n+++ {header}\n{same}\n"


def test_the_small_case_facts() -> None:
    diff = diff_catalogs(*_small_pair())
    assert not diff.same
    assert (diff.old_label, diff.new_label, diff.old_as_of, diff.new_as_of) == (
        "old.json",
        "new.json",
        "2025-06-01",
        None,
    )
    assert (diff.old_count, diff.new_count, diff.old_alias_count, diff.new_alias_count) == (3, 3, 3, 3)
    assert diff.added == (
        {
            "type": "model",
            "id": "d",
            "display_name": "Model D",
            "created_at": "2025-03-01T00:00:00Z",
            "lifecycle": "active",
            "deprecated_at": None,
            "retires_at": None,
            "line": None,
            "max_input_tokens": None,
            "max_tokens": None,
            "allowed_fallback_models": None,
            "capabilities": None,
        },
    )
    assert [m["id"] for m in diff.removed] == ["c"]
    assert diff.removed[0]["lifecycle"] == "retired"
    assert diff.changed == (
        ModelChange(
            "b",
            (
                FieldChange("lifecycle", "active", "deprecated"),
                FieldChange("deprecated_at", None, "2025-05-01T00:00:00Z"),
            ),
        ),
        ModelChange("a", (FieldChange("capabilities.effort.low.supported", False, True),)),
    )
    assert diff.aliases_added == (("d-latest", "d"),)
    assert diff.aliases_removed == (("c-latest", "c"),)
    assert diff.aliases_changed == (("x", "a", "b"),)


def test_the_small_case_report() -> None:
    assert diff_catalogs(*_small_pair()).render() == SMALL_REPORT


def test_to_json_is_json_and_carries_the_facts() -> None:
    document = diff_catalogs(*_small_pair()).to_json()
    assert json.loads(json.dumps(document)) == document
    assert document["same"] is False
    assert document["old"] == {"source": "old.json", "as_of": "2025-06-01", "models": 3, "aliases": 3}
    assert document["new"] == {"source": "new.json", "as_of": None, "models": 3, "aliases": 3}
    assert [m["id"] for m in document["added"]] == ["d"]
    assert [m["id"] for m in document["removed"]] == ["c"]
    assert document["changed"] == [
        {
            "id": "b",
            "fields": [
                {"path": "lifecycle", "old": "active", "new": "deprecated"},
                {"path": "deprecated_at", "old": None, "new": "2025-05-01T00:00:00Z"},
            ],
        },
        {"id": "a", "fields": [{"path": "capabilities.effort.low.supported", "old": False, "new": True}]},
    ]
    assert document["aliases"] == {
        "added": {"d-latest": "d"},
        "removed": {"c-latest": "c"},
        "changed": {"x": {"old": "a", "new": "b"}},
    }


def test_to_json_of_no_difference() -> None:
    catalog = Catalog([model("a")], source="one.json")
    assert diff_catalogs(catalog, catalog).to_json() == {
        "same": True,
        "old": {"source": "one.json", "as_of": None, "models": 1, "aliases": 0},
        "new": {"source": "one.json", "as_of": None, "models": 1, "aliases": 0},
        "added": [],
        "removed": [],
        "changed": [],
        "aliases": {"added": {}, "removed": {}, "changed": {}},
    }


def test_singular_counts_and_no_as_of() -> None:
    catalog = Catalog([model("a")], {"a-latest": "a"}, source="one.json")
    assert diff_catalogs(catalog, catalog).render() == (
        "--- one.json: 1 model, 1 alias\n+++ one.json: 1 model, 1 alias\nsame: 1 model, 1 alias serve the same bodies\n"
    )


def test_only_an_alias_change_is_a_difference() -> None:
    old = Catalog([model("a"), model("b")], {"latest": "a"}, source="old")
    new = Catalog([model("a"), model("b")], {"latest": "b"}, source="new")
    diff = diff_catalogs(old, new)
    assert not diff.same
    assert diff.render() == (
        "--- old: 2 models, 1 alias\n+++ new: 2 models, 1 alias\naliases:\n  ~ latest: a → b\n"
        "differ: 0 added, 0 removed, 0 changed, 1 alias change\n"
    )


def test_a_capability_leaf_change_has_its_dotted_path() -> None:
    new_caps = caps()
    new_caps["thinking"]["types"]["adaptive"]["supported"] = True
    new_caps["batch"]["supported"] = True
    diff = diff_catalogs(Catalog([model("a", capabilities=caps())]), Catalog([model("a", capabilities=new_caps)]))
    assert diff.changed == (
        ModelChange(
            "a",
            (
                FieldChange("capabilities.batch.supported", False, True),
                FieldChange("capabilities.thinking.types.adaptive.supported", False, True),
            ),
        ),
    )


def test_null_capabilities_against_an_object_is_one_change() -> None:
    diff = diff_catalogs(Catalog([model("a")]), Catalog([model("a", capabilities=caps())]))
    assert diff.changed == (ModelChange("a", (FieldChange("capabilities", None, CAPS_SERVED),)),)
    back = diff_catalogs(Catalog([model("a", capabilities=caps())]), Catalog([model("a", capabilities=None)]))
    assert back.changed == (ModelChange("a", (FieldChange("capabilities", CAPS_SERVED, None),)),)


def test_a_null_sub_object_against_an_object_is_one_change() -> None:
    new_caps = caps()
    new_caps["effort"]["xhigh"] = {"supported": True}
    new_caps["compaction"] = {"supported": True, "summarize": {"supported": False}}
    diff = diff_catalogs(Catalog([model("a", capabilities=caps())]), Catalog([model("a", capabilities=new_caps)]))
    assert diff.changed == (
        ModelChange(
            "a",
            (
                FieldChange("capabilities.compaction", None, {"supported": True, "summarize": {"supported": False}}),
                FieldChange("capabilities.effort.xhigh", None, {"supported": True}),
            ),
        ),
    )
    assert diff.render().splitlines()[4:6] == [
        '      capabilities.compaction: null → {"supported": true, "summarize": {"supported": false}}',
        '      capabilities.effort.xhigh: null → {"supported": true}',
    ]


def test_fields_come_in_served_order() -> None:
    old = model("a", max_tokens=10, line="opus", allowed_fallback_models=["b"])
    new = model(
        "a", "2025-01-02T00:00:00Z", max_tokens=20, line="sonnet", display_name="Renamed", allowed_fallback_models=None
    )
    diff = diff_catalogs(Catalog([old, model("b")]), Catalog([new, model("b")]))
    assert diff.changed == (
        ModelChange(
            "a",
            (
                FieldChange("display_name", "Model A", "Renamed"),
                FieldChange("created_at", "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z"),
                FieldChange("line", "opus", "sonnet"),
                FieldChange("max_tokens", 10, 20),
                FieldChange("allowed_fallback_models", ["b"], None),
            ),
        ),
    )


def test_omitted_optional_keys_equal_explicit_nulls() -> None:
    sparse = {"id": "a", "display_name": "A", "created_at": "2025-01-01T00:00:00Z", "capabilities": caps()}
    full_caps = caps()
    full_caps["effort"]["xhigh"] = None
    full_caps["compaction"] = None
    full_caps["context_management"].update(
        clear_thinking_20251015=None, clear_tool_uses_20250919=None, compact_20260112=None
    )
    explicit = {
        "type": "model",
        "id": "a",
        "display_name": "A",
        "created_at": "2025-01-01T00:00:00Z",
        "lifecycle": "active",
        "deprecated_at": None,
        "retires_at": None,
        "line": None,
        "max_input_tokens": None,
        "max_tokens": None,
        "allowed_fallback_models": None,
        "capabilities": full_caps,
    }
    diff = diff_catalogs(Catalog([sparse]), Catalog([explicit]))
    assert diff.same
    assert diff.changed == ()


def test_annotations_and_as_of_are_not_differences() -> None:
    old = Catalog.from_document(
        {
            "as_of": "2025-01-01",
            "description": "old",
            "sources": {"docs": {"title": "Docs", "url": "https://example.com"}},
            "models": [model("a", sources=["docs"])],
        },
        source="old",
    )
    new = Catalog.from_document(
        {"as_of": "2026-01-01", "models": [model("a", sources=["elsewhere", "docs"])]}, source="new"
    )
    diff = diff_catalogs(old, new)
    assert diff.same
    assert diff.render() == (
        "--- old: 1 model, 0 aliases, as of 2025-01-01\n+++ new: 1 model, 0 aliases, as of 2026-01-01\n"
        "same: 1 model, 0 aliases serve the same bodies\n"
    )


def test_added_and_removed_keep_each_catalogs_list_order() -> None:
    old = Catalog([model(f"old-{n}", f"2025-01-0{n}T00:00:00Z") for n in range(1, 5)] + [model("kept")])
    new = Catalog([model(f"new-{n}", f"2025-02-0{n}T00:00:00Z") for n in range(1, 4)] + [model("kept")])
    diff = diff_catalogs(old, new)
    assert [m["id"] for m in diff.removed] == ["old-4", "old-3", "old-2", "old-1"]
    assert [m["id"] for m in diff.added] == ["new-3", "new-2", "new-1"]
    assert diff.changed == ()
    assert diff.render().splitlines()[-1] == "differ: 3 added, 4 removed, 0 changed, 0 alias changes"


def test_the_diff_is_frozen() -> None:
    diff = diff_catalogs(*_small_pair())
    assert isinstance(diff, CatalogDiff)
    try:
        diff.old_label = "other"  # type: ignore[misc]
    except AttributeError:
        pass
    else:
        raise AssertionError("CatalogDiff accepted an assignment")


# -- property: the diff's facts turn old into new --------------------------------------------


def _leaves(value: Any, path: str) -> list[str]:
    if isinstance(value, dict):
        return [leaf for key, sub in value.items() for leaf in _leaves(sub, f"{path}.{key}")]
    return [path] if isinstance(value, bool) else []


def _at(value: Any, path: str) -> Any:
    for key in path.split("."):
        value = value[key]
    return value


def _put(value: dict[str, Any], path: str, new: Any) -> None:
    *parents, last = path.split(".")
    for key in parents:
        value = value[key]
    value[last] = new


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), data=st.data())
def test_applying_the_diff_to_old_gives_new(seed: int, data: st.DataObject) -> None:
    old = Catalog.synthetic(30, seed)
    document = json.loads(json.dumps(old.to_document()))  # no shared capabilities objects
    ids = [m["id"] for m in document["models"]]
    gone = data.draw(st.sets(st.sampled_from(ids), max_size=8), label="removed")
    kept = [m for m in document["models"] if m["id"] not in gone]
    mutated = data.draw(st.sets(st.sampled_from([m["id"] for m in kept]), max_size=8), label="mutated")
    for entry in kept:
        if entry["id"] not in mutated:
            continue
        kinds = ["display_name", "max_tokens"] + (["capability"] if entry["capabilities"] else [])
        kind = data.draw(st.sampled_from(kinds), label=f"change to {entry['id']}")
        if kind == "display_name":
            entry["display_name"] += " (renamed)"
        elif kind == "max_tokens":
            entry["max_tokens"] = (entry["max_tokens"] or 1) + 1
        else:
            leaf = data.draw(st.sampled_from(_leaves(entry["capabilities"], "capabilities")))
            _put(entry, leaf, not _at(entry, leaf))
    fresh = [
        {**copy.deepcopy(kept[0] if kept else document["models"][0]), "id": f"zz-added-{n}"}
        for n in range(data.draw(st.integers(0, 3), label="added"))
    ]
    aliases = {alias: target for alias, target in document["aliases"].items() if target not in gone}
    new = Catalog.from_document({"models": kept + fresh, "aliases": aliases}, source="new")

    diff = diff_catalogs(old, new)

    assert {m["id"] for m in diff.removed} == gone
    assert {m["id"] for m in diff.added} == {m["id"] for m in fresh}
    assert (set(ids) - gone) | {m["id"] for m in diff.added} == {m["id"] for m in new.models}
    assert {change.id for change in diff.changed} == mutated
    assert diff.same == (not gone and not mutated and not fresh)
    for change in diff.changed:
        before, after = old.get(change.id), new.get(change.id)
        assert before is not None and after is not None
        rebuilt = copy.deepcopy(served(before))
        for field in change.fields:
            assert field.old != field.new
            assert _at(rebuilt, field.path) == field.old
            _put(rebuilt, field.path, field.new)
        assert rebuilt == served(after)
    changed_ids = {change.id for change in diff.changed}
    for entry in new.models:
        before = old.get(entry["id"])
        if before is not None and entry["id"] not in changed_ids:
            assert served(before) == served(entry)
    assert {alias for alias, _ in diff.aliases_removed} == set(old.aliases) - set(aliases)
    assert (diff.aliases_added, diff.aliases_changed) == ((), ())


def test_control_and_bidi_characters_are_escaped_in_the_report() -> None:
    old = Catalog([model("a")], {}, source="old.json")
    new = Catalog([model("a", display_name="Évil \x9b31m \u202eabc\x1b[2J")], {}, source="new\u202e.json")
    report = diff_catalogs(old, new).render()
    assert '      display_name: "Model A" → "Évil \\u009b31m \\u202eabc\\u001b[2J"\n' in report
    assert "+++ new\\u202e.json: 1 model" in report
    assert all(ch.isprintable() for line in report.splitlines() for ch in line)
    assert diff_catalogs(old, new).to_json()["changed"][0]["fields"][0]["new"] == "Évil \x9b31m \u202eabc\x1b[2J"


def test_the_report_can_use_an_ascii_arrow() -> None:
    assert "\n  ~ x: a -> b\n" in diff_catalogs(*_small_pair()).render(arrow="->")
