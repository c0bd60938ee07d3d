"""Aliases: a persistent mapping that behaves like a dict of alias -> target, in the order given."""

from __future__ import annotations

from typing import Any

from anthropic_models_mock.storage.aliases import Aliases
from hypothesis import given
from hypothesis import strategies as st

NAMES = st.sampled_from([f"a-{n}" for n in range(8)])
TARGETS = st.sampled_from([f"m-{n}" for n in range(4)])
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("set"), NAMES, TARGETS),
        st.tuples(st.just("remove"), NAMES),
        st.tuples(st.just("drop target"), TARGETS),
    ),
    max_size=40,
)


def check(aliases: Aliases, model: dict[str, str]) -> None:
    assert list(aliases.items()) == list(model.items())  # the same items, in the same order
    assert aliases == model and len(aliases) == len(model)
    for name in [f"a-{n}" for n in range(8)]:
        assert (name in aliases) == (name in model) and aliases.get(name) == model.get(name)
    for target in [f"m-{n}" for n in range(4)]:
        assert sorted(aliases.pointing_to(target)) == sorted(a for a, t in model.items() if t == target)


@given(st.dictionaries(NAMES, TARGETS), OPS)
def test_aliases_change_as_a_dict_would(start: dict[str, str], ops: list[Any]) -> None:
    aliases, model = Aliases(start), dict(start)
    check(aliases, model)
    for op in ops:
        before, snapshot = aliases, dict(model)
        if op[0] == "set":
            aliases, model[op[1]] = aliases.with_alias(op[1], op[2]), op[2]
        elif op[0] == "remove":
            if op[1] not in model:
                continue
            aliases = aliases.without_alias(op[1])
            del model[op[1]]
        else:
            aliases = aliases.without_target(op[1])
            model = {a: t for a, t in model.items() if t != op[1]}
        check(aliases, model)
        check(before, snapshot)  # the one it was made from is unchanged


def test_a_catalog_keeps_its_aliases_in_file_order_through_changes() -> None:
    from anthropic_models_mock import Catalog

    models = [{"id": f"m-{n}", "display_name": "M", "created_at": "2025-01-01T00:00:00Z"} for n in range(3)]
    catalog = Catalog(models, {"z": "m-0", "a": "m-1", "k": "m-2"})
    catalog = catalog.with_alias("a", "m-2").with_alias("b", "m-0").without_model("m-1")
    assert list(catalog.aliases) == ["z", "a", "k", "b"]
    assert b'"aliases":{"z":"m-0","a":"m-2","k":"m-2","b":"m-0"}' in catalog.to_json(indent=0)
