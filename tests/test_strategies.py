"""The public Hypothesis strategies: every draw is what it claims to be, checked by real validators."""

from __future__ import annotations

from typing import Any

import pytest
from anthropic import _models as sdk_models
from anthropic.types import ModelInfo
from anthropic.types.beta import BetaModelInfo
from anthropic_models_mock import Catalog, CatalogError, create_app
from anthropic_models_mock.model.limits import LIFECYCLES
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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from starlette.testclient import TestClient

CATALOG = Catalog.synthetic(60, 8)
CLIENT = TestClient(create_app(CATALOG))
HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
SEED_KEYS = {"id", "type", "display_name", "created_at", "lifecycle"}


@given(model_infos())
def test_every_model_info_validates_under_the_sdk_as_both_types(payload: dict[str, Any]) -> None:
    plain = sdk_models.validate_type(type_=ModelInfo, value=payload)
    beta = sdk_models.validate_type(type_=BetaModelInfo, value=payload)
    assert plain.id == beta.id == payload["id"]
    assert "allowed_fallback_models" in beta.model_fields_set  # what client.beta.models sees
    assert (plain.model_extra or {}).get("allowed_fallback_models") == payload["allowed_fallback_models"]


@given(model_infos())
def test_every_payload_carries_every_key_of_the_one_shape(payload: dict[str, Any]) -> None:
    assert list(payload)[-2:] == ["allowed_fallback_models", "capabilities"]
    if payload["capabilities"] is not None:  # "keys are always present for all known capabilities"
        assert set(payload["capabilities"]) == {
            *("batch", "citations", "code_execution", "compaction", "context_management", "effort"),
            *("image_input", "pdf_input", "server_tools", "structured_outputs", "thinking"),
        }
        assert set(payload["capabilities"]["effort"]) == {"supported", "low", "medium", "high", "max", "xhigh"}


@given(st.from_type(BetaModelInfo), st.from_type(ModelInfo))
def test_from_type_is_registered_for_both_types(beta: BetaModelInfo, plain: ModelInfo) -> None:
    assert isinstance(beta, BetaModelInfo) and "allowed_fallback_models" in beta.model_fields_set
    assert isinstance(plain, ModelInfo) and "allowed_fallback_models" in (plain.model_extra or {})


@given(model_infos(full=False), model_infos(full=True))
def test_short_and_full_shapes(short: dict[str, Any], full: dict[str, Any]) -> None:
    assert set(short) - {"deprecated_at"} == SEED_KEYS
    assert ("deprecated_at" in short) == (short["lifecycle"] != "active")
    assert list(full) == [
        "type",
        "id",
        "display_name",
        "created_at",
        "lifecycle",
        "deprecated_at",
        "retires_at",
        "line",
        "max_input_tokens",
        "max_tokens",
        "allowed_fallback_models",
        "capabilities",
    ]


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
    ("make", "named"),
    [
        (lambda: catalogs(min_size="a"), "min_size='a'"),  # type: ignore[arg-type]
        (lambda: catalogs(min_size=-1), "min_size=-1"),
        (lambda: catalogs(min_size=True), "min_size=True"),
        (lambda: catalogs(min_size=None), "min_size=None"),  # type: ignore[arg-type]
        (lambda: catalogs(max_size=2.5), "max_size=2.5"),  # type: ignore[arg-type]
        (lambda: catalogs(max_size=False), "max_size=False"),
        (lambda: catalogs(min_size=5, max_size=2), "max_size=2 < min_size=5"),
        (lambda: catalogs(full="yes"), "full='yes'"),  # type: ignore[arg-type]
        (lambda: model_infos(full=1), "full=1"),  # type: ignore[arg-type]
        (lambda: model_infos(ids="abc"), "ids='abc'"),  # type: ignore[arg-type]
        (lambda: model_infos(ids=["claude-opus-4-5"]), "ids=['claude-opus-4-5']"),  # type: ignore[arg-type]
        (lambda: list_params("not a catalog"), "catalog='not a catalog'"),  # type: ignore[arg-type]
        (lambda: invalid_list_params([]), "catalog=[]"),  # type: ignore[arg-type]
        (lambda: list_pages(None), "catalog=None"),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_raise_invalid_argument_at_call_time(make: Any, named: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        make()  # no draw: the strategy is never used
    assert named in str(info.value)


@given(
    st.one_of(st.integers(max_value=-1), st.booleans(), st.floats(), st.text()),
    st.sampled_from(["min_size", "max_size"]),
)
def test_a_size_is_a_non_negative_int_not_a_bool(value: Any, name: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        catalogs(**{name: value})
    assert f"{name}={value!r}" in str(info.value)


@given(st.integers(0, 40), st.none() | st.integers(0, 40))
def test_catalogs_accept_exactly_the_ordered_bounds(min_size: int, max_size: int | None) -> None:
    if max_size is not None and max_size < min_size:
        with pytest.raises(InvalidArgument, match=f"max_size={max_size} < min_size={min_size}"):
            catalogs(min_size=min_size, max_size=max_size)
    else:
        catalogs(min_size=min_size, max_size=max_size)


# Like st.lists(min_size=26), these average 52 models: large on purpose, so too_slow is not the point here.
@settings(max_examples=5, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_catalogs_without_an_upper_bound(data: st.DataObject) -> None:
    catalog = data.draw(catalogs(min_size=26, max_size=None))  # past the default max_size of 25
    assert len(catalog) >= 26


# A model id is 1-256 characters of [A-Za-z0-9._:@-], the first a letter or digit.
BAD_IDS = ["", "a b", "a/b", "-lead", ".lead", "x" * 257, "caf\u00e9", "tab\tid", "q?x=1"]


@given(st.data(), st.one_of(model_ids(), st.sampled_from([*BAD_IDS, "x" * 256, "A_b.c:d@e-f"]), st.text(max_size=20)))
def test_model_infos_take_model_ids_and_refuse_anything_else(data: st.DataObject, model_id: str) -> None:
    strategy = model_infos(ids=st.just(model_id))  # accepted: the value is only known at draw time
    payload = {"id": model_id, "display_name": "x", "created_at": "2025-01-01T00:00:00Z"}
    try:
        Catalog([payload])
    except CatalogError:
        with pytest.raises(InvalidArgument, match="not a model id") as info:
            data.draw(strategy)
        assert repr(model_id) in str(info.value)
    else:
        drawn = data.draw(strategy)
        assert drawn["id"] == model_id
        assert model_id in Catalog([drawn])  # a payload the fake serves


@settings(max_examples=30)
@given(catalogs(min_size=20, max_size=25))
def test_large_catalogs_pass_the_health_checks(catalog: Catalog) -> None:
    # Default health checks: too_slow, filter_too_much and data_too_large must not fire.
    assert 20 <= len(catalog) <= 25
    assert len({model["id"] for model in catalog}) == len(catalog)
