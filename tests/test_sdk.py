"""End to end over a real socket with the official ``anthropic`` SDK, unchanged.

Runs against whichever SDK is installed: the current 2.x release (``httpx2``,
Bearer auth, ``lifecycle``) and, in CI's compatibility step, an older 0.x one.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import anthropic
import pytest
import pytest_asyncio
from anthropic_models_mock import Catalog, create_app
from anthropic_models_mock.http.server import BackgroundServer
from anthropic_models_mock.model.limits import DEFAULT_LIFECYCLES, LIFECYCLES

KEY = "sdk-test-key"
CATALOG = Catalog.synthetic(95, 2)
DEFAULT_IDS = list(CATALOG.view(DEFAULT_LIFECYCLES).ids)
ALL_IDS = list(CATALOG.view(frozenset(LIFECYCLES)).ids)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with BackgroundServer(create_app(CATALOG, api_keys=[KEY])) as server:
        yield server.url


@pytest.fixture(params=[False, True], ids=["loose", "strict"])
def client(request: pytest.FixtureRequest, base_url: str) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(
        base_url=base_url, auth_token=KEY, max_retries=0, _strict_response_validation=request.param
    ) as sdk:
        yield sdk


@pytest_asyncio.fixture(params=[False, True], ids=["loose", "strict"])
async def async_client(request: pytest.FixtureRequest, base_url: str) -> Any:
    async with anthropic.AsyncAnthropic(
        base_url=base_url, auth_token=KEY, max_retries=0, _strict_response_validation=request.param
    ) as sdk:
        yield sdk


def test_auto_pagination_forward(client: anthropic.Anthropic) -> None:
    assert [m.id for m in client.models.list(limit=7)] == DEFAULT_IDS


def test_auto_pagination_backward(client: anthropic.Anthropic) -> None:
    k = len(DEFAULT_IDS) - 3
    pages = [[m.id for m in page.data] for page in client.models.list(limit=7, before_id=DEFAULT_IDS[k]).iter_pages()]
    assert all(len(page) <= 7 for page in pages)
    assert [model_id for page in reversed(pages) for model_id in page] == DEFAULT_IDS[:k]


def test_after_id_page(client: anthropic.Anthropic) -> None:
    page = client.models.list(limit=5, after_id=DEFAULT_IDS[10])
    assert [m.id for m in page.data] == DEFAULT_IDS[11:16]
    assert (page.has_more, page.first_id, page.last_id) == (True, DEFAULT_IDS[11], DEFAULT_IDS[15])


def test_lifecycle_filter(client: anthropic.Anthropic) -> None:
    if "lifecycle" in inspect.signature(client.models.list).parameters:
        listed = client.models.list(limit=100, lifecycle=["active", "deprecated", "retired"])
    else:  # an SDK from before the filter: its own array encoding (brackets or repeat)
        listed = client.models.list(limit=100, extra_query={"lifecycle": ["active", "deprecated", "retired"]})
    assert [m.id for m in listed] == ALL_IDS


def test_retrieve_by_alias_and_retired(client: anthropic.Anthropic) -> None:
    alias, target = next(iter(CATALOG.aliases.items()))
    model = client.models.retrieve(alias)
    assert model.id == target
    assert model.display_name == CATALOG.get(target)["display_name"]  # type: ignore[index]
    retired = next(m for m in CATALOG if m["lifecycle"] == "retired")
    assert client.models.retrieve(retired["id"]).id == retired["id"]


def test_full_model_info_round_trips(client: anthropic.Anthropic) -> None:
    model = client.models.retrieve(DEFAULT_IDS[0])
    assert model.model_dump(mode="json", exclude_none=False)["id"] == DEFAULT_IDS[0]
    assert model.type == "model"
    if hasattr(model, "capabilities"):
        assert model.capabilities is not None


def test_beta_models(client: anthropic.Anthropic) -> None:
    assert [m.id for m in client.beta.models.list(limit=50)] == DEFAULT_IDS
    assert client.beta.models.retrieve(DEFAULT_IDS[3]).id == DEFAULT_IDS[3]


def test_not_found(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.NotFoundError) as caught:
        client.models.retrieve("claude-does-not-exist")
    assert caught.value.status_code == 404
    assert caught.value.body["error"]["type"] == "not_found_error"  # type: ignore[index]
    assert caught.value.response.headers["request-id"].startswith("req_")


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 1001}, {"after_id": "nope"}, {"before_id": "nope"}])
def test_bad_request(client: anthropic.Anthropic, params: dict[str, Any]) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.models.list(**params)
    assert caught.value.body["error"]["type"] == "invalid_request_error"  # type: ignore[index]
    assert next(iter(params)) in caught.value.message


def test_x_api_key_auth(base_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    with anthropic.Anthropic(base_url=base_url, api_key=KEY) as probe:
        native = "X-Api-Key" in probe.auth_headers  # 0.x sends x-api-key; 2.x sends Bearer
    options: dict[str, Any] = {"api_key": KEY} if native else {"default_headers": {"x-api-key": KEY}}
    with anthropic.Anthropic(base_url=base_url, max_retries=0, **options) as sdk:
        raw = sdk.models.with_raw_response.retrieve(DEFAULT_IDS[0])
    assert raw.http_request.headers["x-api-key"] == KEY
    assert "authorization" not in raw.http_request.headers
    assert raw.parse().id == DEFAULT_IDS[0]


def test_api_key_argument_and_wrong_key(base_url: str) -> None:
    with anthropic.Anthropic(base_url=base_url, api_key=KEY, max_retries=0) as sdk:
        assert sdk.models.retrieve(DEFAULT_IDS[0]).id == DEFAULT_IDS[0]
    with (
        anthropic.Anthropic(base_url=base_url, api_key="wrong", max_retries=0) as sdk,
        pytest.raises(anthropic.AuthenticationError),
    ):
        sdk.models.list()


@pytest.mark.asyncio
async def test_async_pagination_both_ways(async_client: anthropic.AsyncAnthropic) -> None:
    assert [m.id async for m in async_client.models.list(limit=9)] == DEFAULT_IDS
    first = await async_client.models.list(limit=9, before_id=DEFAULT_IDS[-2])
    pages = [[m.id for m in page.data] async for page in first.iter_pages()]
    assert [model_id for page in reversed(pages) for model_id in page] == DEFAULT_IDS[:-2]


@pytest.mark.asyncio
async def test_async_retrieve_and_errors(async_client: anthropic.AsyncAnthropic) -> None:
    alias, target = next(iter(CATALOG.aliases.items()))
    assert (await async_client.models.retrieve(alias)).id == target
    with pytest.raises(anthropic.NotFoundError):
        await async_client.models.retrieve("claude-nope")
    with pytest.raises(anthropic.BadRequestError):
        await async_client.models.list(limit=0)


@pytest.fixture(scope="module")
def shipped_url() -> Iterator[str]:
    with BackgroundServer(create_app(api_keys=[KEY])) as server:  # the embedded catalog
        yield server.url


def test_every_shipped_model_validates_strictly_plain_and_beta(shipped_url: str) -> None:
    """Every model of data/models.json, through client.models and client.beta.models, strict."""
    every = Catalog.default()
    expected = [model["id"] for model in every]
    with anthropic.Anthropic(base_url=shipped_url, auth_token=KEY, _strict_response_validation=True) as client:
        listing = {"limit": 1000}
        if "lifecycle" in inspect.signature(client.models.list).parameters:
            listing["lifecycle"] = list(LIFECYCLES)  # type: ignore[assignment]
            assert [m.id for m in client.models.list(**listing)] == expected  # type: ignore[arg-type]
            assert [m.id for m in client.beta.models.list(**listing)] == expected  # type: ignore[arg-type]
        for model_id in expected:  # retrieve works for every lifecycle, in every SDK
            assert client.models.retrieve(model_id).id == model_id
            assert client.beta.models.retrieve(model_id).id == model_id


def test_one_shape_on_the_wire_with_beta_true_or_not(shipped_url: str) -> None:
    import httpx

    headers = {"x-api-key": KEY, "anthropic-version": "2023-06-01"}
    plain = httpx.get(f"{shipped_url}/v1/models/claude-opus-4-6", headers=headers)
    beta = httpx.get(f"{shipped_url}/v1/models/claude-opus-4-6?beta=true", headers=headers)
    assert plain.content == beta.content
    every_key = ["type", "id", "display_name", "created_at", "lifecycle", "deprecated_at", "retires_at", "line"]
    every_key += ["max_input_tokens", "max_tokens", "allowed_fallback_models", "capabilities"]
    assert list(plain.json()) == every_key
    assert "compaction" in plain.json()["capabilities"]


#: Python SDKs before 2.3 send ``beta=true`` for ``client.beta.models``; from 2.3 on they send the plain request.
SENDS_BETA = tuple(int(part) for part in anthropic.__version__.split(".")[:2]) < (2, 3)
FALLBACKS = ["claude-x-1"]
COMPACTION = {"supported": True, "summarize": {"supported": False}}


def test_the_beta_client_sees_the_beta_keys() -> None:
    """``client.beta.models`` sees ``allowed_fallback_models`` and ``capabilities.compaction`` in strict
    validation, whether its SDK sends ``beta=true`` (Python before 2.3) or not (since)."""
    from anthropic.types.beta import BetaModelInfo

    if "allowed_fallback_models" not in BetaModelInfo.model_fields:
        pytest.skip(f"anthropic {anthropic.__version__}'s BetaModelInfo has no allowed_fallback_models")
    shipped = Catalog.default().get("claude-opus-4-6")
    assert shipped is not None and shipped["capabilities"] is not None
    newer = {"id": "claude-x-2", "display_name": "X 2", "created_at": "2026-01-01T00:00:00Z"}
    newer |= {
        "allowed_fallback_models": FALLBACKS,
        "capabilities": {**shipped["capabilities"], "compaction": COMPACTION},
    }
    older = {"id": "claude-x-1", "display_name": "X 1", "created_at": "2025-01-01T00:00:00Z"}
    queries: list[str] = []
    hooks = {"request": [lambda request: queries.append(request.url.query.decode())]}
    with (
        BackgroundServer(create_app(Catalog([newer, older]), api_keys=[KEY])) as server,
        anthropic.DefaultHttpxClient(event_hooks=hooks) as http,
        anthropic.Anthropic(
            base_url=server.url, auth_token=KEY, http_client=http, _strict_response_validation=True
        ) as client,
    ):
        for model in (client.beta.models.retrieve("claude-x-2"), next(iter(client.beta.models.list(limit=1)))):
            assert {"allowed_fallback_models", "capabilities"} <= model.model_fields_set
            assert model.allowed_fallback_models == FALLBACKS
            assert model.capabilities is not None
            compaction = model.capabilities.compaction  # an extra key (a dict) where the SDK does not declare it
            assert (compaction if isinstance(compaction, dict) else compaction.model_dump()) == COMPACTION
    assert len(queries) == 2 and all(("beta=true" in query) == SENDS_BETA for query in queries), queries
