"""Cursor pagination: walks in both directions, page bounds, the rendered envelope."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest
from anthropic_models_mock.catalog import Catalog, View
from anthropic_models_mock.catalog.pages import paginate, render_page
from anthropic_models_mock.model import served
from anthropic_models_mock.model.errors import ApiError
from anthropic_models_mock.model.limits import LIFECYCLES
from anthropic_models_testkit.strategies import catalogs
from hypothesis import given
from hypothesis import strategies as st

lifecycle_sets = st.sets(st.sampled_from(LIFECYCLES), min_size=1).map(frozenset)


def page(view: View, limit: int, **cursor: str | None) -> dict[str, Any]:
    envelope: dict[str, Any] = json.loads(render_page(view, paginate(view, limit, **cursor)))
    ids = [item["id"] for item in envelope["data"]]
    assert len(ids) <= limit
    assert envelope["first_id"] == (ids[0] if ids else None)
    assert envelope["last_id"] == (ids[-1] if ids else None)
    return envelope


def walk_forward(view: View, limit: int, after_id: str | None = None) -> list[str]:
    seen: list[str] = []
    while True:
        envelope = page(view, limit, after_id=after_id)
        seen += [item["id"] for item in envelope["data"]]
        if not envelope["has_more"]:
            return seen
        assert envelope["data"], "has_more with an empty page would loop forever"
        after_id = envelope["last_id"]


def walk_backward(view: View, limit: int, before_id: str) -> list[str]:
    pages: list[list[str]] = []
    while True:
        envelope = page(view, limit, before_id=before_id)
        pages.append([item["id"] for item in envelope["data"]])
        if not envelope["has_more"]:
            return [model_id for chunk in reversed(pages) for model_id in chunk]
        before_id = envelope["first_id"]


@given(catalogs(), lifecycle_sets, st.integers(1, 30), st.data())
def test_walks_from_any_cursor_cover_the_list_once_in_order(
    catalog: Catalog, lifecycles: frozenset[str], limit: int, data: st.DataObject
) -> None:
    view = catalog.view(lifecycles)
    ids = list(view.ids)
    assert walk_forward(view, limit) == ids
    if not ids:
        return
    k = data.draw(st.integers(0, len(ids) - 1), label="cursor position")
    assert walk_forward(view, limit, ids[k]) == ids[k + 1 :]
    assert walk_backward(view, limit, ids[k]) == ids[:k]


@given(catalogs(), st.integers(1, 30), st.data())
def test_single_pages_match_the_spec(catalog: Catalog, limit: int, data: st.DataObject) -> None:
    view = catalog.view(frozenset(LIFECYCLES))
    ids, size = list(view.ids), len(view.ids)
    first = page(view, limit)
    assert [m["id"] for m in first["data"]] == ids[:limit]
    assert first["has_more"] is (size > limit)
    if not ids:
        return
    p = data.draw(st.integers(0, size - 1))
    after = page(view, limit, after_id=ids[p])
    assert [m["id"] for m in after["data"]] == ids[p + 1 : p + 1 + limit]
    assert after["has_more"] is (p + 1 + limit < size)
    before = page(view, limit, before_id=ids[p])
    assert [m["id"] for m in before["data"]] == ids[max(0, p - limit) : p]
    assert before["has_more"] is (p - limit > 0)


@pytest.mark.parametrize("lifecycles", [{"retired"}, {"active", "deprecated"}, {"active"}, set(LIFECYCLES)])
def test_a_cursor_in_a_block_of_mixed_lifecycles_is_found_at_its_place_in_the_list(lifecycles: set[str]) -> None:
    # Alternating lifecycles, so the block holds listed and retired models side by side.
    day = 86_400
    models = [
        {
            "id": f"m-{n:03}",
            "display_name": f"M {n}",
            "created_at": f"{datetime.fromtimestamp(1_700_000_000 + n * day, timezone.utc):%Y-%m-%dT%H:%M:%SZ}",
            "lifecycle": LIFECYCLES[n % 3],
            "deprecated_at": None if n % 3 == 0 else "2025-01-01T00:00:00Z",
        }
        for n in range(60)
    ]
    listed = [m["id"] for m in reversed(models) if m["lifecycle"] in lifecycles]  # newest first
    view = Catalog(models).view(frozenset(lifecycles))
    for k, model_id in enumerate(listed):
        body = json.loads(render_page(view, paginate(view, 2, after_id=model_id)))
        assert [m["id"] for m in body["data"]] == listed[k + 1 : k + 3]
        assert (body["first_id"], body["last_id"]) == (
            (listed[k + 1], listed[min(k + 2, len(listed) - 1)]) if k + 1 < len(listed) else (None, None)
        )


def test_empty_view_renders_nulls() -> None:
    view = Catalog([]).view()
    assert json.loads(render_page(view, paginate(view, 20))) == {
        "data": [],
        "has_more": False,
        "first_id": None,
        "last_id": None,
    }


def test_page_bytes_embed_the_pre_serialised_models() -> None:
    catalog = Catalog.synthetic(30, 2)
    view = catalog.view()
    body = render_page(view, paginate(view, 3))
    assert json.loads(body)["data"] == [served(catalog.get(i)) for i in view.ids[:3]]  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["after_id", "before_id"])
def test_unknown_cursor_is_a_400_naming_the_parameter(name: str) -> None:
    view = Catalog.synthetic(10, 1).view()
    with pytest.raises(ApiError) as caught:
        paginate(view, 5, **{name: "claude-nope"})
    assert caught.value.status == 400
    assert caught.value.message.startswith(f"{name}: ")
    assert "claude-nope" in caught.value.message


def test_a_cursor_filtered_out_by_lifecycle_is_unknown() -> None:
    catalog = Catalog.synthetic(60, 3)
    retired = next(m["id"] for m in catalog if m["lifecycle"] == "retired")
    with pytest.raises(ApiError, match="after_id"):
        paginate(catalog.view(), 5, after_id=retired)
    assert paginate(catalog.view(frozenset({"retired"})), 5, after_id=retired).start >= 1


def test_both_cursors_together_are_a_400() -> None:
    view = Catalog.synthetic(10, 1).view(frozenset(LIFECYCLES))
    with pytest.raises(ApiError, match="after_id, before_id") as caught:
        paginate(view, 5, after_id=view.ids[1], before_id=view.ids[3])
    assert caught.value.status == 400


def test_page_cost_does_not_depend_on_position() -> None:
    """A cursor is an index lookup: a page near the end touches only its own items."""
    view = Catalog.synthetic(2000, 4).view(frozenset(LIFECYCLES))
    result = paginate(view, 7, after_id=view.ids[-10])
    assert (result.start, result.stop, result.has_more) == (len(view) - 9, len(view) - 2, True)


# -- the first page, kept once rendered ---------------------------------------------------------------
def test_a_kept_first_page_is_never_served_for_a_changed_catalog() -> None:
    from anthropic_models_mock import create_app
    from starlette.testclient import TestClient

    app = create_app(Catalog([{"id": "claude-a-1", "display_name": "A", "created_at": "2026-01-01T00:00:00Z"}]))
    client = TestClient(app)
    headers = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
    assert [m["id"] for m in client.get("/v1/models", headers=headers).json()["data"]] == ["claude-a-1"]
    app.mock.add_model({"id": "claude-b-1", "display_name": "B", "created_at": "2026-02-01T00:00:00Z"})
    assert [m["id"] for m in client.get("/v1/models", headers=headers).json()["data"]] == ["claude-b-1", "claude-a-1"]
    app.mock.reset()
    assert [m["id"] for m in client.get("/v1/models", headers=headers).json()["data"]] == ["claude-a-1"]


def test_a_first_page_and_a_model_are_kept_by_their_catalog_and_other_pages_are_not() -> None:
    from anthropic_models_mock import create_app
    from starlette.testclient import TestClient

    app = create_app(Catalog.synthetic(100, 3))
    client = TestClient(app)
    headers = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
    catalog, view = app.mock.catalog, app.mock.catalog.view()
    first = client.get("/v1/models?limit=20", headers=headers).content
    assert catalog.answers.get(b"limit=20") == first == render_page(view, paginate(view, 20))
    assert client.get(f"/v1/models?limit=20&after_id={view.ids[30]}", headers=headers).status_code == 200
    assert catalog.answers.get(f"limit=20&after_id={view.ids[30]}".encode()) is None  # a later page: not kept
    assert client.get("/v1/models?limit=0", headers=headers).status_code == 400
    assert catalog.answers.get(b"limit=0") is None  # nor an error
    one = client.get(f"/v1/models/{view.ids[5]}", headers=headers).content
    assert catalog.answers.get(view.ids[5]) == one == view.body(5)
    assert client.get("/v1/models/claude-nope", headers=headers).status_code == 404
    assert catalog.answers.get("claude-nope") is None


@given(st.lists(st.integers(0, 150), max_size=80))
def test_a_catalog_keeps_no_more_answers_than_its_bounds(sizes: list[int]) -> None:
    from anthropic_models_mock.catalog import views

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(views, "KEPT_ANSWERS", 5)
        patch.setattr(views, "KEPT_BYTES", 100)
        kept = Catalog([]).answers
        for n, size in enumerate(sizes):
            kept.keep(n, b"x" * size)
            held = [body for body in map(kept.get, range(n + 1)) if body is not None]
            assert len(held) <= 5 and sum(map(len, held)) <= 100
            assert (kept.get(n) is not None) == (size <= 100)  # the newest is kept, the oldest forgotten first
