"""The ModelInfo checks: RFC 3339 parsing and catalog-entry validation."""

from __future__ import annotations

import datetime as dt

import pytest
from anthropic_models_mock.model.modelinfo import FIELDS, CatalogError, parse_rfc3339, validate_model
from anthropic_models_testkit.strategies import created_ats, model_infos
from hypothesis import given

UTC = dt.timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-09-29T00:00:00Z", dt.datetime(2025, 9, 29, tzinfo=UTC)),
        ("1970-01-01T00:00:00Z", dt.datetime(1970, 1, 1, tzinfo=UTC)),
        ("2025-09-29T02:00:00+02:00", dt.datetime(2025, 9, 29, tzinfo=UTC)),
        ("2025-09-28T19:30:00-04:30", dt.datetime(2025, 9, 29, tzinfo=UTC)),
        ("2025-09-29t00:00:00.5z", dt.datetime(2025, 9, 29, 0, 0, 0, 500000, tzinfo=UTC)),
        ("2025-09-29T00:00:00.123456789Z", dt.datetime(2025, 9, 29, 0, 0, 0, 123456, tzinfo=UTC)),
    ],
)
def test_parse_rfc3339_accepts(text: str, expected: dt.datetime) -> None:
    assert parse_rfc3339(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2025-09-29",
        "2025-13-01T00:00:00Z",
        "2025-02-30T00:00:00Z",
        "2025-09-29T00:00:00",
        "2025-09-29T25:00:00Z",
        "2025-09-29T00:00:00+24:00",
        "yesterday",
        " 2025-09-29T00:00:00Z",
    ],
)
def test_parse_rfc3339_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=r"RFC 3339|date-time|offset"):
        parse_rfc3339(text)


@given(created_ats())
def test_every_generated_created_at_parses_to_utc(text: str) -> None:
    assert parse_rfc3339(text).utcoffset() == dt.timedelta(0)


@given(model_infos())
def test_generated_payloads_validate_and_are_served_unchanged(entry: dict[str, object]) -> None:
    payload, released = validate_model(entry, "test")
    assert {key: value for key, value in payload.items() if key in entry} == entry
    assert list(payload) == list(FIELDS), "every key, in the served order"
    assert released == parse_rfc3339(entry["created_at"])  # type: ignore[arg-type]


SEED = {"id": "claude-x-1", "display_name": "X", "created_at": "2025-01-01T00:00:00Z"}


def test_seed_fields_alone_are_valid_and_default_to_active() -> None:
    payload, _ = validate_model(dict(SEED), "test")
    assert payload == {
        "type": "model",
        **SEED,
        "lifecycle": "active",
        "deprecated_at": None,
        "retires_at": None,
        "line": None,
        "max_input_tokens": None,
        "max_tokens": None,
        "allowed_fallback_models": None,
        "capabilities": None,
    }


def test_sources_annotation_is_accepted_but_not_served() -> None:
    payload, _ = validate_model({**SEED, "sources": ["overview"]}, "test")
    assert "sources" not in payload


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        ({"id": ""}, "id", "URL-safe"),
        ({"id": "a/b"}, "id", "URL-safe"),
        ({"id": 7}, "id", "URL-safe"),
        ({"type": "moodel"}, "type", "must be 'model'"),
        ({"display_name": None}, "display_name", "required"),
        ({"created_at": "2025-13-01T00:00:00Z"}, "created_at", "2025-13-01"),
        ({"created_at": 1700000000}, "created_at", "RFC 3339"),
        ({"lifecycle": "gone"}, "lifecycle", "'gone'"),
        ({"deprecated_at": "soon"}, "deprecated_at", "RFC 3339"),
        ({"line": "poem"}, "line", "'poem'"),
        ({"max_tokens": 0}, "max_tokens", "positive integer"),
        ({"max_input_tokens": True}, "max_input_tokens", "positive integer"),
        ({"colour": "red"}, "colour", "unknown field"),
        ({"capabilities": {"batch": {"supported": True}}}, "capabilities.citations", "required"),
        ({"capabilities": []}, "capabilities", "expected an object"),
    ],
)
def test_bad_entries_name_the_entry_and_field(change: dict[str, object], field: str, problem: str) -> None:
    with pytest.raises(CatalogError) as caught:
        validate_model({**SEED, **change}, "cat.json: models[4]")
    message = str(caught.value)
    assert message.startswith("cat.json: models[4]")
    assert f"{field}:" in message
    assert problem in message


def test_nested_capability_errors_name_the_path() -> None:
    entry = {**SEED, "capabilities": {"batch": {"supported": "yes"}}}
    with pytest.raises(CatalogError, match=r"capabilities\.batch\.supported: required, must be true or false"):
        validate_model(entry, "x")


def test_non_object_entry() -> None:
    with pytest.raises(CatalogError, match=r"x: expected an object, got list"):
        validate_model([], "x")


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        ({"deprecated_at": "2025-06-01T00:00:00Z"}, "deprecated_at", "must be null while lifecycle is active"),
        ({"retires_at": "2026-06-01T00:00:00Z"}, "retires_at", "must be null while lifecycle is active"),
        ({"lifecycle": "deprecated"}, "deprecated_at", "required for a deprecated model"),
        (
            {"lifecycle": "retired", "retires_at": "2026-06-01T00:00:00Z"},
            "deprecated_at",
            "required for a retired model",
        ),
        ({"allowed_fallback_models": "claude-x"}, "allowed_fallback_models", "expected a list of model ids"),
        ({"allowed_fallback_models": ["a b"]}, "allowed_fallback_models", "expected a list of model ids"),
    ],
)
def test_lifecycle_dates_follow_the_sdk_rules(change: dict[str, object], field: str, problem: str) -> None:
    with pytest.raises(CatalogError, match=rf"test \(id 'claude-x-1'\): {field}: {problem}"):
        validate_model({**SEED, **change}, "test")


def test_a_deprecated_model_with_its_dates_and_the_beta_fields_is_valid() -> None:
    entry = {
        **SEED,
        "lifecycle": "deprecated",
        "deprecated_at": "2025-06-01T00:00:00Z",
        "retires_at": "2025-01-02T00:00:00Z",  # past: overdue, not retired (lifecycle is the signal)
        "allowed_fallback_models": ["claude-y-1"],
    }
    payload, _ = validate_model(entry, "test")
    assert payload["allowed_fallback_models"] == ["claude-y-1"] and payload["lifecycle"] == "deprecated"
