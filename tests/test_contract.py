"""The reusable contract suite, run against the fake (and the real API with --anthropic-live)."""

from __future__ import annotations

import pytest
from anthropic_models_mock import Catalog, create_app
from anthropic_models_mock.http.server import BackgroundServer
from anthropic_models_testkit.contract import (
    ModelsApi,
    check_aliases,
    check_backward_walk,
    check_errors,
    check_forward_walk,
    check_shapes,
    pagination_machine,
)
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from starlette.types import Receive, Scope, Send

PUBLIC_ALIASES = {"claude-sonnet-4-5": "claude-sonnet-4-5-20250929", "claude-haiku-4-5": "claude-haiku-4-5-20251001"}


@pytest.mark.parametrize("limit", [1, 7, 20])
def test_walks(anthropic_api: ModelsApi, limit: int) -> None:
    ids = check_forward_walk(anthropic_api, limit=limit)
    assert ids == anthropic_api.ids()
    check_backward_walk(anthropic_api, ids, limit=limit)


def test_every_key_with_beta_true_or_not(anthropic_api: ModelsApi) -> None:
    check_shapes(anthropic_api)


def test_public_aliases_and_errors(anthropic_api: ModelsApi) -> None:
    check_aliases(anthropic_api, PUBLIC_ALIASES, anthropic_api.ids())
    check_errors(anthropic_api)


def test_random_paging_never_loses_or_repeats(anthropic_api: ModelsApi) -> None:
    run_state_machine_as_test(
        pagination_machine(anthropic_api),
        settings=settings(
            max_examples=20, stateful_step_count=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
        ),
    )


@pytest.mark.anthropic_models(synthetic=150, seed=9)
def test_walks_over_a_synthetic_catalog(anthropic_api: ModelsApi) -> None:
    catalog = Catalog.synthetic(150, 9)
    ids = check_forward_walk(anthropic_api, limit=9)
    assert ids == list(catalog.view().ids)
    check_backward_walk(anthropic_api, ids, limit=9)
    check_aliases(anthropic_api, catalog.aliases, ids)


@pytest.mark.anthropic_models(
    keys={"keys": {"test-key": {"models": ["claude-opus-*", "claude-sonnet-4-5-*"], "workspaces": ["wrkspc_a"]}}}
)
def test_the_suite_checks_what_the_key_sees(anthropic_api: ModelsApi) -> None:
    ids = check_forward_walk(anthropic_api, limit=3)
    assert ids and all(i.startswith(("claude-opus-", "claude-sonnet-4-5-")) for i in ids)
    check_backward_walk(anthropic_api, ids, limit=3)
    check_shapes(anthropic_api)
    check_aliases(anthropic_api, Catalog.default().aliases, ids)  # haiku's alias: a 404 for this key
    check_errors(anthropic_api)


def test_the_suite_catches_a_server_that_resolves_an_alias_outside_the_key_s_view() -> None:
    keyed, full = create_app(keys={"keys": {"k": {"models": ["claude-opus-*"]}}}), create_app()

    async def leaky(scope: Scope, receive: Receive, send: Send) -> None:
        """Lists what the key sees, but retrieves from the whole catalog."""
        retrieve = scope["type"] == "http" and scope["path"].startswith("/v1/models/")
        await (full if retrieve else keyed)(scope, receive, send)

    with BackgroundServer(keyed) as server, ModelsApi(server.url, "k") as api:
        check_aliases(api, PUBLIC_ALIASES, [])
    with (
        BackgroundServer(leaky) as server,
        ModelsApi(server.url, "k") as api,
        pytest.raises(AssertionError, match="which the key cannot see: 200, expected 404"),
    ):
        check_aliases(api, PUBLIC_ALIASES, [])


def test_the_suite_catches_a_broken_server() -> None:
    """The checks can fail: a server that ignores ``after_id`` repeats the first page."""
    app = create_app(Catalog.synthetic(40, 1))

    async def ignores_after_id(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = "&".join(p for p in scope["query_string"].decode().split("&") if not p.startswith("after_id="))
            scope = {**scope, "query_string": query.encode()}
        await app(scope, receive, send)

    with (
        BackgroundServer(ignores_after_id) as server,
        ModelsApi(server.url, "k") as api,
        pytest.raises(AssertionError, match="a forward walk repeated"),
    ):
        check_forward_walk(api, limit=5)
