"""The clock: the catalog served as it stood at a moment, by its own dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from anthropic_models_mock import Catalog, create_app
from anthropic_models_mock.catalog import parse_clock
from anthropic_models_mock.model import parse_rfc3339
from anthropic_models_mock.model.limits import LIFECYCLES
from anthropic_models_testkit import AnthropicMock
from anthropic_models_testkit.strategies import catalogs
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
WALKER = {
    "id": "claude-walker-20250101",
    "display_name": "Walker",
    "created_at": "2025-01-01T00:00:00Z",
    "lifecycle": "retired",
    "deprecated_at": "2025-06-01T00:00:00Z",
    "retires_at": "2026-01-01T00:00:00Z",
}
OTHERS = [
    {"id": "claude-old-20240101", "display_name": "Old", "created_at": "2024-01-01T00:00:00Z"},
    {"id": "claude-new-20260601", "display_name": "New", "created_at": "2026-06-01T00:00:00Z"},
]
ALIASES = {"claude-walker": "claude-walker-20250101"}


def listed(client: TestClient, query: str = "") -> list[str]:
    response = client.get(f"/v1/models?limit=1000{query}", headers=HEADERS)
    assert response.status_code == 200, response.text
    return [model["id"] for model in response.json()["data"]]


def walker(client: TestClient, name: str = "claude-walker-20250101") -> Any:
    return client.get(f"/v1/models/{name}", headers=HEADERS)


def set_clock(client: TestClient, now: str) -> None:
    response = client.put("/_mock/clock", json={"now": now})
    assert response.status_code == 200, response.text
    assert response.json() == {"clock": now}


def test_one_model_walks_from_unreleased_to_active_to_deprecated_to_retired_and_back() -> None:
    client = TestClient(create_app(Catalog([WALKER, *OTHERS], ALIASES)))
    every = "&lifecycle=active,deprecated,retired"

    set_clock(client, "2024-12-31T23:59:59Z")  # not made yet: absent, a 404, not a cursor
    assert listed(client, every) == ["claude-old-20240101"]
    assert walker(client).status_code == 404 and walker(client, "claude-walker").status_code == 404
    cursor = client.get("/v1/models?after_id=claude-walker-20250101", headers=HEADERS)
    assert cursor.status_code == 400 and "after_id: no model with id" in cursor.json()["error"]["message"]

    set_clock(client, "2025-01-01T00:00:00Z")  # made: active, its dates not yet on record
    assert listed(client) == ["claude-walker-20250101", "claude-old-20240101"]
    body = walker(client).json()
    assert (body["lifecycle"], body["deprecated_at"], body["retires_at"]) == ("active", None, None)
    assert walker(client, "claude-walker").json() == body

    set_clock(client, "2025-06-01T00:00:00Z")  # deprecated, its retirement scheduled
    body = walker(client).json()
    assert (body["lifecycle"], body["deprecated_at"], body["retires_at"]) == (
        "deprecated",
        "2025-06-01T00:00:00Z",
        "2026-01-01T00:00:00Z",
    )
    assert listed(client, "&lifecycle=deprecated") == ["claude-walker-20250101"]

    set_clock(client, "2026-01-01T00:00:00Z")  # retired: still retrievable, listed only with lifecycle=retired
    assert walker(client).json()["lifecycle"] == "retired"
    assert "claude-walker-20250101" not in listed(client)
    assert listed(client, "&lifecycle=retired") == ["claude-walker-20250101"]
    assert "claude-new-20260601" not in listed(client)

    set_clock(client, "2025-03-01T00:00:00Z")  # back: undone
    assert walker(client).json()["lifecycle"] == "active"
    assert client.delete("/_mock/clock").json() == {"clock": None}  # the catalog's own lifecycles again
    assert walker(client).json() == Catalog([WALKER]).get("claude-walker-20250101")
    assert listed(client, every) == ["claude-new-20260601", "claude-walker-20250101", "claude-old-20240101"]


def test_a_past_retires_at_alone_retires_a_model_only_under_a_clock() -> None:
    overdue = {**WALKER, "lifecycle": "deprecated"}  # retires_at passed: overdue, not retired (no clock)
    client = TestClient(create_app(Catalog([overdue])))
    assert walker(client).json()["lifecycle"] == "deprecated"
    set_clock(client, "2026-12-01T00:00:00Z")
    assert walker(client).json()["lifecycle"] == "retired"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, 'now: required, an RFC 3339 date-time or "now"'),
        ({"now": None}, 'now: required, an RFC 3339 date-time or "now"'),
        ({"now": "2025-13-01T00:00:00Z"}, "now: expected an RFC 3339 date-time such as 2026-06-01T00:00:00Z, or now"),
        ({"now": "tomorrow"}, "now: expected an RFC 3339 date-time such as 2026-06-01T00:00:00Z, or now"),
        ({"now": "2025-01-01"}, "now: expected an RFC 3339 date-time"),
        ({"now": "now", "then": 1}, "then: unknown field(s); allowed: now"),
    ],
)
def test_a_bad_clock_is_a_400_and_changes_nothing(body: Any, message: str) -> None:
    client = TestClient(create_app(Catalog([WALKER])))
    response = client.put("/_mock/clock", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith(message)
    assert client.get("/_mock").json()["clock"] is None


def test_the_state_shows_the_clock_and_reset_goes_back_to_the_starting_one() -> None:
    client = TestClient(create_app(Catalog([WALKER]), clock="2025-02-01T00:00:00+01:00"))
    assert client.get("/_mock").json()["clock"] == "2025-01-31T23:00:00Z"
    assert walker(client).json()["lifecycle"] == "active"
    set_clock(client, "now")
    assert client.get("/_mock").json()["clock"] == "now"
    assert walker(client).json()["lifecycle"] == "retired"
    assert client.post("/_mock/reset").json()["clock"] == "2025-01-31T23:00:00Z"
    assert walker(client).json()["lifecycle"] == "active"


def test_the_wall_clock_moves_models_on_as_it_passes_their_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    import anthropic_models_mock.runtime.state as state_module

    moment = [parse_rfc3339("2025-05-31T23:59:59Z").timestamp()]
    monkeypatch.setattr(state_module.time, "time", lambda: moment[0])
    client = TestClient(create_app(Catalog([WALKER, *OTHERS]), clock="now"))
    assert walker(client).json()["lifecycle"] == "active"
    moment[0] += 1
    assert walker(client).json()["lifecycle"] == "deprecated"
    moment[0] = parse_rfc3339("2026-06-01T00:00:00Z").timestamp() - 1
    assert "claude-new-20260601" not in listed(client)
    moment[0] += 1
    assert listed(client)[0] == "claude-new-20260601"


def test_changes_under_a_clock_are_seen_as_of_it() -> None:
    client = TestClient(create_app(Catalog(OTHERS), clock="2025-07-01T00:00:00Z"))
    assert client.post("/_mock/models", json=WALKER).status_code == 201
    assert walker(client).json()["lifecycle"] == "deprecated"
    later = {**WALKER, "id": "claude-later-20260101", "created_at": "2026-01-01T00:00:00Z"}
    assert client.post("/_mock/models", json=later).status_code == 201
    assert walker(client, "claude-later-20260101").status_code == 404
    assert client.delete("/_mock/models/claude-walker-20250101").status_code == 200
    assert walker(client).status_code == 404
    assert listed(client) == ["claude-old-20240101"]


def test_a_clock_and_a_key_s_view_together() -> None:
    keys = {"keys": {"k": {"models": ["claude-walker-*", "claude-new-*"]}}}
    client = TestClient(create_app(Catalog([WALKER, *OTHERS]), keys=keys, clock="2025-07-01T00:00:00Z"))
    assert listed(client) == ["claude-walker-20250101"]
    set_clock(client, "2026-07-01T00:00:00Z")
    assert listed(client) == ["claude-new-20260601"]
    assert listed(client, "&lifecycle=retired") == ["claude-walker-20250101"]


def test_the_kit_sets_the_clock_too() -> None:
    with AnthropicMock(catalog=Catalog([WALKER]), clock="2025-02-01T00:00:00Z") as mock:
        client = mock.client()
        assert client.models.retrieve("claude-walker-20250101").lifecycle == "active"
        mock.set_clock(dt.datetime(2025, 7, 1, tzinfo=dt.timezone.utc))
        assert client.models.retrieve("claude-walker-20250101").lifecycle == "deprecated"
        mock.set_clock(None)
        assert client.models.retrieve("claude-walker-20250101").lifecycle == "retired"
        mock.reset()
        assert client.models.retrieve("claude-walker-20250101").lifecycle == "active"


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("2025-01-01", ValueError),
        ("yesterday", ValueError),
        (dt.datetime(2025, 1, 1), ValueError),  # naive: which zone?
        (True, TypeError),
        (float("nan"), ValueError),
        (1e20, ValueError),
        (dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-2))), ValueError),  # year 10000 UTC
        ([2025], TypeError),
    ],
)
def test_parse_clock_refuses_what_is_not_a_moment(value: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="clock"):
        parse_clock(value)


def test_the_state_takes_a_clock_as_every_entry_point_does() -> None:
    app = create_app(Catalog([WALKER]))
    client = TestClient(app)
    for moment in ("2025-07-01T00:00:00Z", dt.datetime(2025, 7, 1, tzinfo=dt.timezone.utc), 1751328000):
        app.mock.set_clock(moment)
        assert walker(client).json()["lifecycle"] == "deprecated"
        assert client.get("/_mock").json()["clock"] == "2025-07-01T00:00:00Z"
    with pytest.raises(ValueError, match="clock"):
        app.mock.set_clock("soon")
    assert walker(client).status_code == 200, "a refused clock changes nothing"


# -- the rule, against a catalog's own dates, at any moment ---------------------------------------------------
def expected_at(models: list[dict[str, Any]], moment: float) -> dict[str, tuple[str, Any, Any]]:
    """Each model made by ``moment``: its lifecycle and dates then, by the rule written out plainly."""
    seen = {}
    for model in models:
        if parse_rfc3339(model["created_at"]).timestamp() > moment:
            continue
        deprecated, retires = model["deprecated_at"], model["retires_at"]
        if retires is not None and parse_rfc3339(retires).timestamp() <= moment:
            seen[model["id"]] = ("retired", deprecated, retires)
        elif deprecated is not None and parse_rfc3339(deprecated).timestamp() <= moment:
            seen[model["id"]] = ("deprecated", deprecated, retires)
        else:
            seen[model["id"]] = ("active", None, None)
    return seen


@settings(max_examples=80)
@given(
    catalog=catalogs(min_size=1, max_size=30),
    moment=st.datetimes(dt.datetime(1969, 1, 1), dt.datetime(2040, 1, 1), timezones=st.just(dt.timezone.utc)),
    lifecycles=st.sets(st.sampled_from(LIFECYCLES), min_size=1),
)
def test_a_catalog_at_a_moment_follows_the_rule(catalog: Catalog, moment: dt.datetime, lifecycles: set[str]) -> None:
    models = list(catalog.models)
    at, next_change = catalog.at(moment.timestamp())
    expected = expected_at(models, moment.timestamp())
    assert {m["id"]: (m["lifecycle"], m["deprecated_at"], m["retires_at"]) for m in at.models} == expected
    wanted = [m["id"] for m in models if m["id"] in expected and expected[m["id"]][0] in lifecycles]
    assert list(at.view(frozenset(lifecycles)).ids) == wanted  # list order kept
    later = next_change if next_change != float("inf") else moment.timestamp() + 10**9
    assert expected_at(models, later - 1e-3) == expected, "nothing changes before next_change"
    assert catalog.at(moment.timestamp())[0].to_json() == at.to_json()


def test_a_big_catalog_at_a_moment_shares_the_blocks_that_do_not_change() -> None:
    catalog = Catalog.synthetic(5000, 3)
    models = list(catalog.models)
    for text in ("2024-06-01T00:00:00Z", "2026-01-01T00:00:00Z", "2100-01-01T00:00:00Z"):
        moment = parse_rfc3339(text).timestamp()
        at, _ = catalog.at(moment)
        assert {m["id"]: (m["lifecycle"], m["deprecated_at"], m["retires_at"]) for m in at.models} == expected_at(
            models, moment
        )


def test_a_clock_set_later_wins_over_one_still_being_made() -> None:
    """A slow PUT /_mock/clock does not undo a DELETE (or a later PUT, a reset) answered while it was made."""
    import threading

    import httpx
    from anthropic_models_mock.http import BackgroundServer

    app = create_app(Catalog([WALKER]))
    state, release, entered = app.mock, threading.Event(), threading.Event()
    as_of = state.as_of

    def slow(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        release.wait(10)
        return as_of(*args, **kwargs)

    state.as_of = slow  # type: ignore[method-assign]
    with BackgroundServer(app) as server:
        done: list[Any] = []
        put = threading.Thread(
            target=lambda: done.append(httpx.put(f"{server.url}/_mock/clock", json={"now": "2025-02-01T00:00:00Z"}))
        )
        put.start()
        assert entered.wait(10)
        assert httpx.delete(f"{server.url}/_mock/clock").json() == {"clock": None}
        release.set()
        put.join(10)
        assert done[0].status_code == 200
        assert httpx.get(f"{server.url}/_mock").json()["clock"] is None
        assert httpx.get(f"{server.url}/v1/models/claude-walker-20250101", headers=HEADERS).json()["lifecycle"] == (
            "retired"
        )
