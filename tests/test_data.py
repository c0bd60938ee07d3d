"""The shipped catalog (data/models.json): consistent, cited, and what the SDK accepts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from anthropic import BaseModel as SDKBaseModel
from anthropic import _models as sdk_models
from anthropic.types import ModelCapabilities, ModelInfo
from anthropic_models_mock import Catalog
from anthropic_models_mock.catalog import default_catalog_path
from anthropic_models_mock.model.modelinfo import parse_rfc3339

PATH = Path(__file__).resolve().parents[1] / "data" / "models.json"
DOCUMENT: dict[str, Any] = json.loads(PATH.read_text(encoding="utf-8"))
CATALOG = Catalog.from_file(PATH)

# The public aliases SPEC.md names; each must be in the file, pointing where it says.
SPEC_ALIASES = {
    "claude-sonnet-4-5": "claude-sonnet-4-5-20250929",
    "claude-haiku-4-5": "claude-haiku-4-5-20251001",
    "claude-opus-4-5": "claude-opus-4-5-20251101",
    "claude-opus-4-1": "claude-opus-4-1-20250805",
    "claude-opus-4-0": "claude-opus-4-20250514",
    "claude-sonnet-4-0": "claude-sonnet-4-20250514",
    "claude-3-7-sonnet-latest": "claude-3-7-sonnet-20250219",
    "claude-3-5-haiku-latest": "claude-3-5-haiku-20241022",
}


def test_the_embedded_default_is_this_file() -> None:
    assert default_catalog_path().read_bytes() == PATH.read_bytes()


def test_file_states_its_date_and_sources() -> None:
    dt.date.fromisoformat(DOCUMENT["as_of"])
    assert DOCUMENT["sources"], "the file cites its sources"
    for key, source in DOCUMENT["sources"].items():
        assert source["url"].startswith("https://"), key
        assert source["title"], key


def test_every_model_cites_known_sources() -> None:
    for entry in DOCUMENT["models"]:
        assert entry.get("sources"), f"{entry['id']} cites no source"
        assert set(entry["sources"]) <= set(DOCUMENT["sources"]), entry["id"]


def test_file_is_already_in_list_order() -> None:
    assert [m["id"] for m in DOCUMENT["models"]] == [m["id"] for m in CATALOG]


@pytest.mark.parametrize(("alias", "target"), sorted(SPEC_ALIASES.items()))
def test_spec_aliases(alias: str, target: str) -> None:
    assert CATALOG.aliases[alias] == target


def test_range_of_models() -> None:
    ids = {m["id"] for m in CATALOG}
    assert {"claude-3-haiku-20240307", "claude-sonnet-4-5-20250929", "claude-opus-4-5-20251101"} <= ids
    assert {m["lifecycle"] for m in CATALOG} == {"active", "deprecated", "retired"}


@pytest.mark.parametrize("entry", CATALOG.models, ids=lambda m: m["id"])
def test_every_model_validates_under_the_sdk(entry: dict[str, Any]) -> None:
    model = sdk_models.validate_type(type_=ModelInfo, value=entry)
    assert model.id == entry["id"]
    assert model.model_dump(mode="json", exclude_unset=True)["id"] == entry["id"]


@pytest.mark.parametrize("entry", CATALOG.models, ids=lambda m: m["id"])
def test_lifecycle_agrees_with_dates(entry: dict[str, Any]) -> None:
    """The SDK's rules (``types/model_info.py``): ``deprecated_at`` is set for deprecated and
    retired models and null while active; ``retires_at`` is null while active. A past
    ``retires_at`` on a deprecated model is an overdue retirement, not a contradiction."""
    as_of = dt.datetime.fromisoformat(DOCUMENT["as_of"]).replace(tzinfo=dt.timezone.utc)
    assert parse_rfc3339(entry["created_at"]) <= as_of
    deprecated, retires = entry.get("deprecated_at"), entry.get("retires_at")
    if entry["lifecycle"] == "active":
        assert deprecated is None and retires is None
    else:
        assert deprecated is not None, "deprecated_at is set for deprecated and retired models"
        assert retires is not None, "a deprecation always comes with a retirement date"
        assert parse_rfc3339(deprecated) <= as_of
        assert parse_rfc3339(deprecated) <= parse_rfc3339(retires)
        if entry["lifecycle"] == "retired":
            assert parse_rfc3339(retires) <= as_of


# ---------------------------------------------------------------------------
# Facts as the real API served them. Every expected value below is written by
# hand from the cited evidence (never read from data/models.json):
#   shunt   pleaseai/shunt src/discovery.rs @014252d, captured live 2026-07-28
#   proxy   atikur01/claude-code-azure-foundry-proxy index.js @49d9fc0 (2026-05-16)
#   mreg    gmh5225/model_registry tests/unit/test_anthropic.py @749bfd3 (2025-05-23)
#   klatch  Design-in-Product/klatch scripts/probe-models-live.mjs, run 2026-09-07
# The API's created_at is neither the snapshot date in a dated id nor always the
# announcement date.

BY_ID = {m["id"]: m for m in DOCUMENT["models"]}

CAPTURED_CREATED_AT = {
    "claude-opus-5": "2026-07-24T00:00:00Z",  # shunt
    "claude-sonnet-5": "2026-06-29T00:00:00Z",  # shunt (announced 2026-06-30)
    "claude-fable-5": "2026-06-07T00:00:00Z",  # shunt (announced 2026-06-09)
    "claude-opus-4-8": "2026-05-28T00:00:00Z",  # shunt
    "claude-opus-4-7": "2026-04-14T00:00:00Z",  # shunt, proxy (announced 2026-04-16)
    "claude-sonnet-4-6": "2026-02-17T00:00:00Z",  # shunt, proxy
    "claude-opus-4-6": "2026-02-04T00:00:00Z",  # shunt, proxy (announced 2026-02-05)
    "claude-opus-4-5-20251101": "2025-11-24T00:00:00Z",  # shunt, proxy (not the id's 2025-11-01)
    "claude-haiku-4-5-20251001": "2025-10-15T00:00:00Z",  # shunt, proxy (not the id's 2025-10-01)
    "claude-sonnet-4-5-20250929": "2025-09-29T00:00:00Z",  # shunt, proxy
    "claude-opus-4-1-20250805": "2025-08-05T00:00:00Z",  # shunt, proxy
    "claude-opus-4-20250514": "2025-05-22T00:00:00Z",  # mreg, proxy (not the id's 2025-05-14)
    "claude-sonnet-4-20250514": "2025-05-22T00:00:00Z",  # mreg, proxy
    "claude-3-7-sonnet-20250219": "2025-02-24T00:00:00Z",  # mreg (not the id's 2025-02-19)
    "claude-3-5-sonnet-20241022": "2024-10-22T00:00:00Z",  # mreg
    "claude-3-5-haiku-20241022": "2024-10-22T00:00:00Z",  # mreg
    "claude-3-5-sonnet-20240620": "2024-06-20T00:00:00Z",  # mreg
    "claude-3-haiku-20240307": "2024-03-07T00:00:00Z",  # mreg
    "claude-3-opus-20240229": "2024-02-29T00:00:00Z",  # mreg
    "claude-3-sonnet-20240229": "2024-02-29T00:00:00Z",  # mreg
    "claude-fable-5-1": "2026-08-28T00:00:00Z",  # klatch (announced 2026-09-01)
}

CAPTURED_LIMITS = {  # (max_input_tokens, max_tokens)
    "claude-opus-5": (1_000_000, 128_000),  # shunt
    "claude-sonnet-5": (1_000_000, 128_000),  # shunt
    "claude-fable-5": (1_000_000, 128_000),  # shunt
    "claude-opus-4-8": (1_000_000, 128_000),  # shunt
    "claude-opus-4-7": (1_000_000, 128_000),  # shunt, proxy
    "claude-sonnet-4-6": (1_000_000, 128_000),  # shunt, proxy
    "claude-opus-4-6": (1_000_000, 128_000),  # shunt, proxy
    "claude-opus-4-5-20251101": (200_000, 64_000),  # shunt, proxy
    "claude-haiku-4-5-20251001": (200_000, 64_000),  # shunt, proxy
    "claude-sonnet-4-5-20250929": (1_000_000, 64_000),  # shunt, proxy
    "claude-opus-4-1-20250805": (200_000, 32_000),  # shunt, proxy
    "claude-opus-4-20250514": (200_000, 32_000),  # proxy
    "claude-sonnet-4-20250514": (1_000_000, 64_000),  # proxy
}

# The newest models and the Mythos models: no capture names them. They keep their
# best public release date and must say, in their sources, that it is unverified.
UNCAPTURED = {
    "claude-fable-5-2",
    "claude-haiku-5-5",
    "claude-sonnet-5-5",
    "claude-opus-5-5",
    "claude-mythos-5-2",
    "claude-mythos-5-1",
    "claude-mythos-5",
    "claude-mythos-preview",
}


@pytest.mark.parametrize(("model_id", "created_at"), sorted(CAPTURED_CREATED_AT.items()))
def test_created_at_is_what_the_api_served(model_id: str, created_at: str) -> None:
    assert BY_ID[model_id]["created_at"] == created_at


@pytest.mark.parametrize(("model_id", "limits"), sorted(CAPTURED_LIMITS.items()))
def test_token_limits_are_what_the_api_served(model_id: str, limits: tuple[int, int]) -> None:
    entry = BY_ID[model_id]
    assert (entry["max_input_tokens"], entry["max_tokens"]) == limits


def test_every_model_is_either_captured_or_marked_unverified() -> None:
    assert set(CAPTURED_CREATED_AT) | UNCAPTURED == set(BY_ID)
    assert not set(CAPTURED_CREATED_AT) & UNCAPTURED
    for model_id in UNCAPTURED:
        assert "unverified-created-at" in BY_ID[model_id]["sources"], model_id
    for model_id in CAPTURED_CREATED_AT:
        assert "unverified-created-at" not in BY_ID[model_id]["sources"], model_id
        assert any(key.startswith("capture-") for key in BY_ID[model_id]["sources"]), model_id


def test_an_uncaptured_model_is_dated_by_its_public_release_never_the_epoch() -> None:
    for model_id in UNCAPTURED:
        assert BY_ID[model_id]["created_at"] != "1970-01-01T00:00:00Z", model_id
    # Released with Fable 5.2: SDK CHANGELOG 2.7.0 and TypeScript 1.7.0 (both 2026-11-09) add the two.
    assert BY_ID["claude-mythos-5-2"]["created_at"] == BY_ID["claude-fable-5-2"]["created_at"] == "2026-11-09T00:00:00Z"


def test_captures_are_cited_at_a_fixed_commit() -> None:
    captures = {key: source for key, source in DOCUMENT["sources"].items() if key.startswith("capture-")}
    assert captures
    for key, source in captures.items():
        assert source["url"].startswith("https://github.com/"), key
        assert any(len(part) == 40 and set(part) <= set("0123456789abcdef") for part in source["url"].split("/")), key


@pytest.mark.parametrize("entry", DOCUMENT["models"], ids=lambda m: m["id"])
def test_every_model_has_sources(entry: dict[str, Any]) -> None:
    assert isinstance(entry.get("sources"), list) and entry["sources"], f"{entry['id']} cites no source"
    assert len(set(entry["sources"])) == len(entry["sources"]), f"{entry['id']} cites a source twice"
    assert set(entry["sources"]) <= set(DOCUMENT["sources"]), entry["id"]


# --- lifecycle, as the SDK and Anthropic's announcements date it -------------

LIFECYCLE = {  # model: (lifecycle, deprecated_at, retires_at)
    # SDK CHANGELOG 2.13.0 (2026-11-23): Opus 4.5 deprecated, end of life January 22, 2027
    "claude-opus-4-5-20251101": ("deprecated", "2026-11-23T00:00:00Z", "2027-01-22T00:00:00Z"),
    # SDK CHANGELOG 1.11.0 (2026-09-30) deprecates it, SDK data said November 30th, 2026; SDK CHANGELOG
    # 2.15.0 (2026-11-30) and TypeScript 1.15.0 "remove retired Claude Sonnet 4.5 models": retired
    "claude-sonnet-4-5-20250929": ("retired", "2026-09-30T00:00:00Z", "2026-11-30T00:00:00Z"),
    # SDK commit 402be64 (2026-06-09) adds it with June 30th, 2026; the SDK 2.14 data, which
    # since 2.13.0 leaves retired models out, still lists it: deprecated, retirement overdue
    "claude-mythos-preview": ("deprecated", "2026-06-09T00:00:00Z", "2026-06-30T00:00:00Z"),
    # SDK CHANGELOG 0.106.0 (2026-06-05) and 0.121.0 (removed after the August 5 retirement)
    "claude-opus-4-1-20250805": ("retired", "2026-06-05T00:00:00Z", "2026-08-05T00:00:00Z"),
    # SDK commit ef22dbb (2026-04-14, "mark Sonnet and Opus 4 as deprecated"), June 15th, 2026
    "claude-opus-4-20250514": ("retired", "2026-04-14T00:00:00Z", "2026-06-15T00:00:00Z"),
    "claude-sonnet-4-20250514": ("retired", "2026-04-14T00:00:00Z", "2026-06-15T00:00:00Z"),
}


@pytest.mark.parametrize(("model_id", "expected"), sorted(LIFECYCLE.items()))
def test_lifecycle_dates(model_id: str, expected: tuple[str, str, str]) -> None:
    entry = BY_ID[model_id]
    assert (entry["lifecycle"], entry["deprecated_at"], entry["retires_at"]) == expected


def test_lifecycle_agrees_with_the_installed_sdks_deprecation_data() -> None:
    data = pytest.importorskip("anthropic._data")
    names = "January February March April May June July August September October November December"
    months = {name: number for number, name in enumerate(names.split(), start=1)}  # not calendar: locale-bound
    checked = 0
    for name, when in data.DEPRECATED_MODELS.items():
        model_id = CATALOG.aliases.get(name, name)
        if model_id not in BY_ID:
            continue
        month, day, year = when.replace(",", "").split()
        day = "".join(ch for ch in day if ch.isdigit())
        expected = f"{int(year):04d}-{months[month]:02d}-{int(day):02d}T00:00:00Z"
        entry = BY_ID[model_id]
        assert entry["lifecycle"] == "deprecated", model_id  # the SDK keeps retired models out
        assert entry["retires_at"] == expected, model_id
        checked += 1
    assert checked, "the SDK's deprecation data names catalog models"


# --- capabilities -------------------------------------------------------------


def _sdk_keys(model: type[SDKBaseModel]) -> dict[str, Any]:
    """The SDK's capability tree: every field of ``ModelCapabilities``, nested, optional ones included."""
    tree: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        annotation = field.annotation
        inner = [arg for arg in getattr(annotation, "__args__", (annotation,)) if arg is not type(None)]
        kind = inner[0] if inner else annotation
        tree[name] = _sdk_keys(kind) if isinstance(kind, type) and issubclass(kind, SDKBaseModel) else None
    return tree


SDK_CAPABILITIES = _sdk_keys(ModelCapabilities)


def _missing(value: Any, tree: dict[str, Any], path: str = "capabilities") -> list[str]:
    missing = []
    for key, sub in tree.items():
        where = f"{path}.{key}"
        if not isinstance(value, dict) or value.get(key) is None:
            missing.append(where)
        elif sub is not None:
            missing += _missing(value[key], sub, where)
    return missing


def test_the_sdk_capability_tree_is_the_one_this_file_knows() -> None:
    assert {"server_tools", "thinking", "effort", "context_management"} <= set(SDK_CAPABILITIES)
    assert {"xhigh", "max"} <= set(SDK_CAPABILITIES["effort"])
    assert {"between_tools", "disabled"} <= set(SDK_CAPABILITIES["thinking"]["types"])


@pytest.mark.parametrize("entry", [m for m in DOCUMENT["models"] if m["lifecycle"] == "active"], ids=lambda m: m["id"])
def test_active_models_carry_a_full_capabilities_object(entry: dict[str, Any]) -> None:
    """The SDK: capability "keys are always present for all known capabilities" (``ModelInfo``)."""
    assert entry["capabilities"] is not None, entry["id"]
    assert _missing(entry["capabilities"], SDK_CAPABILITIES) == []
    validated = sdk_models.validate_type(type_=ModelCapabilities, value=entry["capabilities"])
    assert validated.thinking.types.adaptive is not None


def _flat(value: dict[str, Any], prefix: str = "") -> dict[str, bool]:
    out: dict[str, bool] = {}
    for key, sub in value.items():
        if isinstance(sub, dict):
            out.update(_flat(sub, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = sub
    return out


def _capture(
    *,
    code_execution: bool,
    compact: bool,
    effort: tuple[bool, bool, bool, bool, bool],
    structured: bool,
    enabled: bool,
    adaptive: bool,
) -> dict[str, bool]:
    """One model's capabilities as the 2026-05 capture (proxy @49d9fc0) carried them, flattened."""
    supported, low, medium, high, top = effort
    return {
        "batch.supported": True,
        "citations.supported": True,
        "code_execution.supported": code_execution,
        "context_management.supported": True,
        "context_management.clear_tool_uses_20250919.supported": True,
        "context_management.clear_thinking_20251015.supported": True,
        "context_management.compact_20260112.supported": compact,
        "effort.supported": supported,
        "effort.low.supported": low,
        "effort.medium.supported": medium,
        "effort.high.supported": high,
        "effort.max.supported": top,
        "image_input.supported": True,
        "pdf_input.supported": True,
        "structured_outputs.supported": structured,
        "thinking.supported": True,
        "thinking.types.enabled.supported": enabled,
        "thinking.types.adaptive.supported": adaptive,
    }


ALL = (True, True, True, True, True)
NONE = (False, False, False, False, False)
CAPTURED_CAPABILITIES = {
    "claude-opus-4-7": _capture(
        code_execution=True, compact=True, effort=ALL, structured=True, enabled=False, adaptive=True
    ),
    "claude-sonnet-4-6": _capture(
        code_execution=True, compact=True, effort=ALL, structured=True, enabled=True, adaptive=True
    ),
    "claude-opus-4-6": _capture(
        code_execution=True, compact=True, effort=ALL, structured=True, enabled=True, adaptive=True
    ),
    "claude-opus-4-5-20251101": _capture(
        code_execution=True,
        compact=False,
        effort=(True, True, True, True, False),
        structured=True,
        enabled=True,
        adaptive=False,
    ),
    "claude-haiku-4-5-20251001": _capture(
        code_execution=False, compact=False, effort=NONE, structured=True, enabled=True, adaptive=False
    ),
    "claude-sonnet-4-5-20250929": _capture(
        code_execution=True, compact=False, effort=NONE, structured=True, enabled=True, adaptive=False
    ),
    "claude-opus-4-1-20250805": _capture(
        code_execution=False, compact=False, effort=NONE, structured=True, enabled=True, adaptive=False
    ),
    "claude-opus-4-20250514": _capture(
        code_execution=False, compact=False, effort=NONE, structured=False, enabled=True, adaptive=False
    ),
    "claude-sonnet-4-20250514": _capture(
        code_execution=False, compact=False, effort=NONE, structured=False, enabled=True, adaptive=False
    ),
}


@pytest.mark.parametrize(("model_id", "captured"), sorted(CAPTURED_CAPABILITIES.items()))
def test_capabilities_agree_with_the_capture_on_every_key_it_carried(model_id: str, captured: dict[str, bool]) -> None:
    entry = BY_ID[model_id]
    assert entry["capabilities"] is not None, "a capture had this object: use it"
    assert "capture-foundry-proxy-2026-05" in entry["sources"]
    flat = _flat(entry["capabilities"])
    assert {key: flat.get(key) for key in captured} == captured


def test_retired_models_with_a_capture_carry_it_and_mark_the_rest_inferred() -> None:
    for model_id in ("claude-opus-4-1-20250805", "claude-opus-4-20250514", "claude-sonnet-4-20250514"):
        entry = BY_ID[model_id]
        assert _missing(entry["capabilities"], SDK_CAPABILITIES) == [], model_id
        assert "inferred-retired-capabilities" in entry["sources"], model_id


def _thinking_types(model_id: str) -> dict[str, bool]:
    types = BY_ID[model_id]["capabilities"]["thinking"]["types"]
    return {name: value["supported"] for name, value in types.items()}


def test_published_thinking_facts_of_the_newest_models() -> None:
    # What's new in Claude Opus 5.5: adaptive thinking always on, thinking can't be disabled
    assert _thinking_types("claude-opus-5-5")["adaptive"] is True
    assert _thinking_types("claude-opus-5-5")["disabled"] is False
    # What's new in Claude Sonnet 5.5 / Google Cloud page: between_tools added, disabled not supported
    assert _thinking_types("claude-sonnet-5-5")["between_tools"] is True
    assert _thinking_types("claude-sonnet-5-5")["disabled"] is False
    # What's new in Claude Haiku 5.5: budget_tokens returns an error; Bedrock card: can be turned off,
    # effort low, medium, high, xhigh, max
    assert _thinking_types("claude-haiku-5-5")["enabled"] is False
    assert _thinking_types("claude-haiku-5-5")["disabled"] is True
    effort = BY_ID["claude-haiku-5-5"]["capabilities"]["effort"]
    assert all(effort[level]["supported"] for level in ("low", "medium", "high", "xhigh", "max"))
    # What's new in Claude Fable 5.2: adaptive thinking always on; Mythos 5.2 has the same capabilities
    assert _thinking_types("claude-fable-5-2")["disabled"] is False
    assert BY_ID["claude-mythos-5-2"]["capabilities"] == BY_ID["claude-fable-5-2"]["capabilities"]
    for model_id in (
        "claude-opus-5-5",
        "claude-sonnet-5-5",
        "claude-haiku-5-5",
        "claude-fable-5-2",
        "claude-mythos-5-2",
    ):
        assert "inferred-capabilities" in BY_ID[model_id]["sources"], model_id
