"""Changes at any size: a catalog changed step by step serves exactly what one built from scratch serves."""

from __future__ import annotations

from itertools import combinations
from typing import Any
from unittest.mock import patch

from anthropic_models_mock import Catalog, CatalogError
from anthropic_models_mock.catalog.pages import paginate, render_page
from anthropic_models_mock.model.limits import LIFECYCLES
from anthropic_models_mock.storage import blocks as store
from hypothesis import given, settings
from hypothesis import strategies as st

SUBSETS = [frozenset(c) for n in range(1, 4) for c in combinations(LIFECYCLES, n)]
DAYS = ["2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z", "2025-01-02T01:00:00+01:00", "2026-03-04T00:00:00Z"]


@st.composite
def entries(draw: st.DrawFn, ids: st.SearchStrategy[str]) -> dict[str, Any]:
    lifecycle = draw(st.sampled_from(LIFECYCLES))
    entry: dict[str, Any] = {
        "id": draw(ids),
        "display_name": draw(st.sampled_from(["A", "B", "Ünï"])),
        "created_at": draw(st.sampled_from(DAYS)),
        "lifecycle": lifecycle,
    }
    if lifecycle != "active":
        entry["deprecated_at"] = "2026-01-01T00:00:00Z"
    if draw(st.booleans()):
        entry["allowed_fallback_models"] = ["m-1"]
    return entry


IDS = st.sampled_from([f"m-{n}" for n in range(40)])
CHANGES = st.lists(
    st.one_of(
        st.tuples(st.just("add"), entries(IDS)),
        st.tuples(st.just("remove"), IDS),
        st.tuples(st.just("alias"), st.sampled_from(["a-1", "a-2", "a-3"]), st.one_of(st.none(), IDS)),
    ),
    max_size=40,
)


def served(catalog: Catalog) -> dict[Any, Any]:
    """Everything a client can see: every page of every view, every lookup."""
    seen: dict[Any, Any] = {}
    for lifecycles in SUBSETS:
        view = catalog.view(lifecycles)
        ids = list(view.ids)
        seen[lifecycles] = ids
        for limit in (1, 3, 1000):
            for cursor in [None, *ids]:
                page = paginate(view, limit, after_id=cursor)
                seen[lifecycles, limit, cursor] = render_page(view, page)
                if cursor is not None:
                    seen[lifecycles, limit, "before", cursor] = render_page(
                        view, paginate(view, limit, before_id=cursor)
                    )
    for name in [f"m-{n}" for n in range(40)] + ["a-1", "a-2", "a-3"]:
        seen[name] = (catalog.body(name), catalog.resolve(name), name in catalog)
    seen["aliases"] = dict(catalog.aliases)
    seen["len"] = len(catalog)
    return seen


@settings(max_examples=300)
@given(st.lists(entries(IDS), max_size=25, unique_by=lambda e: e["id"]), CHANGES)
def test_a_changed_catalog_serves_what_a_rebuilt_one_serves(start: list[dict[str, Any]], changes: list[Any]) -> None:
    # Tiny blocks and nodes: inserts split them, removals empty them, and the tree is several levels deep.
    with patch.object(store, "BLOCK", 2), patch.object(store, "FANOUT", 2):
        catalog = Catalog(start)
        models = {entry["id"]: entry for entry in start}
        aliases: dict[str, str] = {}
        for change in changes:
            if change[0] == "add":
                entry = change[1]
                catalog = catalog.with_model(entry)
                models[entry["id"]] = entry
                aliases.pop(entry["id"], None)
            elif change[0] == "remove":
                if change[1] not in models:
                    continue
                catalog = catalog.without_model(change[1])
                del models[change[1]]
                aliases = {alias: target for alias, target in aliases.items() if target != change[1]}
            else:
                _, alias, target = change
                if (target is None and alias not in aliases) or (target is not None and target not in models):
                    continue
                catalog = catalog.with_alias(alias, target)
                if target is None:
                    del aliases[alias]
                else:
                    aliases[alias] = target
        assert served(catalog) == served(Catalog(list(models.values()), aliases))


def test_the_catalog_a_change_was_made_from_is_unchanged() -> None:
    base = Catalog.synthetic(50, 2)
    before = served(base)
    first = base.view().ids[0]
    base.with_model({"id": "new-1", "display_name": "N", "created_at": "2030-01-01T00:00:00Z"})
    base.without_model(first)
    base.with_alias("zz", first)
    assert served(base) == before


def test_bad_changes_are_refused_and_say_why() -> None:
    catalog = Catalog.synthetic(10, 1)
    target = catalog.view().ids[0]
    for change, message in [
        (lambda: catalog.without_model("nope"), "no model with id 'nope' to remove"),
        (lambda: catalog.with_alias("zz", None), "no alias 'zz' to remove"),
        (lambda: catalog.with_alias("zz", "nope"), "points to 'nope', which is not a model"),
        (lambda: catalog.with_alias(target, target), f"alias shadows the model id {target!r}"),
        (lambda: catalog.with_model({"id": "x"}, where="add_model"), "add_model (id 'x'): display_name: required"),
    ]:
        try:
            change()
        except CatalogError as exc:
            assert message in str(exc)
        else:
            raise AssertionError(f"accepted: {message}")


def test_replacing_a_model_keeps_the_aliases_that_point_to_it() -> None:
    catalog = Catalog([{"id": "m-1", "display_name": "M", "created_at": "2025-01-01T00:00:00Z"}], {"a-1": "m-1"})
    replaced = catalog.with_model({"id": "m-1", "display_name": "N", "created_at": "2026-01-01T00:00:00Z"})
    assert dict(replaced.aliases) == {"a-1": "m-1"}
    assert replaced.get("a-1") == replaced.get("m-1") and (replaced.get("m-1") or {})["display_name"] == "N"


def test_a_catalog_is_freed_without_the_cycle_collector() -> None:
    import gc
    import weakref

    catalog = Catalog.synthetic(20, 1)
    catalog.view(frozenset({"retired"}))
    gone = weakref.ref(catalog)
    enabled = gc.isenabled()
    gc.disable()
    try:
        del catalog
        assert gone() is None  # views it caches hold no reference back to it
    finally:
        if enabled:
            gc.enable()


def test_a_synthetic_catalog_larger_than_its_id_space_still_ends() -> None:
    from anthropic_models_mock.catalog import synthetic

    with patch.object(synthetic, "_FAMILIES", [("opus", 1, 0)]):
        catalog = Catalog.synthetic(2000, 1)  # one family: 1,354 dated ids and one undated
    ids = list(catalog.view(frozenset(LIFECYCLES)).ids)
    assert len(ids) == len(set(ids)) == 2000


def parts(rows: store.Rows) -> tuple[set[int], int]:
    """The ids of every node and block of ``rows``' tree, and its depth; checks the tree's invariants on the way."""
    seen: set[int] = set()
    depths: set[int] = set()

    def walk(node: store.Block | store.Node, depth: int) -> tuple[int, int, int]:
        seen.add(id(node))
        if isinstance(node, store.Block):
            depths.add(depth)
            assert 0 < len(node) <= 2 * store.BLOCK and list(node.keys) == sorted(node.keys)
            return node.counts
        assert 0 < len(node.children) <= 2 * store.FANOUT or (depth == 0 and not node.children)
        assert node.bounds == [child.first for child in node.children] == sorted(node.bounds)
        counts = [walk(child, depth + 1) for child in node.children]
        assert node.counts == tuple(map(sum, zip(*counts, strict=True))) or not counts
        return node.counts

    walk(rows.root, 0)
    assert len(depths) <= 1, "every block at one depth"
    return seen, max(depths, default=0)


def test_a_change_copies_one_block_and_the_nodes_above_it_and_shares_the_rest() -> None:
    with patch.object(store, "BLOCK", 4), patch.object(store, "FANOUT", 3):
        catalog = Catalog(Catalog.synthetic(3000, 4).models)  # 750 blocks under a tree 6 levels deep
        before, depth = parts(catalog._rows)
        assert depth >= 5
        ids = list(catalog.view(frozenset(LIFECYCLES)).ids)
        new = {"id": "new-1", "display_name": "N", "created_at": "2025-06-01T00:00:00Z"}
        changed = [
            catalog.with_model(new),
            catalog.with_model({**new, "id": ids[1500]}),
            catalog.without_model(ids[0]),
            catalog.without_model(ids[-1]),
        ]
        for catalog_after in changed:
            after, _ = parts(catalog_after._rows)
            # the path (one block and a node per level), and at most one split or merge per level
            assert len(after - before) <= 2 * (depth + 1), len(after - before)


def test_the_tree_shrinks_to_nothing_and_grows_again() -> None:
    with patch.object(store, "BLOCK", 2), patch.object(store, "FANOUT", 2):
        catalog = Catalog(Catalog.synthetic(40, 9).models)
        for model_id in list(catalog.view(frozenset(LIFECYCLES)).ids):
            catalog = catalog.without_model(model_id)
            parts(catalog._rows)
        assert len(catalog) == 0 and list(catalog.view().ids) == [] and catalog.view().joined(0, 0) == b""
        for n in range(9):
            catalog = catalog.with_model(
                {"id": f"m-{n}", "display_name": "M", "created_at": f"2025-01-0{n + 1}T00:00:00Z"}
            )
            parts(catalog._rows)
        assert list(catalog.view().ids) == [f"m-{n}" for n in reversed(range(9))]


ROWS = st.lists(
    st.tuples(
        st.integers(0, 30),  # the key's moment, many ties
        st.sampled_from(["a", "b", "c", "d", "e"]),
        st.integers(0, 2),  # profile
        st.integers(0, 2),  # lifecycle code
        st.sampled_from([b"null", b'["m-1"]']),  # allowed_fallback_models
    ),
    min_size=1,
    max_size=12,
    unique_by=lambda t: (t[0], t[1]),
)
TAILS = [b',"capabilities":null}', b',"capabilities":{"x":1}}', b',"capabilities":{"y":"\xc3\xbc"}}']


def row_of(t: tuple[Any, ...]) -> store.Row:
    key = (float(-t[0]), t[1])
    head = b'{"id":"%s-%d","lifecycle":%d,"allowed_fallback_models":%s' % (t[1].encode(), t[0], t[3], t[4])
    return (key, head, t[2], t[3])


def same_block(a: store.Block, b: store.Block) -> None:
    for field in ("keys", "first", "lifecycles", "counts", "split", "blob"):
        assert getattr(a, field) == getattr(b, field), field
    for field in ("profiles", "place", "heads", "offsets"):
        assert list(getattr(a, field)) == list(getattr(b, field)), field


@given(ROWS, st.data())
def test_a_block_spliced_is_the_block_built_from_its_rows(raw: list[tuple[Any, ...]], data: st.DataObject) -> None:
    rows = sorted(map(row_of, raw), key=lambda row: row[0])
    n = data.draw(st.integers(0, len(rows) - 1))
    if len(rows) > 1:  # insert row n into a block of the others
        others = store.Block(rows[:n] + rows[n + 1 :], TAILS)
        same_block(others.inserted(rows[n], TAILS), store.Block(rows, TAILS))
    full = store.Block(rows, TAILS)
    cut = full.without(n)
    if len(rows) == 1:
        assert cut is None
    else:
        assert cut is not None
        same_block(cut, store.Block(rows[:n] + rows[n + 1 :], TAILS))


def test_a_model_added_then_removed_leaves_nothing_behind() -> None:
    base = Catalog.synthetic(5, 1)
    catalog = base
    for n in range(50):
        catalog = catalog.with_model({"id": f"new-{n}", "display_name": "N", "created_at": "2025-01-01T00:00:00Z"})
        catalog = catalog.without_model(f"new-{n}")
    assert len(catalog._delta) == 0  # the ids changed since the index was made: none
    assert served(catalog) == served(base)


@given(
    st.lists(st.tuples(st.sampled_from([-3.0, -2.0, -1.0, 0.0]), st.sampled_from("abcde")), unique=True, max_size=12),
    st.tuples(st.sampled_from([-3.5, -3.0, -2.0, -1.5, 0.0, 1.0]), st.sampled_from("_abcdef")),
)
def test_a_node_finds_its_child_as_a_bisection_of_its_first_keys(firsts: list[tuple[float, str]], key: Any) -> None:
    """Many children start at one moment (a day's models): the moments narrow the search, the keys finish it."""
    from bisect import bisect_right

    class Child:
        def __init__(self, first: tuple[float, str]) -> None:
            self.first, self.counts = first, (1, 0, 0)

    node = store.Node([Child(first) for first in sorted(firsts)])  # type: ignore[list-item]
    assert node.child(key) == bisect_right(sorted(firsts), key) - 1
