"""One app's state: catalog changes build new catalogs, and reset brings back the original."""

from __future__ import annotations

import pytest
from anthropic_models_mock import Catalog, CatalogError, create_app
from anthropic_models_mock.runtime.state import MockState

MODELS = [{"id": "claude-a-1", "display_name": "A", "created_at": "2026-01-01T00:00:00Z"}]


def test_changes_and_reset() -> None:
    original = Catalog(MODELS, {"claude-a": "claude-a-1"})
    state = MockState(original)
    state.add_model({"id": "claude-b-1", "display_name": "B", "created_at": "2027-01-01T00:00:00Z"})
    state.set_alias("claude-b", "claude-b-1")
    state.remove_model("claude-a-1")
    assert [m["id"] for m in state.catalog] == ["claude-b-1"]
    assert dict(state.catalog.aliases) == {"claude-b": "claude-b-1"}, "aliases of a removed model go with it"
    state.reset()
    assert state.catalog is original


def test_a_bad_model_is_refused_naming_the_call_not_the_file() -> None:
    state = MockState(Catalog(MODELS, source="/somewhere/models.json"))
    with pytest.raises(CatalogError, match=r"^add_model \(id 'x'\): display_name: required") as caught:
        state.add_model({"id": "x", "created_at": "2026-01-01T00:00:00Z"})
    assert "models.json" not in str(caught.value)
    with pytest.raises(CatalogError, match="no model with id 'nope' to remove"):
        state.remove_model("nope")


@pytest.mark.parametrize("keys", ["secret", b"secret", 5])
def test_a_bare_string_of_keys_is_refused_not_split_into_characters(keys: object) -> None:
    with pytest.raises(TypeError, match=r"api_keys: expected a list of keys") as caught:
        create_app(Catalog(MODELS), api_keys=keys)  # type: ignore[arg-type]
    assert "secret" not in str(caught.value)
    state = create_app(Catalog(MODELS)).mock
    with pytest.raises(TypeError):
        state.set_api_keys(keys)  # type: ignore[arg-type]
    assert state.keys is None, "nothing changed"


@pytest.mark.parametrize("key", ["", " k", "k ", "k\t", "k\xa0", "kéy", "k\n", "\x00"])
def test_keys_no_client_could_send_are_refused_everywhere(key: str) -> None:
    with pytest.raises(ValueError, match=r"api_keys\[1\]: a key must be non-empty visible ASCII"):
        create_app(Catalog(MODELS), api_keys=["good", key])
    with pytest.raises(ValueError, match=r"api_keys\[0\]"):
        create_app(Catalog(MODELS)).mock.set_api_keys([key])
