"""Query-string validation of the list and retrieve endpoints."""

from __future__ import annotations

import pytest
from anthropic_models_mock.model.errors import ApiError
from anthropic_models_mock.model.limits import DEFAULT_LIFECYCLES, LIMIT_DEFAULT, LIMIT_MAX, LIMIT_MIN
from anthropic_models_mock.model.params import ListParams, parse_list_params, parse_retrieve_params
from hypothesis import given
from hypothesis import strategies as st


def test_empty_query_gives_the_defaults() -> None:
    assert parse_list_params(b"") == ListParams(limit=LIMIT_DEFAULT, lifecycles=DEFAULT_LIFECYCLES)


@given(st.integers(LIMIT_MIN, LIMIT_MAX))
def test_every_limit_in_range_is_accepted(limit: int) -> None:
    assert parse_list_params(f"limit={limit}".encode()).limit == limit


@pytest.mark.parametrize(
    "raw",
    [
        "0",
        "1001",
        "-1",
        "abc",
        "1.5",
        "",
        "%20",
        "1e3",
        "١٢",
        "+",
        "99999999999999999999",
        "--5",
        "+-5",
        "-+5",
        "++5",
        "9" * 5000,
        "0" * 4400 + "5x",
    ],
)
def test_bad_limits_are_400s_naming_limit(raw: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_list_params(f"limit={raw}".encode())
    assert caught.value.status == 400
    assert caught.value.message.startswith("limit: ")
    assert len(caught.value.message) < 120, "the message quotes a long value only in part"


@pytest.mark.parametrize(("raw", "limit"), [("%2B5", 5), ("007", 7), ("0" * 4400 + "5", 5), ("1000", 1000)])
def test_an_integer_with_a_sign_or_leading_zeros_is_accepted(raw: str, limit: int) -> None:
    assert parse_list_params(f"limit={raw}".encode()).limit == limit


@pytest.mark.parametrize(
    "query",
    [
        "lifecycle[]=active&lifecycle[]=retired",
        "lifecycle=active&lifecycle=retired",
        "lifecycle=active,retired",
        "lifecycle=active%2Cretired",
    ],
)
def test_all_three_lifecycle_encodings(query: str) -> None:
    assert parse_list_params(query.encode()).lifecycles == {"active", "retired"}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("lifecycle=gone", "lifecycle: 'gone' is not one of"),
        ("lifecycle=", "lifecycle: '' is not one of"),
        ("lifecycle=active,", "lifecycle: '' is not one of"),
        ("lifecycle[]=active&lifecycle[]=retired&lifecycle[]=deprecated&lifecycle[]=active", "at most 3"),
        ("limit=2&limit=3", "limit: given 2 times"),
        ("after_id=", "after_id: must not be empty"),
        ("before_id=a&before_id=b", "before_id: given 2 times"),
        ("beta=yes", "beta: must be true or false"),
        ("colour=red", "colour: unknown query parameter"),
        ("after_id=%ff", "not valid UTF-8"),
    ],
)
def test_bad_list_queries(query: str, message: str) -> None:
    with pytest.raises(ApiError, match=message.replace("[", r"\[")) as caught:
        parse_list_params(query.encode())
    assert caught.value.status == 400


def test_cursors_beta_and_percent_decoding() -> None:
    params = parse_list_params(b"after_id=claude%2Dx&beta=true&limit=5")
    assert params == parse_list_params(b"after_id=claude%2Dx&beta=false&limit=5")  # beta changes nothing
    assert (params.after_id, params.before_id, params.limit) == ("claude-x", None, 5)


def test_retrieve_takes_only_beta() -> None:
    for query in (b"", b"beta=true", b"beta=false"):
        parse_retrieve_params(query)  # accepted
    with pytest.raises(ApiError, match="beta: must be true or false"):
        parse_retrieve_params(b"beta=1")
    with pytest.raises(ApiError, match="limit: unknown query parameter"):
        parse_retrieve_params(b"limit=3")
