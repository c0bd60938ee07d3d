"""Fault rules: scripting, scoping, rates and latency from a seeded RNG, headers, validation."""

from __future__ import annotations

import pytest
from anthropic_models_mock.runtime.faults import Fault, Faults


def statuses(faults: Faults, n: int, route: str | None = "list", model_id: str | None = None) -> list[int | None]:
    taken = [faults.take(route, model_id) for _ in range(n)]  # type: ignore[arg-type]
    return [None if fault is None else fault.status for fault in taken]


def test_sequence_then_success() -> None:
    faults = Faults()
    faults.sequence(429, 429, 529)
    assert faults.active
    assert statuses(faults, 5) == [429, 429, 529, None, None]
    assert not faults.active


def test_times_and_forever() -> None:
    faults = Faults()
    faults.add(500, times=2)
    faults.add(503, times=None)
    assert statuses(faults, 4) == [500, 500, 503, 503]


def test_scoped_by_route_and_model() -> None:
    faults = Faults()
    faults.add(404, route="retrieve", model_id="claude-a")
    faults.add(413, route="list")
    assert statuses(faults, 1, "retrieve", "claude-b") == [None]
    assert statuses(faults, 1, "list") == [413]
    assert statuses(faults, 2, "retrieve", "claude-a") == [404, None]


def test_fail_rate_is_seeded() -> None:
    def run(seed: int) -> list[int | None]:
        faults = Faults(seed=seed)
        faults.set_fail_rate(0.3, status=529)
        return statuses(faults, 200)

    first = run(1)
    assert first == run(1)
    assert first != run(2)
    assert 30 < first.count(529) < 90
    faults = Faults()
    faults.set_fail_rate(1.0, route="retrieve")
    assert statuses(faults, 2, "list") == [None, None]
    assert statuses(faults, 2, "retrieve") == [500, 500]


def test_clear_restarts_the_random_sequence() -> None:
    faults = Faults(seed=5)
    faults.set_fail_rate(0.5)
    before = statuses(faults, 50)
    faults.clear()
    assert statuses(faults, 3) == [None, None, None]
    faults.set_fail_rate(0.5)
    assert statuses(faults, 50) == before


def test_latency_fixed_jittered_and_per_route() -> None:
    faults = Faults(seed=3)
    faults.set_latency(0.25)
    assert faults.delay("list") == 0.25
    faults.set_latency(0.1, jitter=0.2, route="retrieve")
    delays = [faults.delay("retrieve") for _ in range(50)]
    assert all(0.1 <= d <= 0.3 for d in delays) and len(set(delays)) > 1
    again = Faults(seed=3)
    again.set_latency(0.1, jitter=0.2, route="retrieve")
    assert [again.delay("retrieve") for _ in range(50)] == delays
    assert faults.delay("list") == 0.25
    faults.set_latency(0, route=None)
    assert faults.delay("list") == 0.0


def test_rate_limit_headers() -> None:
    fault = Fault(429, retry_after=2, retry_after_ms=1500, should_retry=True)
    assert fault.response_headers() == {
        "retry-after": "2",
        "retry-after-ms": "1500",
        "x-should-retry": "true",
        "anthropic-ratelimit-requests-limit": "50",
        "anthropic-ratelimit-requests-remaining": "0",
    }
    assert Fault(500, should_retry=False).response_headers() == {"x-should-retry": "false"}
    assert "rate limit error" in Fault(429).error_message()
    assert Fault(529, message="busy").error_message() == "busy"


def test_a_429_always_says_when_to_come_back() -> None:
    assert Fault(429).response_headers()["retry-after"] == "1"
    assert Fault(429, retry_after_ms=2500).response_headers()["retry-after"] == "3"
    assert Fault(429, retry_after=0).response_headers()["retry-after"] == "0"
    assert Fault(429, headers={"Retry-After": "7"}).response_headers()["retry-after"] == "7"
    assert "retry-after" not in Fault(529).response_headers()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"status": 200}, "status: expected a whole number from 400 to 599, got 200"),
        ({"status": 429.0}, "status: expected a whole number"),
        ({"status": True}, "status: expected a whole number"),
        ({"kind": "explode"}, "kind: must be one of"),
        ({"retry_after": -1}, "retry_after: expected a number from 0 to 3600"),
        ({"retry_after": float("nan")}, "retry_after: expected a number"),
        ({"retry_after": float("inf")}, "retry_after: expected a number"),
        ({"retry_after_ms": 1.5}, "retry_after_ms: expected a whole number"),
        ({"should_retry": "yes"}, "should_retry: expected true, false or null"),
        ({"message": 5}, "message: expected a string"),
        ({"times": 0}, "times: expected a whole number >= 1"),
        ({"times": 1.5}, "times: expected a whole number"),
        ({"route": "messages"}, "route: must be one of"),
        ({"model_id": 5}, "model_id: expected a model id"),
        ({"route": "list", "model_id": "claude-a-1"}, "model_id: a list request names no model"),
        ({"headers": {"x-a": 1}}, "headers: x-a: expected printable ASCII"),
        ({"headers": {"x-a": "é中"}}, "headers: x-a: expected printable ASCII"),
        ({"headers": {"x-a": "b\r\nx: 1"}}, "headers: x-a: expected printable ASCII"),
        ({"headers": {"bad name": "v"}}, "is not a header name"),
        ({"headers": [("x", "y")]}, "headers: expected an object"),
        ({"headers": []}, "headers: expected an object"),
        ({"headers": ""}, "headers: expected an object"),
        ({"headers": 0}, "headers: expected an object"),
        ({"headers": False}, "headers: expected an object"),
        ({"headers": {"Transfer-Encoding": "chunked"}}, "transfer-encoding: the connection's own"),
        ({"headers": {"date": "Mon, 01 Jan 2024 00:00:00 GMT"}}, "date: the connection's own"),
        ({"headers": {"connection": "close", "upgrade": "h2c"}}, "connection, upgrade: the connection's own"),
        ({"headers": {"Request-Id": "mine"}}, "request-id are set by the fake itself"),
        ({"headers": {"content-type": "text/plain", "x": "y"}}, "content-type are set by the fake itself"),
    ],
)
def test_bad_faults_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Faults().add(**kwargs)  # type: ignore[arg-type]


def test_a_sequence_is_all_or_nothing() -> None:
    faults = Faults()
    with pytest.raises(ValueError, match="status"):
        faults.sequence(429, 200)
    assert not faults.active and faults.to_json()["scripted"] == []


def test_faults_that_could_never_fire_are_refused() -> None:
    faults = Faults()
    with pytest.raises(ValueError, match="sequence: give at least one status"):
        faults.sequence()
    with pytest.raises(ValueError, match="a list request names no model"):
        faults.sequence(429, route="list", model_id="claude-a-1")
    assert not faults.active


def test_a_refused_rate_or_latency_changes_nothing() -> None:
    faults = Faults(seed=4)
    for call in (
        lambda: faults.set_fail_rate(0.5, seed=[1]),  # type: ignore[arg-type]
        lambda: faults.set_fail_rate(1.0, status=429.5),  # type: ignore[arg-type]
        lambda: faults.set_latency(0.5, seed="7"),  # type: ignore[arg-type]
        lambda: faults.set_latency(float("nan")),
        lambda: faults.set_latency(float("inf")),
        lambda: faults.set_fail_rate(True),
    ):
        with pytest.raises(ValueError):
            call()
    assert not faults.active and faults.to_json()["seed"] == 4


def test_clear_brings_back_the_first_seed() -> None:
    faults = Faults(seed=42)
    faults.set_fail_rate(0.5, seed=7)
    faults.clear()
    assert faults.to_json()["seed"] == 42


def test_reset_brings_back_the_marked_start() -> None:
    faults = Faults(seed=1)
    assert (faults.reset(), faults.active) == (None, False)
    faults.sequence(429, 529)
    faults.set_fail_rate(0.5, seed=9)
    faults.mark_start()
    first = statuses(faults, 6)
    faults.add(500, times=None)
    faults.set_latency(1.0)
    faults.reset()
    assert statuses(faults, 6) == first  # the same scripted faults, the same seeded rate sequence
    assert faults.delay("list") == 0.0
    faults.clear()
    assert not faults.active


def test_bad_rates_and_latency() -> None:
    with pytest.raises(ValueError, match="rate: expected a number from 0 to 1"):
        Faults().set_fail_rate(1.5)
    with pytest.raises(ValueError, match="seconds: expected a number from 0 to 3600"):
        Faults().set_latency(-1)
