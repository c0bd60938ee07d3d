"""The routing table's shortcut: a GET finds the API route the router would, with the same path parameters."""

from __future__ import annotations

from typing import Any

from anthropic_models_mock import Catalog, create_app
from anthropic_models_mock.http.routing import ApiRoute, Shortcut
from hypothesis import example, given
from hypothesis import strategies as st
from starlette.routing import Match

APP = create_app(Catalog([]))
ROUTES = [route for route in APP.routes if isinstance(route, ApiRoute)]
SHORTCUT = Shortcut(ROUTES)

segments = st.sampled_from(["v1", "models", "claude-a-1", "", "x%2Fy", "é", "v2", "model"]) | st.text(max_size=6)


def routed(path: str, root: str) -> tuple[Any, dict[str, Any]] | None:
    """The API route Starlette's router matches for a GET to ``root + path``, and its path parameters."""
    scope = {"type": "http", "method": "GET", "path": root + path, "root_path": root}
    for route in ROUTES:
        match, child = route.matches(scope)
        if match is Match.FULL:
            return route, child["path_params"]
    return None


@given(st.lists(segments, max_size=4), st.sampled_from(["", "/anthropic"]), st.booleans())
@example(["v1", "models"], "", False)
@example(["v1", "models", "claude-a-1"], "/anthropic", False)
@example(["v1", "models", ""], "", False)
@example(["v1", "models"], "", True)
def test_the_shortcut_finds_what_the_router_finds(parts: list[str], root: str, slash: bool) -> None:
    path = "/" + "/".join(parts) + ("/" if slash else "")
    scope: dict[str, Any] = {"type": "http", "method": "GET", "path": root + path, "root_path": root}
    found = SHORTCUT.route(scope)
    expected = routed(path, root)
    if expected is None:
        assert found is None
    else:
        assert found is expected[0] and scope["path_params"] == expected[1]


def test_both_api_routes_are_in_the_shortcut() -> None:
    assert sorted(route.name for route in ROUTES) == ["list", "retrieve"]
    for path, name in (("/v1/models", "list"), ("/v1/models/claude-a-1", "retrieve")):
        found = SHORTCUT.route({"type": "http", "method": "GET", "path": path})
        assert found is not None and found.name == name
