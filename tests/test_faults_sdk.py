"""The official SDK's real retry logic, driven through the fake's faults (plugin fixtures)."""

from __future__ import annotations

import asyncio

import anthropic
import pytest
from anthropic_models_testkit.mock import AnthropicMock


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """What the SDK sleeps between retries, recorded instead of slept."""
    from anthropic import _base_client

    slept: list[float] = []
    monkeypatch.setattr(_base_client.time, "sleep", slept.append)
    return slept


def retry_counts(mock: AnthropicMock) -> list[str]:
    return [entry.headers.get("x-stainless-retry-count", "?") for entry in mock.requests]


@pytest.mark.parametrize("status", [429, 500, 529])
def test_sdk_retries_through_a_scripted_sequence(
    anthropic_mock: AnthropicMock, anthropic_client: anthropic.Anthropic, sleeps: list[float], status: int
) -> None:
    anthropic_mock.faults.sequence(status, status)
    assert anthropic_client.models.list(limit=3).data
    assert [entry.status for entry in anthropic_mock.requests] == [status, status, 200]
    assert retry_counts(anthropic_mock) == ["0", "1", "2"]
    assert len(sleeps) == 2


def test_retry_after_seconds_and_ms_are_honoured(
    anthropic_mock: AnthropicMock, anthropic_client: anthropic.Anthropic, sleeps: list[float]
) -> None:
    anthropic_mock.faults.add(429, retry_after=7)
    anthropic_mock.faults.add(429, retry_after_ms=1234)
    anthropic_client.models.list()
    assert sleeps == [7.0, 1.234]


def test_x_should_retry_overrides_the_sdk(
    anthropic_mock: AnthropicMock, anthropic_client: anthropic.Anthropic, sleeps: list[float]
) -> None:
    anthropic_mock.faults.add(500, should_retry=False)
    with pytest.raises(anthropic.InternalServerError):
        anthropic_client.models.list()
    assert len(anthropic_mock.requests) == 1
    anthropic_mock.reset()
    anthropic_mock.faults.add(400, should_retry=True, retry_after_ms=1)
    assert anthropic_client.models.list().data
    assert [entry.status for entry in anthropic_mock.requests] == [400, 200]


@pytest.mark.parametrize(
    ("status", "error"),
    # 0.x SDKs raise OverloadedError for a 529, 2.x InternalServerError: both are APIStatusErrors
    [(429, anthropic.RateLimitError), (529, anthropic.APIStatusError), (500, anthropic.InternalServerError)],
)
def test_sdk_gives_up_when_retries_run_out(
    anthropic_mock: AnthropicMock, sleeps: list[float], status: int, error: type[Exception]
) -> None:
    anthropic_mock.faults.add(status, times=None)
    with anthropic_mock.client(max_retries=3) as client, pytest.raises(error) as caught:
        client.models.retrieve("claude-sonnet-4-5")
    assert caught.value.status_code == status  # type: ignore[attr-defined]
    assert len(anthropic_mock.requests) == 4


def test_error_bodies_carry_the_right_type(
    anthropic_mock: AnthropicMock, anthropic_client: anthropic.Anthropic
) -> None:
    expected = {403: "permission_error", 413: "request_too_large", 401: "authentication_error", 404: "not_found_error"}
    for status, error_type in expected.items():
        anthropic_mock.faults.add(status)
        with pytest.raises(anthropic.APIStatusError) as caught:
            anthropic_client.models.list()
        assert caught.value.status_code == status
        assert caught.value.body["error"]["type"] == error_type  # type: ignore[index]
        assert caught.value.response.headers["request-id"].startswith("req_")


def test_faults_scoped_to_one_model(anthropic_mock: AnthropicMock, anthropic_client: anthropic.Anthropic) -> None:
    anthropic_mock.faults.add(404, times=None, route="retrieve", model_id="claude-haiku-4-5")
    with pytest.raises(anthropic.NotFoundError):
        anthropic_client.models.retrieve("claude-haiku-4-5")
    assert anthropic_client.models.retrieve("claude-sonnet-4-5").id == "claude-sonnet-4-5-20250929"


def test_latency_beyond_the_timeout(anthropic_mock: AnthropicMock) -> None:
    anthropic_mock.faults.set_latency(2.0)
    with anthropic_mock.client(timeout=0.2, max_retries=0) as client, pytest.raises(anthropic.APITimeoutError):
        client.models.list()


def test_latency_beyond_the_timeout_in_process(
    anthropic_mock: AnthropicMock,
    anthropic_asgi_client: anthropic.Anthropic,
    async_anthropic_asgi_client: anthropic.AsyncAnthropic,
) -> None:
    anthropic_mock.faults.set_latency(30.0)  # were the timeout ignored, this test would hang for a minute
    with pytest.raises(anthropic.APITimeoutError):
        anthropic_asgi_client.with_options(timeout=0.1, max_retries=0).models.list()

    async def call() -> None:
        await async_anthropic_asgi_client.with_options(timeout=0.1, max_retries=0).models.retrieve("claude-haiku-4-5")

    with pytest.raises(anthropic.APITimeoutError):
        asyncio.run(call())


@pytest.mark.parametrize("kind", ["disconnect", "truncate"])
def test_transport_faults_are_connection_errors(
    anthropic_mock: AnthropicMock, anthropic_client: anthropic.Anthropic, sleeps: list[float], kind: str
) -> None:
    anthropic_mock.faults.add(kind=kind, times=None)  # type: ignore[arg-type]
    with pytest.raises(anthropic.APIConnectionError):
        anthropic_client.models.list()
    assert len(anthropic_mock.requests) == 3  # the first try and the SDK's two retries
    anthropic_mock.faults.clear()
    assert anthropic_client.models.list().data


def test_malformed_body(anthropic_mock: AnthropicMock, anthropic_client: anthropic.Anthropic) -> None:
    anthropic_mock.faults.add(kind="malformed")
    with pytest.raises(ValueError, match=r"Unterminated|Expecting|EOF|JSON"):
        anthropic_client.models.list()


def test_transport_faults_in_process(anthropic_mock: AnthropicMock, anthropic_asgi_client: anthropic.Anthropic) -> None:
    anthropic_mock.faults.add(kind="disconnect")
    with anthropic_asgi_client.with_options(max_retries=0) as client, pytest.raises(anthropic.APIConnectionError):
        client.models.list()
