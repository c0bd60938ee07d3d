"""The public Hypothesis strategies: every draw is what it claims to be, checked by real validators."""

from __future__ import annotations

from typing import Any

import pytest
from anthropic import _models as sdk_models
from anthropic.types import ModelInfo
from anthropic_models_mock import Catalog, create_app
from anthropic_models_mock.rules import LIFECYCLES
from anthropic_models_testkit.contract import check_pages
from anthropic_models_testkit.strategies import (
    aliases,
    catalogs,
    invalid_list_params,
    list_pages,
    list_params,
    model_ids,
    model_infos,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from starlette.testclient import TestClient

CATALOG = Catalog.synthetic(60, 8)
CLIENT = TestClient(create_app(CATALOG))
HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
SEED_KEYS = {"id", "type", "display_name", "created_at", "lifecycle"}


@given(model_infos())
def test_every_model_info_validates_under_the_sdk(payload: dict[str, Any]) -> None:
    model = sdk_models.validate_type(type_=ModelInfo, value=payload)
    assert model.id == payload["id"]


@given(model_infos(full=False), model_infos(full=True))
def test_short_and_full_shapes(short: dict[str, Any], full: dict[str, Any]) -> None:
    assert set(short) == SEED_KEYS
    assert set(full) == SEED_KEYS | {
        "deprecated_at",
        "retires_at",
        "line",
        "max_input_tokens",
        "max_tokens",
        "capabilities",
    }


@given(st.from_type(ModelInfo))
def test_from_type_is_registered(model: ModelInfo) -> None:
    assert isinstance(model, ModelInfo)


@given(model_ids(), aliases())
def test_ids_and_aliases_are_url_safe(model_id: str, alias: str) -> None:
    assert "/" not in model_id and " " not in model_id
    assert alias.startswith("claude-")


@settings(max_examples=40)
@given(catalogs(min_size=1, max_size=15))
def test_catalogs_build_apps_that_serve_them(catalog: Catalog) -> None:
    client = TestClient(create_app(catalog))
    body = client.get("/v1/models?limit=1000&lifecycle=active,deprecated,retired", headers=HEADERS).json()
    assert [m["id"] for m in body["data"]] == [m["id"] for m in catalog]
    for alias, target in catalog.aliases.items():
        assert client.get(f"/v1/models/{alias}", headers=HEADERS).json()["id"] == target


@given(list_params(CATALOG))
def test_list_params_succeed(params: dict[str, Any]) -> None:
    response = CLIENT.get("/v1/models", params=params, headers=HEADERS)
    assert response.status_code == 200, response.text
    check_pages(response.json(), int(params.get("limit", 20)))


@given(invalid_list_params(CATALOG))
def test_invalid_list_params_fail_with_a_400(params: dict[str, Any]) -> None:
    response = CLIENT.get("/v1/models", params=params, headers=HEADERS)
    assert response.status_code == 400, (params, response.text)
    assert response.json()["error"]["type"] == "invalid_request_error"


@given(list_pages(CATALOG))
def test_list_pages_are_consistent_envelopes(page: dict[str, Any]) -> None:
    check_pages(page, max(1, len(page["data"])))
    for model in page["data"]:
        assert model == CATALOG.get(model["id"])
    if page["data"]:
        lifecycles = {m["lifecycle"] for m in page["data"]}
        assert lifecycles <= set(LIFECYCLES)


@pytest.mark.parametrize(
    "make",
    [
        lambda: model_infos(full="yes"),  # type: ignore[arg-type]
        lambda: catalogs(min_size=5, max_size=2),
        lambda: list_params("not a catalog"),  # type: ignore[arg-type]
        lambda: invalid_list_params([]),  # type: ignore[arg-type]
        lambda: list_pages(None),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_raise_invalid_argument(make: Any) -> None:
    with pytest.raises(InvalidArgument):
        make().example()
