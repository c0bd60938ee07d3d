"""PMap: a persistent mapping that behaves like a dict, and leaves the map a change was made from as it was."""

from __future__ import annotations

from typing import Any

import pytest
from anthropic_models_mock.storage.pmap import PMap
from hypothesis import given
from hypothesis import strategies as st

KEYS = st.one_of(st.integers(-(2**70), 2**70), st.text(max_size=4), st.sampled_from([0, -1, 64, 4096, 2**63]))
OPS = st.lists(st.tuples(st.sampled_from(["set", "delete"]), KEYS, st.integers()), max_size=60)


def same(pmap: PMap[Any, int], model: dict[Any, int]) -> None:
    assert dict(pmap.items()) == model and len(pmap) == len(model) and pmap == model
    assert sorted(map(repr, pmap)) == sorted(map(repr, model))  # every key once
    for key in model:
        assert key in pmap and pmap[key] == model[key] and pmap.get(key) == model[key]


@given(st.dictionaries(KEYS, st.integers(), max_size=30), OPS)
def test_a_pmap_changes_as_a_dict_would_and_its_past_stays(start: dict[Any, int], ops: list[Any]) -> None:
    pmap, model = PMap(start), dict(start)
    same(pmap, model)
    for op, key, value in ops:
        before, snapshot = pmap, dict(model)
        if op == "set":
            pmap = pmap.set(key, value)
            model[key] = value
        elif key in model:
            pmap = pmap.delete(key)
            del model[key]
        else:
            with pytest.raises(KeyError):
                pmap.delete(key)
            assert key not in pmap and pmap.get(key) is None and pmap.get(key, 7) == 7
        same(pmap, model)
        same(before, snapshot)


def test_many_keys_share_the_table() -> None:
    pmap = PMap({f"k{n}": n for n in range(20_000)})
    changed = pmap.set("k5", -5).delete("k6")
    assert len(pmap) == 20_000 and len(changed) == 19_999 and pmap["k5"] == 5 and changed["k5"] == -5
    shared = sum(a is b for a, b in zip(pmap._root, changed._root, strict=True))
    assert shared >= 62  # two of the 64 rows at most were copied
