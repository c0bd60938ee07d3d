"""Credentials and ``anthropic-version`` as the API checks them, from raw ASGI headers."""

from __future__ import annotations

import pytest
from anthropic_models_mock.model import keys_from_list
from anthropic_models_mock.model.errors import ApiError
from anthropic_models_mock.model.headers import check_headers
from hypothesis import given
from hypothesis import strategies as st


def raw(**headers: str) -> list[tuple[bytes, bytes]]:
    return [(name.replace("_", "-").encode(), value.encode("latin-1")) for name, value in headers.items()]


@pytest.mark.parametrize(
    "headers",
    [
        raw(x_api_key="good", anthropic_version="2023-06-01"),
        raw(x_api_key="good ", anthropic_version="2023-06-01\t"),  # whitespace around a value is not part of it
        raw(authorization="Bearer good", anthropic_version="2031-02-28"),
        raw(authorization="bearer  good  ", anthropic_version=" 2023-01-01"),
    ],
)
def test_accepted(headers: list[tuple[bytes, bytes]]) -> None:
    check_headers(headers, keys_from_list(["good"]))


@pytest.mark.parametrize(
    ("headers", "status", "fragment"),
    [
        (raw(anthropic_version="2023-06-01"), 401, "x-api-key header is required"),
        (raw(x_api_key="  ", anthropic_version="2023-06-01"), 401, "empty"),
        (raw(x_api_key="bad", anthropic_version="2023-06-01"), 401, "invalid x-api-key"),
        (raw(authorization="Basic good", anthropic_version="2023-06-01"), 401, "Bearer"),
        (raw(x_api_key="good"), 400, "anthropic-version: header is required"),
        (raw(x_api_key="good", anthropic_version="2023-02-30"), 400, "not a version"),
        (raw(x_api_key="good", anthropic_version="2023-6-1"), 400, "not a version"),
    ],
)
def test_refused(headers: list[tuple[bytes, bytes]], status: int, fragment: str) -> None:
    with pytest.raises(ApiError) as caught:
        check_headers(headers, keys_from_list(["good"]))
    assert caught.value.status == status
    assert fragment in caught.value.message


# Characters Python's str.strip() removes but that are part of a header value (only SP and HTAB are not).
NOT_BLANK = [chr(c) for c in range(256) if chr(c).isspace() and chr(c) not in " \t"]


@pytest.mark.parametrize("value", ["Bearer good\xa0", "Bearer \xa0good", "Bearer good\x85", "Bearer good\x0b"])
def test_unicode_whitespace_is_part_of_a_bearer_key(value: str) -> None:
    with pytest.raises(ApiError, match="invalid x-api-key"):
        check_headers(raw(authorization=value, anthropic_version="2023-06-01"), keys_from_list(["good"]))


keys = st.from_regex(r"[\x21-\x7e]{1,20}", fullmatch=True)


@given(
    key=keys,
    before=st.text(st.sampled_from(NOT_BLANK), max_size=2),
    after=st.text(st.sampled_from(NOT_BLANK), max_size=2),
    blanks=st.text(" \t", max_size=3),
)
def test_one_key_rule_for_both_headers(key: str, before: str, after: str, blanks: str) -> None:
    """Both headers accept the key with spaces and tabs around it, and nothing else around it."""
    sent = blanks + before + key + after + blanks
    outcomes = []
    for headers in (
        raw(x_api_key=sent, anthropic_version="2023-06-01"),
        raw(authorization="Bearer " + sent, anthropic_version="2023-06-01"),
    ):
        try:
            check_headers(headers, keys_from_list([key]))
            outcomes.append(True)
        except ApiError as exc:
            assert exc.status == 401
            outcomes.append(False)
    assert outcomes == [not (before or after)] * 2
