"""Credentials and ``anthropic-version`` as the API checks them, from raw ASGI headers."""

from __future__ import annotations

import pytest
from anthropic_models_mock.errors import ApiError
from anthropic_models_mock.headers import check_headers


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
    check_headers(headers, frozenset({"good"}))


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
        check_headers(headers, frozenset({"good"}))
    assert caught.value.status == status
    assert fragment in caught.value.message
